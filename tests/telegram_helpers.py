"""The bot on Telegram for tests: the real PTB Application long-polling a fake Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from kkgbot.app import App
from kkgbot.channels.telegram import TelegramChannel
from kkgbot.serve import command_menu
from kkgbot.settings import Settings
from tests.fakes.telegram_api import FakeTelegramServer

TOKEN = "123456:TEST-token"


class DaytimeClock:
    """Real time, moving as it does, but starting on a school day at 10.00 WITA: a test that
    runs at night must not see its broadcast wait for the end of the quiet hours."""

    START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 10.00 WITA

    def __init__(self) -> None:
        self._offset = self.START - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


@contextlib.asynccontextmanager
async def telegram_bot(
    settings: Settings, srv: FakeTelegramServer, seed: bool = True
) -> AsyncIterator[App]:
    """Starts what `bot.py run` starts for Telegram (channel, dispatcher), stops it after.

    The simulated users answer within milliseconds, faster than any teacher types; the
    per-chat pace is raised so that Telegram's 1 message/s per chat does not slow the suite
    (the delivery tests check that limit itself).
    """
    settings = settings.model_copy(update={"telegram_rate_per_chat": 50.0})
    app = App(settings, DaytimeClock())
    if seed:
        await app.seed_demo()
    channel = TelegramChannel(
        TOKEN, srv.base_url, app.router.handle, max_upload_bytes=settings.max_upload_bytes
    )
    app.add_channel(channel)
    await channel.start(polling=True, commands=command_menu(app.registry))
    app.links.telegram_username = channel.username
    dispatcher = asyncio.create_task(app.dispatcher.run_forever(poll_seconds=0.05))
    try:
        yield app
    finally:
        dispatcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await dispatcher
        await channel.stop()
        await app.close()


async def reply_to(srv: FakeTelegramServer, user: int, text: str, count: int = 1) -> list[str]:
    """Send as `user` and wait for `count` new messages to that chat; their texts."""
    before = len(srv.sent_messages(user))
    srv.user_sends(user, text)
    sent = await srv.wait_for_messages(user, before + count, timeout=10)
    return [m.text or "" for m in sent[before:]]


async def press(srv: FakeTelegramServer, user: int, label: str, count: int = 1) -> list[str]:
    before = len(srv.sent_messages(user))
    srv.user_presses(user, label)
    sent = await srv.wait_for_messages(user, before + count, timeout=10)
    return [m.text or "" for m in sent[before:]]


@contextlib.asynccontextmanager
async def telegram_on_movable_clock(
    settings: Settings, start
) -> AsyncIterator[tuple[App, FakeTelegramServer, TelegramChannel]]:
    """The demo bot on a movable clock with a Telegram channel fed update by update (no
    polling), and the console for the demo koordinator: for tests that move time."""
    from kkgbot.channels.console import ConsoleChannel
    from kkgbot.clock import MovableClock

    srv = await FakeTelegramServer(token=TOKEN).start()
    app = App(settings, MovableClock(start), {})
    channel = TelegramChannel(TOKEN, srv.base_url, app.router.handle)
    app.add_channel(channel)
    app.add_channel(ConsoleChannel(io.StringIO()))
    await channel.application.initialize()
    await app.seed_demo()
    try:
        yield app, srv, channel
    finally:
        await channel.application.shutdown()
        await app.close()
        await srv.stop()


async def feed(app: App, channel: TelegramChannel, update: dict) -> None:
    """One update straight into the channel's handler, then everything due is sent."""
    from telegram import Update

    await channel._on_update(Update.de_json(update, channel.bot), None)  # noqa: SLF001
    await app.dispatcher.drain()
