"""The Telegram dispatcher in a process of its own, so bulk sends use the second core.

Why: sending through PTB and httpx costs a few milliseconds of CPU per message. At
broadcast rates that fills one core, and a bot process that also answers teachers would
answer them seconds late (measured in `bench/`: reply p99 of several seconds). In a child
process the dispatcher has a core to itself and the bot process stays free for inbound.

The parent (`run_bot`) writes a byte to the child's stdin whenever something is enqueued,
so a reply is claimed at once instead of at the next poll; EOF on stdin (the parent ended
or died) stops the child cleanly, like SIGTERM. Claims are safe across processes on both
databases (see `store.claim`), and the child is the only process sending on Telegram, so
its rate limits stay whole. Other channels (WhatsApp) stay with the parent's dispatcher.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys

from kkgbot.settings import Settings

log = logging.getLogger(__name__)
CHANNELS = ("telegram",)  # what the child sends; the parent's dispatcher leaves these alone
SETTINGS_ENV = "KKGBOT_WORKER_SETTINGS"


class DispatcherProcess:
    """The parent's handle on the child: start, wake, stop (restarted if it dies)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.proc: asyncio.subprocess.Process | None = None
        self._stopping = False
        self._poke_pending = False
        self._watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        env = {**os.environ, SETTINGS_ENV: self.settings.model_dump_json(by_alias=True)}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kkgbot.delivery.worker", stdin=asyncio.subprocess.PIPE, env=env
        )
        if self._watch is None:
            self._watch = asyncio.create_task(self._supervise(), name="dispatcher-process")

    async def _supervise(self) -> None:
        """A child that dies while we run is started again (its leases expire meanwhile)."""
        while not self._stopping:
            assert self.proc is not None
            code = await self.proc.wait()
            if self._stopping:
                return
            log.error("dispatcher process ended with %s; starting it again", code)
            await asyncio.sleep(1.0)
            if not self._stopping:
                await self.start()

    def notify(self) -> None:
        """Something was enqueued: wake the child (one byte per loop turn at most)."""
        if self._poke_pending or self.proc is None or self.proc.stdin is None:
            return
        self._poke_pending = True
        asyncio.get_running_loop().call_soon(self._poke)

    def _poke(self) -> None:
        self._poke_pending = False
        stdin = self.proc.stdin if self.proc else None
        if stdin is not None and not stdin.is_closing():
            with contextlib.suppress(ConnectionError, RuntimeError):
                stdin.write(b"\n")

    async def stop(self, timeout: float = 60) -> None:  # noqa: ASYNC109
        """EOF on its stdin: the child finishes what is on the wire and gives back the rest."""
        self._stopping = True
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except TimeoutError:
            log.error("dispatcher process did not stop in %ss; killing it", timeout)
            proc.kill()
            await proc.wait()
        if self._watch is not None:
            await asyncio.gather(self._watch, return_exceptions=True)


async def _read_wakeups(on_wake, on_eof) -> None:
    """Each line on stdin is a wake-up call; EOF means the parent is gone."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while await reader.read(4096):
        on_wake()
    on_eof()


async def run_worker(settings: Settings) -> int:
    from kkgbot.channels.telegram import TelegramChannel
    from kkgbot.clock import SystemClock
    from kkgbot.db.engine import make_engine, make_sessionmaker
    from kkgbot.delivery.dispatcher import Dispatcher

    async def no_inbound(_inbound) -> None:  # the parent receives updates, never the child
        return None

    engine = make_engine(settings.database_url)
    telegram = TelegramChannel(
        settings.telegram_bot_token or "",
        settings.telegram_api_base_url,
        no_inbound,
        pool_size=settings.delivery_concurrency + 4,
    )
    await telegram.start(polling=False)
    dispatcher = Dispatcher(
        make_sessionmaker(engine), {telegram.name: telegram}, settings, SystemClock()
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(dispatcher.stop()))
    wakeups = asyncio.create_task(
        _read_wakeups(dispatcher.notify, lambda: asyncio.ensure_future(dispatcher.stop()))
    )
    log.info("dispatcher process running for %s", ", ".join(CHANNELS))
    try:
        await dispatcher.run_forever()
    finally:
        wakeups.cancel()
        await telegram.stop()
        await engine.dispose()
    return 0


if __name__ == "__main__":
    from kkgbot import logs

    raw = os.environ.get(SETTINGS_ENV)
    config = Settings.model_validate_json(raw) if raw else Settings()
    logs.setup(
        logging.INFO,
        secrets=(config.telegram_bot_token, config.twilio_auth_token, config.webhook_secret),
        json_logs=config.log_json,
    )
    sys.exit(asyncio.run(run_worker(config)))
