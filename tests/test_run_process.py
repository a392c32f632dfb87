"""`python bot.py run` as a real process against a Bot API server on 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.fakes.telegram_api import FakeTelegramServer
from tests.process_helpers import bot_run
from tests.telegram_helpers import TOKEN


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_bot_run_serves_telegram_and_stops_cleanly(db_url):
    async with FakeTelegramServer(token=TOKEN) as srv:
        env = {
            "KKGBOT_DATABASE_URL": db_url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": srv.base_url,
        }
        async with bot_run(env):
            await srv.wait_until(lambda: srv.requests("getUpdates"), timeout=30, what="polling")
            srv.user_sends(7001, "/start")
            sent = await srv.wait_for_messages(7001, 1, timeout=10)
            assert "Selamat datang" in sent[0].text
            srv.user_presses(7001, "Setuju")
            asked = await srv.wait_for_messages(7001, 2, timeout=10)
            assert asked[-1].text.startswith("Siapa nama lengkap")
            assert srv.commands_for("id"), "the Indonesian command menu was set"
