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

The child talks back on its stdout, one JSON value a line (its stray prints go to stderr):
`"ready"` once it can send, which `wait_ready` waits for (a bot that says it runs while its
sender is still starting leaves the first answers waiting a second or two: measured in
bench/broadcast as most of the reply p99), then each send's outcome and duration a few
times a second, which the parent feeds to its /metrics counters (`on_sent`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from kkgbot.settings import Settings

log = logging.getLogger(__name__)
CHANNELS = ("telegram",)  # what the child sends; the parent's dispatcher leaves these alone
SETTINGS_ENV = "KKGBOT_WORKER_SETTINGS"
REPORT_ENV = "KKGBOT_WORKER_REPORTS"  # "1": stdout is the pipe back to the parent
READY = "ready"
REPORT_EVERY = 0.5  # seconds between outcome reports
OnSent = Callable[[str, str, float], None]  # (channel, outcome, seconds the send took)


class DispatcherProcess:
    """The parent's handle on the child: start, wake, stop (restarted if it dies)."""

    def __init__(self, settings: Settings, on_sent: OnSent | None = None) -> None:
        self.settings = settings
        self.on_sent = on_sent
        self.proc: asyncio.subprocess.Process | None = None
        self._stopping = False
        self._poke_pending = False
        self._watch: asyncio.Task[None] | None = None
        self._reports: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    async def start(self) -> None:
        env = {**os.environ, SETTINGS_ENV: self.settings.model_dump_json(by_alias=True)}
        env[REPORT_ENV] = "1"
        self.ready.clear()
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "kkgbot.delivery.worker",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        self._reports = asyncio.create_task(self._read_reports(self.proc))
        if self._watch is None:
            self._watch = asyncio.create_task(self._supervise(), name="dispatcher-process")

    async def wait_ready(self, timeout: float = 60) -> bool:  # noqa: ASYNC109
        """Until the child can send (True), it ended, or `timeout` passed (both False)."""
        proc = self.proc
        if proc is None:
            return False
        ready = asyncio.ensure_future(self.ready.wait())
        ended = asyncio.ensure_future(proc.wait())
        await asyncio.wait({ready, ended}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for waiter in (ready, ended):
            waiter.cancel()
        if not self.ready.is_set():
            log.error(
                "dispatcher process not ready after %ss (exit code %s)", timeout, proc.returncode
            )
        return self.ready.is_set()

    async def _read_reports(self, proc: asyncio.subprocess.Process) -> None:
        """Each line from the child: "ready", or a JSON list of [channel, outcome, seconds]."""
        assert proc.stdout is not None
        async for line in proc.stdout:
            try:
                report = json.loads(line)
                if report == READY:
                    self.ready.set()
                    continue
                for channel, outcome, seconds in report if self.on_sent else ():
                    self.on_sent(str(channel), str(outcome), float(seconds))
            except Exception:  # a garbled line costs its counts, never the reader
                log.exception("unreadable report from the dispatcher process: %r", line[:200])

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
        if self._reports is not None:  # the child flushed its last report before it ended
            await asyncio.gather(self._reports, return_exceptions=True)


class Reporter:
    """In the child: each send's outcome, written to the parent in batches."""

    def __init__(self, write: Callable[[bytes], None]) -> None:
        self.write = write
        self.pending: list[list[Any]] = []

    def sent(self, channel: str, outcome: str, seconds: float) -> None:
        self.pending.append([channel, outcome, round(seconds, 6)])

    def flush(self) -> None:
        if self.pending:
            batch, self.pending = self.pending, []
            self.write(json.dumps(batch).encode() + b"\n")

    async def run(self) -> None:
        while True:
            await asyncio.sleep(REPORT_EVERY)
            self.flush()


async def _read_wakeups(on_wake, on_eof) -> None:
    """Each line on stdin is a wake-up call; EOF means the parent is gone."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while await reader.read(4096):
        on_wake()
    on_eof()


async def _report_pipe(fd: int) -> Callable[[bytes], None]:
    """A non-blocking writer on `fd`: a slow parent never stalls the child's event loop."""
    loop = asyncio.get_running_loop()
    transport, _ = await loop.connect_write_pipe(asyncio.Protocol, os.fdopen(fd, "wb"))

    def write(data: bytes) -> None:
        if not transport.is_closing():
            transport.write(data)

    return write


async def run_worker(settings: Settings, report_fd: int | None = None) -> int:
    from kkgbot.channels.base import TimedChannel
    from kkgbot.channels.telegram import TelegramChannel
    from kkgbot.clock import SystemClock
    from kkgbot.db.engine import make_engine, make_sessionmaker
    from kkgbot.delivery.dispatcher import Dispatcher

    async def no_inbound(_inbound) -> None:  # the parent receives updates, never the child
        return None

    engine = make_engine(settings.database_url)
    bots = [  # every bot of the deployment, each its own lane
        TelegramChannel(
            token,
            settings.telegram_api_base_url,
            no_inbound,
            pool_size=settings.delivery_concurrency + 4,
            via=via,
        )
        for via, token in settings.telegram_tokens.items()
    ]
    from kkgbot.channels.telegram_start import TelegramStarter

    reporter = Reporter(await _report_pipe(report_fd)) if report_fd is not None else None
    lanes: dict = {}  # a bot's lane joins once the bot is up: until then its messages wait
    dispatcher = Dispatcher(make_sessionmaker(engine), lanes, settings, SystemClock())

    async def up_then_send(telegram: TelegramChannel, starter: TelegramStarter) -> None:
        await starter.until_up()
        lanes[telegram.lane] = TimedChannel(telegram, reporter.sent) if reporter else telegram
        dispatcher.notify()

    stopping = asyncio.Event()

    def stop() -> None:
        stopping.set()
        asyncio.ensure_future(dispatcher.stop())

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop)
    wakeups = asyncio.create_task(_read_wakeups(dispatcher.notify, stop))
    # Telegram unreachable: wait here, quietly (the parent logs it and says so in /healthz);
    # the messages wait in the outbox meanwhile. A stop while waiting ends the process.
    # Ready once one bot is up; the others keep trying, their messages wait meanwhile.
    starters = [TelegramStarter(t, polling=False, quiet=True) for t in bots]
    ups = {asyncio.create_task(up_then_send(t, s)) for t, s in zip(bots, starters, strict=True)}
    stopped = asyncio.create_task(stopping.wait())
    await asyncio.wait({*ups, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if stopping.is_set() or not any(up.done() and not up.exception() for up in ups):
        for up in ups:
            up.cancel()
        await asyncio.gather(*ups, return_exceptions=True)
        for starter in starters:
            await starter.stop()
        wakeups.cancel()
        for telegram in bots:
            await telegram.stop()
        await engine.dispose()
        return 0
    reports = asyncio.create_task(reporter.run()) if reporter else None
    if reporter is not None:
        reporter.write(json.dumps(READY).encode() + b"\n")
    log.info("dispatcher process running for %s", ", ".join(CHANNELS))
    try:
        await dispatcher.run_forever()
    finally:
        wakeups.cancel()
        for up in ups:
            up.cancel()
        await asyncio.gather(*ups, return_exceptions=True)
        for starter in starters:
            await starter.stop()
        if reporter is not None and reports is not None:
            reports.cancel()
            reporter.flush()  # the sends of the last moments count too
        for telegram in bots:
            await telegram.stop()
        await engine.dispose()
    return 0


if __name__ == "__main__":
    from kkgbot import logs

    raw = os.environ.get(SETTINGS_ENV)
    config = Settings.model_validate_json(raw) if raw else Settings()
    logs.setup(
        logging.INFO,
        secrets=config.redacted,
        json_logs=config.log_json,
    )
    report_fd = None
    if os.environ.get(REPORT_ENV):
        report_fd = os.dup(1)  # stdout is the report pipe: keep it to ourselves ...
        os.dup2(2, 1)  # ... and send anything else printed to stderr
    sys.exit(asyncio.run(run_worker(config, report_fd)))
