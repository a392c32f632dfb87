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


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_bot_run_with_two_bots_answers_each_through_its_own(db_url):
    from sqlalchemy import select

    from kkgbot.db.engine import make_engine
    from kkgbot.db.models import LaneLease
    from tests.fakes.telegram_bots import SeveralBots

    other = "654321:UTARA-token"
    async with SeveralBots([TOKEN, other]) as srv:
        env = {
            "KKGBOT_DATABASE_URL": db_url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "KKGBOT_TELEGRAM_BOTS": f"utara:{other}",
            "TELEGRAM_API_BASE_URL": srv.base_url,
        }
        utara = srv.bot(other)
        async with bot_run(env):
            for bot in (srv, utara):
                await bot.wait_until(lambda b=bot: b.requests("getUpdates"), timeout=30)
            utara.user_sends(7001, "/start")
            srv.user_sends(7002, "/start")
            assert "Selamat datang" in (await utara.wait_for_messages(7001, 1, 10))[0].text
            assert "Selamat datang" in (await srv.wait_for_messages(7002, 1, 10))[0].text
            assert not srv.sent_messages(7001) and not utara.sent_messages(7002)
            engine = make_engine(db_url)
            async with engine.connect() as conn:
                leases = (await conn.execute(select(LaneLease.lane, LaneLease.owner))).all()
            await engine.dispose()
        lanes = {lane: owner for lane, owner in leases if not lane.startswith("@")}
        assert set(lanes) == {"telegram", "telegram:utara"}  # both in the sender process
        assert len(set(lanes.values())) == 1
