"""Starting Telegram when the Bot API may be unreachable.

A district server often boots before its network is fully up, and api.telegram.org has
its bad hours. That must not take the whole bot down: WhatsApp, the web server and the
scheduler keep working, messages for Telegram wait in the outbox (nothing is lost), and
Telegram is tried again with backoff until it answers. One clear line says so, one when it
is back; no traceback. `/healthz` reads `state` and names the channel as retrying.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from kkgbot.channels.telegram import TelegramChannel

log = logging.getLogger(__name__)

OK, RETRYING, STARTING = "ok", "retrying", "starting"


class TelegramStarter:
    def __init__(
        self,
        channel: TelegramChannel,
        *,
        polling: bool = True,
        commands: dict[str, list[tuple[str, str]]] | None = None,
        on_up: Callable[[], Awaitable[None]] | None = None,
        first_delay: float = 1.0,
        max_delay: float = 60.0,
        quiet: bool = False,  # the dispatcher process: the parent already said it
    ) -> None:
        self.channel = channel
        self.polling = polling
        self.commands = commands
        self.on_up = on_up
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.quiet = quiet
        self.state = STARTING
        self.last_error = ""
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> bool:
        """Tries once now: True when Telegram is up. Otherwise says so in one line and
        keeps trying in the background (`state` is "retrying" meanwhile)."""
        if await self.attempt():
            return True
        self.state = RETRYING
        if not self.quiet:
            log.warning(
                "Telegram is unreachable (%s); the bot runs on without it and retries "
                "with backoff (at most every %gs)",
                self.last_error,
                self.max_delay,
            )
        self._task = asyncio.create_task(self._retry(), name="telegram-start")
        return False

    async def until_up(self) -> None:
        """Tries until Telegram answers (the dispatcher process has nothing else to do)."""
        if not await self.start():
            assert self._task is not None
            await self._task

    async def attempt(self) -> bool:
        try:
            await self.channel.start(polling=self.polling, commands=self.commands)
        except Exception as exc:  # network down, DNS, a 5xx: all mean "not now"
            self.last_error = f"{type(exc).__name__}: {exc}"[:200]
            log.debug("Telegram start failed", exc_info=True)
            return False
        self.state = OK
        if self.on_up is not None:
            await self.on_up()
        return True

    async def _retry(self) -> None:
        delay = self.first_delay
        while True:
            await asyncio.sleep(delay)
            if await self.attempt():
                if not self.quiet:
                    log.info("Telegram is reachable again: @%s", self.channel.username)
                return
            delay = min(self.max_delay, delay * 2)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
