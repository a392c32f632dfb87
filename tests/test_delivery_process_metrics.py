"""Sends made by the Telegram dispatcher process count in the bot's /metrics: the child
reports each outcome over its pipe and the parent's counters take them in."""

from __future__ import annotations

import asyncio

import pytest

from kkgbot.app import App
from kkgbot.clock import SystemClock
from kkgbot.delivery.worker import DispatcherProcess
from kkgbot.web.metrics import Metrics
from tests.delivery_helpers import TOKEN, put
from tests.fakes.telegram_api import FakeTelegramServer


def counted(metrics: Metrics, outcome: str) -> float:
    value = metrics.registry.get_sample_value(
        "kkgbot_messages_out_total", {"channel": "telegram", "outcome": outcome}
    )
    return value or 0.0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_sends_in_the_dispatcher_process_are_counted_in_metrics(settings):
    metrics = Metrics()
    async with FakeTelegramServer(token=TOKEN) as srv:
        srv.configure(fault_rate=1.0, fault_kinds=["error_500"])  # chat 3: retried, then sent
        settings = settings.model_copy(
            update={
                "telegram_bot_token": TOKEN,
                "telegram_api_base_url": srv.base_url,
                "dispatcher_poll_seconds": 0.05,
                "backoff_base_seconds": 0.1,
            }
        )
        app = App(settings, SystemClock())
        sender = DispatcherProcess(settings, metrics.observe_send)
        try:
            await put(app, 3, "coba lagi")
            await sender.start()
            await srv.wait_until(lambda: srv.stats["5xx"] >= 1, timeout=30)
            srv.configure(fault_rate=0.0)
            for chat in (1, 2):
                await put(app, chat, f"siaran {chat}")
            sender.notify()
            await srv.wait_until(lambda: len(srv.sent_messages()) >= 3, timeout=30)
            for _ in range(100):  # reports arrive a few times a second
                if counted(metrics, "sent") >= 3:
                    break
                await asyncio.sleep(0.05)
        finally:
            await sender.stop(timeout=20)
            await app.close()
    assert counted(metrics, "sent") == 3 == len(srv.sent_messages())
    assert counted(metrics, "retry") == srv.stats["5xx"] >= 1
    histogram = metrics.registry.get_sample_value(
        "kkgbot_dispatch_seconds_count", {"channel": "telegram"}
    )
    assert histogram == counted(metrics, "sent") + counted(metrics, "retry")
