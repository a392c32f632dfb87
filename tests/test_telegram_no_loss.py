"""A message is confirmed to Telegram only once it is handled: a crash while handling it
loses nothing, and an update Telegram sends again after a restart is handled once.

PTB's Updater would confirm (move getUpdates' offset past) a batch as soon as it was queued;
the soak (bench/soak) lost 7-140 messages per kill that way.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from kkgbot.app import App
from kkgbot.channels.telegram import TelegramChannel
from kkgbot.clock import SystemClock
from kkgbot.db.models import InboundSeen
from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram_helpers import TOKEN, telegram_bot


async def test_unhandled_updates_are_not_confirmed_and_come_again(settings):
    async with FakeTelegramServer(token=TOKEN) as srv:
        app = App(settings, SystemClock())
        await app.seed_demo()
        entered = asyncio.Event()

        async def stuck(inbound):
            entered.set()
            await asyncio.sleep(3600)

        first = TelegramChannel(TOKEN, srv.base_url, stuck)
        await first.start(polling=True)
        srv.user_sends(7001, "/start")
        await asyncio.wait_for(entered.wait(), 10)
        await first.stop()
        await app.close()
        # the restarted bot gets the same update again and answers it
        async with telegram_bot(settings, srv, seed=False) as again:
            sent = await srv.wait_for_messages(7001, 1, timeout=10)
            assert "Selamat datang" in sent[0].text
            # handled and confirmed once: a later poll does not bring it back
            await asyncio.sleep(0.5)
            assert len(srv.sent_messages(7001)) == 1
            async with again.sessionmaker() as s:
                assert await s.scalar(select(func.count()).select_from(InboundSeen)) == 1
