"""`bot.py run` with the Bot API unreachable at start (issue 15, item 5): the process keeps
running (web server, scheduler), says so in one line without a traceback, /healthz stays
200 and names Telegram as retrying; once the Bot API is up, messages flow."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from kkgbot.web.server import bound_socket
from tests.fakes.telegram_api import FakeTelegramServer
from tests.process_helpers import bot_run
from tests.telegram_helpers import TOKEN
from tests.test_web_run_process import wait_healthy


def free_port() -> int:
    sock = bound_socket()
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.mark.slow  # a real `bot.py run` process that waits out the outage
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_bot_waits_out_an_unreachable_bot_api(db_url):
    api_port, http_port = free_port(), free_port()
    public = f"http://127.0.0.1:{http_port}"
    env = {
        "KKGBOT_DATABASE_URL": db_url,
        "KKGBOT_PUBLIC_URL": public,  # the web server runs; no webhook secret: polling
        "KKGBOT_HTTP_PORT": str(http_port),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{api_port}/bot",
        "KKGBOT_LOG_JSON": "false",
    }
    lines: list[str] = []
    async with bot_run(env, lines) as proc:
        health = await wait_healthy(public, proc)
        assert health.status_code == 200 and health.json()["telegram"] == "retrying"
        assert health.json()["database"] == "ok"
        await asyncio.sleep(2)  # a couple of retries go by
        assert proc.returncode is None
        said = [line for line in lines if "Telegram is unreachable" in line]
        assert len(said) == 1, lines
        assert not any("Traceback" in line for line in lines), "\n".join(lines)

        async with FakeTelegramServer(token=TOKEN, port=api_port) as srv:
            await srv.wait_until(lambda: srv.requests("getUpdates"), timeout=60, what="polling")
            srv.user_sends(7001, "/start")
            sent = await srv.wait_for_messages(7001, 1, timeout=60)
            assert "Selamat datang" in sent[0].text
            async with httpx.AsyncClient() as client:
                again = (await client.get(public + "/healthz")).json()
            assert again["telegram"] == "ok"
            assert any("Telegram is reachable again" in line for line in lines)
            assert not any("Traceback" in line for line in lines), "\n".join(lines)
