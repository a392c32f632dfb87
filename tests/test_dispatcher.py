"""The production pipeline (`run_forever`): concurrency, priorities, leases, shutdown and
several dispatchers sharing one outbox. Real time, but no assertion about how long
anything takes: only what was sent, how often and in which order."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from kkgbot.app import App
from kkgbot.channels.telegram import TelegramChannel
from kkgbot.clock import SystemClock
from kkgbot.delivery import outbox, store
from tests.delivery_helpers import TOKEN, put, rows, telegram_app
from tests.fakes.telegram_api import FakeTelegramServer


@contextlib.asynccontextmanager
async def running(app: App):
    task = asyncio.create_task(app.dispatcher.run_forever())
    try:
        yield task
    finally:
        await app.dispatcher.stop()
        await asyncio.wait_for(task, 20)


@pytest.fixture
def fast(settings):
    return settings.model_copy(update={"dispatcher_poll_seconds": 0.05})


async def test_everything_is_sent_exactly_once(fast):
    async with telegram_app(fast, SystemClock()) as (app, srv):
        srv.configure(flood_limits=True)  # Telegram's own limits: we must never break them
        for chat in range(1, 41):
            await put(app, chat, f"siaran {chat}")
        for chat in range(1, 4):
            await put(app, 100 + chat, f"balasan {chat}", kind=outbox.REPLY)
        async with running(app):
            await srv.wait_until(lambda: len(srv.sent_messages()) >= 43, timeout=20)
        assert set(srv.delivered_counts().values()) == {1}
        assert srv.stats["429"] == 0
        assert {r.status for r in (await rows(app)).values()} == {outbox.SENT}
        first = [m.text for m in srv.sent_messages()[:3]]
        assert sorted(first) == ["balasan 1", "balasan 2", "balasan 3"]


async def test_a_reply_overtakes_a_running_broadcast(fast):
    settings = fast.model_copy(update={"telegram_rate_overall": 20.0})
    async with telegram_app(settings, SystemClock()) as (app, srv):
        for chat in range(1, 61):
            await put(app, chat, f"siaran {chat}")
        async with running(app):
            await srv.wait_until(lambda: len(srv.sent_messages()) >= 3, timeout=20)
            await put(app, 999, "balasan", kind=outbox.REPLY)
            app.dispatcher.notify()
            await srv.wait_for_messages(999, 1, timeout=20)
            position = [m.text for m in srv.sent_messages()].index("balasan")
            await srv.wait_until(lambda: len(srv.sent_messages()) >= 61, timeout=30)
        assert position < 30  # it did not wait behind the 40 or so bulk messages still queued


async def test_stop_gives_back_what_was_never_sent(fast):
    settings = fast.model_copy(update={"telegram_rate_overall": 10.0})
    async with telegram_app(settings, SystemClock()) as (app, srv):
        for chat in range(1, 31):
            await put(app, chat, f"siaran {chat}")
        async with running(app):
            await srv.wait_until(lambda: len(srv.sent_messages()) >= 3, timeout=20)
        found = (await rows(app)).values()
        sent = [r for r in found if r.status == outbox.SENT]
        queued = [r for r in found if r.status == outbox.QUEUED]
        others = [(r.payload["text"], r.status, r.attempts, r.last_error) for r in found]
        others = [o for o in others if o[1] not in (outbox.SENT, outbox.QUEUED)]
        assert len(sent) == len(srv.sent_messages()) and len(sent) + len(queued) == 30, others
        assert all(r.attempts == 0 and r.lease_until is None for r in queued)


async def test_a_stop_during_a_claim_gives_the_claimed_rows_back(fast, monkeypatch):
    """The claim's transaction committed but its answer had not come back when stop()
    cancelled the claimer: the rows must not stay `sending` (once a flaky test on PG)."""
    claimed = asyncio.Event()
    real_claim = store.claim

    async def slow_answer(*args, **kwargs):
        found = await real_claim(*args, **kwargs)
        if found[0]:
            claimed.set()
            await asyncio.sleep(0.5)  # stop() comes now
        return found

    monkeypatch.setattr(store, "claim", slow_answer)
    async with telegram_app(fast, SystemClock()) as (app, srv):
        for chat in range(1, 6):
            await put(app, chat, f"siaran {chat}")
        async with running(app):
            await asyncio.wait_for(claimed.wait(), 20)
        found = (await rows(app)).values()
        assert not srv.sent_messages()
        assert [(r.status, r.attempts, r.lease_until) for r in found] == [
            (outbox.QUEUED, 0, None)
        ] * 5


async def test_a_5xx_in_the_pipeline_is_retried_with_backoff(fast):
    settings = fast.model_copy(update={"backoff_base_seconds": 0.2, "max_attempts": 5})
    async with telegram_app(settings, SystemClock()) as (app, srv):
        srv.configure(fault_rate=1.0, fault_kinds=["error_500"])
        await put(app, 7, "coba lagi")
        async with running(app):
            await srv.wait_until(lambda: len(srv.requests("sendMessage")) >= 2, timeout=20)
            srv.configure(fault_rate=0.0)
            await srv.wait_for_messages(7, 1, timeout=20)
        row = (await rows(app))["coba lagi"]
        assert row.status == outbox.SENT and row.attempts >= 3


async def test_two_dispatchers_share_one_outbox_without_sending_twice(fast):
    async with FakeTelegramServer(token=TOKEN) as srv:
        apps = []
        for _ in range(2):
            app = App(fast, SystemClock())
            channel = TelegramChannel(TOKEN, srv.base_url, app.router.handle)
            app.add_channel(channel)
            await channel.start(polling=False)
            apps.append(app)
        try:
            for chat in range(1, 121):
                await put(apps[0], chat, f"siaran {chat}")
            async with running(apps[0]), running(apps[1]):
                await srv.wait_until(lambda: len(srv.sent_messages()) >= 120, timeout=30)
                await asyncio.sleep(0.3)  # anything sent twice would show up now
            assert set(srv.delivered_counts().values()) == {1}
            assert len(srv.delivered_counts()) == 120
            claimed = [a.dispatcher.stats["claimed"] for a in apps]
            assert sum(claimed) == 120
        finally:
            for app in apps:
                await app.channels["telegram"].stop()
                await app.close()


async def test_a_handed_over_channel_is_left_to_the_other_dispatcher(fast):
    async with telegram_app(fast, SystemClock()) as (app, srv):
        woken: list[int] = []
        app.dispatcher.hand_over(["telegram"], lambda: woken.append(1))
        await put(app, 7, "balasan", kind=outbox.REPLY)
        app.dispatcher.notify()
        assert woken == [1]
        assert await app.dispatcher.drain() == 0  # not ours to send
        assert srv.sent_messages() == []


async def test_the_dispatcher_process_sends_and_is_woken_by_its_parent(fast):
    """kkgbot/delivery/worker.py: the Telegram dispatcher as a child process."""
    from kkgbot.delivery.worker import DispatcherProcess

    async with telegram_app(fast, SystemClock()) as (app, srv):
        settings = fast.model_copy(
            update={
                "telegram_bot_token": TOKEN,
                "telegram_api_base_url": srv.base_url,
                "dispatcher_poll_seconds": 30.0,  # only the wake-up can make it send soon
                "log_json": False,
            }
        )
        child = DispatcherProcess(settings)
        await child.start()
        try:
            await put(app, 8, "siaran pertama")
            child.notify()
            await srv.wait_until(lambda: len(srv.sent_messages()) >= 1, timeout=20)
            await put(app, 9, "balasan", kind=outbox.REPLY)
            child.notify()
            await srv.wait_until(lambda: len(srv.sent_messages()) >= 2, timeout=20)
        finally:
            await child.stop(timeout=20)
        assert child.proc is not None and child.proc.returncode == 0
        assert {r.status for r in (await rows(app)).values()} == {outbox.SENT}
