"""Sends what the outbox holds and records what happened to each message.

Two ways to run, one set of rules:
- `drain()` sends everything due now, one message at a time, strictly in order (priority,
  not_before, id). The console and the scripted tests call it after every line, so their
  transcripts are deterministic.
- `run_forever()` is the production pipeline: a claimer keeps about a second of due
  work in memory (replies are always claimed, even when the buffer is full of bulk), one
  lane per bot or sender (kkgbot/delivery/lanes.py, owned by one process at a time) paces
  it through that bot's limits with bounded concurrency, and a recorder writes outcomes
  back in batches. Leases are renewed while rows are held, so a
  slow send is never taken twice; a crash leaves them to be claimed again after the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kkgbot.channels.base import RETRY, RETRY_AFTER, Channel, SendResult
from kkgbot.clock import Clock
from kkgbot.delivery import store
from kkgbot.delivery.lanes import Ownership, lane_parts
from kkgbot.delivery.outgoing import outgoing
from kkgbot.delivery.pacer import Lane
from kkgbot.delivery.ratelimit import ChannelLimits, limits_for
from kkgbot.delivery.reachability import mark_unreachable  # noqa: F401 (re-exported)
from kkgbot.delivery.store import Claimed, Outcome
from kkgbot.logs import RedactSecrets
from kkgbot.settings import Settings

log = logging.getLogger(__name__)
ADAPT_WINDOW = 2.0  # seconds of finished sends that measure the achieved rate
ADAPT_SECONDS = 1.0  # claimed work to hold, in seconds of the achieved rate
RECORD_LINGER = 0.05  # seconds the recorder waits for more outcomes to write together
RECORD_BATCH = 50  # ... unless this many are already waiting
# A lease this close to its end is checked in the database before a send: a send that
# starts on a lease about to run out could still be on the wire when another takes the row.
LEASE_MARGIN = timedelta(seconds=1)


class Dispatcher:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        channels: dict[str, Channel],
        settings: Settings,
        clock: Clock,
    ) -> None:
        self.sessionmaker = sessionmaker
        # by lane (`telegram`, `telegram:<bot>`), shared with App: channels added later count
        self.channels = channels
        self.settings = settings
        self.clock = clock
        self.lease = timedelta(seconds=settings.delivery_lease_seconds)
        self.owner = store.new_owner()  # written on every row this dispatcher claims
        # A channel error can quote the request URL, and a Telegram URL holds the token:
        # errors are kept in the outbox and shown in delivery summaries, so they are scrubbed.
        self._scrub = RedactSecrets(settings.redacted).scrub
        self.wake = asyncio.Event()
        self.stats: Counter[str] = Counter()
        self._rng = random.Random()
        self._limits: dict[str, ChannelLimits] = {}
        self._lanes: dict[str, Lane] = {}
        self._held: dict[int, Claimed] = {}  # claimed and not yet recorded
        self._orphans: list[Claimed] = []  # claimed while stopping: given back, never sent
        self._results: asyncio.Queue[Outcome | None] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._stop = asyncio.Event()
        # Channels another process dispatches (kkgbot/delivery/worker.py), and who to tell
        # when something is enqueued for them.
        self.elsewhere: set[str] = set()
        self.forward: list[Callable[[], None]] = []
        self._done_times: deque[float] = deque()  # when recent sends finished (monotonic)
        self.ownership: Ownership | None = None  # the pipeline's lane leases (drain: none)

    # ------------------------------------------------------------------ shared pieces

    def notify(self) -> None:
        """Something was enqueued: look for due work now rather than at the next poll."""
        self.wake.set()
        for wake_other in self.forward:
            wake_other()

    def hand_over(self, channels: Iterable[str], wake: Callable[[], None]) -> None:
        """Leave `channels` to another dispatcher (a child process) and wake it on notify."""
        self.elsewhere.update(channels)
        self.forward.append(wake)

    def _candidates(self) -> list[str]:
        return [n for n in self.channels if lane_parts(n)[0] not in self.elsewhere]

    def _mine(self) -> list[str]:
        """The lanes to claim for: ours to send on, and in the pipeline leased to us."""
        owned = self.ownership.owned if self.ownership is not None else None
        return [n for n in self._candidates() if owned is None or n in owned]

    def limits(self, lane: str) -> ChannelLimits:
        """Each lane its own limits: a bot's flood limit belongs to its token."""
        if lane not in self._limits:
            self._limits[lane] = limits_for(lane_parts(lane)[0], self.settings)
        return self._limits[lane]

    async def _attempt(self, row: Claimed) -> SendResult:
        """One try through the channel; every failure becomes a SendResult, never raises."""
        channel = self.channels.get(row.lane)
        if channel is None:
            return SendResult(RETRY, error=f"channel {row.lane} is not running")
        try:
            async with asyncio.timeout(self.settings.send_timeout_seconds):
                result = await channel.send(await outgoing(self.sessionmaker, channel, row))
        except TimeoutError:
            result = SendResult(RETRY, error="timed out")
        except Exception as exc:  # a bug or an unmapped error: retried with backoff, then dead
            log.exception("send failed outbox_id=%s channel=%s", row.id, row.channel)
            result = SendResult(RETRY, error=f"{type(exc).__name__}: {exc}"[:500])
        if result.error:
            result.error = self._scrub(result.error)
        self.stats[result.outcome] += 1
        return result

    def _rate_limited(self, row: Claimed, result: SendResult) -> bool:
        """A 429: everybody on the channel waits; True when this row should simply go again."""
        if result.outcome != RETRY_AFTER:
            return False
        self.limits(row.lane).pause(result.retry_after or 1.0)
        row.rate_limited += 1
        return row.rate_limited <= self.settings.max_rate_limited_retries

    # ------------------------------------------------------------ one at a time, in order

    async def drain(self, max_rounds: int = 100_000) -> int:
        """Send everything due now, one by one, in order; returns how many were tried."""
        done = 0
        while done < max_rounds:
            rows, stopped = await store.claim(
                self.sessionmaker, self._mine(), self.clock.now(), 1, self.lease, owner=self.owner
            )
            if not rows:
                if stopped:
                    continue
                break
            row = rows[0]
            limits = self.limits(row.lane)
            while True:
                await limits.wait(row.address, row.kind)
                result = await self._attempt(row)
                if not self._rate_limited(row, result):
                    break
            await store.record(
                self.sessionmaker, [Outcome(row, result, self.clock.now())], self.settings
            )
            done += 1
        return done

    # ------------------------------------------------------------------ the pipeline

    def _buffer_cap(self) -> int:
        """How many claimed rows to hold: about `ADAPT_SECONDS` of what we actually achieve.

        Sized to the configured rate, the buffer held seconds of work whenever the process
        could not reach that rate (CPU, a slow server), and every row in it was a lease to
        renew and a message another dispatcher could not take. Replies never wait behind it
        (lanes send them first), but a small buffer also keeps claims and records short.
        """
        configured = sum(
            (self.limits(name).overall.rate if self.limits(name).overall else 50.0)
            for name in self._mine()
        )
        ceiling = min(5000, max(20, configured * self.settings.delivery_buffer_seconds))
        now = time.monotonic()
        while self._done_times and self._done_times[0] < now - ADAPT_WINDOW:
            self._done_times.popleft()
        achieved = len(self._done_times) / ADAPT_WINDOW
        # At least a quarter second of the configured rate: sized to what was achieved
        # alone, a pause (a 429) shrank the buffer, and a small buffer kept the rate low.
        floor = max(20, 2 * self.settings.delivery_concurrency, configured / 4)
        return int(min(ceiling, max(floor, achieved * ADAPT_SECONDS)))

    def _lane(self, name: str) -> Lane:
        lane = self._lanes.get(name)
        if lane is None:
            lane = Lane(name, self.limits(name), self.settings.delivery_concurrency, self._send)
            self._lanes[name] = lane
            self._tasks.append(asyncio.create_task(lane.run(), name=f"lane-{name}"))
        return lane

    async def _send(self, lane: Lane, row: Claimed) -> None:
        if not await self._still_mine(row):
            # Another dispatcher claimed it after our lease ran out and sends it itself.
            self._held.pop(row.id, None)
            self.stats["lease_lost"] += 1
            return
        result = await self._attempt(row)
        if self._rate_limited(row, result):
            lane.add(row)
            return
        self._results.put_nowait(Outcome(row, result, self.clock.now()))

    async def _still_mine(self, row: Claimed) -> bool:
        """Whether this dispatcher may send the row now: its lease has not run out, or has
        but nobody claimed the row since (then the lease is taken again first)."""
        if row.lost:
            return False
        now = self.clock.now()
        if row.lease_until is not None and now + LEASE_MARGIN < row.lease_until:
            return True
        try:
            return await store.retake(self.sessionmaker, row, now, self.lease)
        except Exception:
            log.exception("could not check the lease of outbox_id=%s; not sending it", row.id)
            return False

    async def _claim(self, limit: int, replies_only: bool) -> tuple[list[Claimed], int]:
        """One claim that is never cut in half by `stop()`.

        Cancelled mid-claim (shutdown cancels the claimer), the claim's transaction may
        still commit: PostgreSQL can finish a COMMIT whose answer never reaches us. Those
        rows would sit in `sending` until their lease ran out, held by nobody (seen as the
        flaky "one of 30 rows neither sent nor queued after stop"). So the claim runs to its
        end, and what it took goes to `_orphans` for `_shutdown` to give back.
        """
        claim = asyncio.ensure_future(
            store.claim(
                self.sessionmaker,
                self._mine(),
                self.clock.now(),
                limit,
                self.lease,
                replies_only=replies_only,
                owner=self.owner,
            )
        )
        try:
            return await asyncio.shield(claim)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                rows, _ = await claim
                # Rows we already hold (a lease renewed by this claim) stay with the lanes.
                self._orphans.extend(r for r in rows if r.id not in self._held)
            raise

    async def _claim_loop(self) -> None:
        poll = self.settings.dispatcher_poll_seconds
        while True:
            self.wake.clear()
            room = self._buffer_cap() - len(self._held)
            replies_only = room <= 0
            limit = 100 if replies_only else min(room, 500)
            try:
                rows, stopped = await self._claim(limit, replies_only)
            except Exception:
                log.exception("claiming due messages failed")
                rows, stopped = [], 0
                await asyncio.sleep(1.0)
            self.stats["claimed"] += len(rows)
            for row in rows:
                if (mine := self._held.get(row.id)) is not None:
                    # Our own lease ran out before it was renewed or the outcome recorded
                    # (a starved event loop, a long SQLite write lock): the row is already
                    # in a lane or sent and waiting for the recorder. Sending it again would
                    # deliver it twice (seen in bench/soak); the claim only renewed our lease.
                    mine.lease_until, mine.lost = row.lease_until, False
                    continue
                self._held[row.id] = row
                self._lane(row.lane).add(row)
            if not replies_only and len(rows) + stopped >= limit:
                await asyncio.sleep(0)  # more may be due: claim again at once
                continue
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancel
            # that arrives as the wait ends (the claim loop then ran on and shutdown hung).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll):
                    await self.wake.wait()

    async def _record_loop(self) -> None:
        """Batches outcomes into one transaction; a None in the queue means: flush and end."""
        while True:
            first = await self._results.get()
            batch = [] if first is None else [first]
            end = first is None
            if not end and self._results.qsize() < RECORD_BATCH:
                await asyncio.sleep(RECORD_LINGER)  # a few more make one transaction, not many
            while not self._results.empty() and len(batch) < 1000 and not end:
                item = self._results.get_nowait()
                if item is None:
                    end = True
                else:
                    batch.append(item)
            if batch:
                await self._record(batch)
            if end:
                return
            if len(self._held) < self._buffer_cap() // 2:
                self.wake.set()  # room in the buffer: claim more

    async def _record(self, batch: list[Outcome]) -> None:
        while True:
            try:
                await store.record(self.sessionmaker, batch, self.settings, self._rng)
                break
            except Exception:
                log.exception("recording %d outcomes failed; retrying", len(batch))
                await asyncio.sleep(1.0)
        now = time.monotonic()
        for outcome in batch:
            self._held.pop(outcome.row.id, None)
            self._done_times.append(now)

    async def _renew_loop(self) -> None:
        every = max(0.5, self.settings.delivery_lease_seconds / 3)
        while True:
            await asyncio.sleep(every)
            if self._held:
                try:
                    await store.renew(
                        self.sessionmaker, list(self._held.values()), self.clock.now(), self.lease
                    )
                except Exception:
                    log.exception("renewing leases failed")

    def _busy(self, lane: str) -> bool:  # rows of `lane` held here (queued or on the wire)
        return any(row.lane == lane for row in self._held.values())

    async def _lease_loop(self) -> None:
        """Keeps our lanes leased, takes over those whose owner stopped renewing, and gives
        back what waits in a lane that is no longer ours (its new owner sends it, paced)."""
        assert self.ownership is not None
        while True:
            await asyncio.sleep(self.ownership.every)
            if await self.ownership.refresh(self._candidates(), self.clock.now()):
                self.wake.set()  # a lane taken over: claim its rows now
            for name in self.ownership.dropped & set(self._lanes):
                rows = self._lanes[name].take_waiting()
                for row in rows:
                    self._held.pop(row.id, None)
                try:
                    await store.release(self.sessionmaker, rows, self.clock.now())
                except Exception:  # their row leases run out instead
                    log.exception("could not give back %d rows of lane %s", len(rows), name)

    async def run_forever(self, poll_seconds: float | None = None) -> None:
        """The production pipeline, until `stop()` or cancellation (both shut down cleanly)."""
        if poll_seconds is not None:
            self.settings = self.settings.model_copy(
                update={"dispatcher_poll_seconds": poll_seconds}
            )
        self._stop.clear()
        self.ownership = Ownership(
            self.sessionmaker, self.owner, self.settings.lane_lease_seconds, busy=self._busy
        )
        await self.ownership.refresh(self._candidates(), self.clock.now())
        self._tasks = [
            asyncio.create_task(self._claim_loop(), name="dispatcher-claim"),
            asyncio.create_task(self._record_loop(), name="dispatcher-record"),
            asyncio.create_task(self._renew_loop(), name="dispatcher-renew"),
            asyncio.create_task(self._lease_loop(), name="dispatcher-lanes"),
        ]
        try:
            await self._stop.wait()
        finally:
            await asyncio.shield(self._shutdown())

    async def stop(self) -> None:
        self._stop.set()

    async def _shutdown(self) -> None:
        """Finish what is on the wire, record it, and give back what was never sent."""
        claimer, recorder, renewer, leaser, *lanes = self._tasks
        for task in (claimer, renewer, leaser, *lanes):
            task.cancel()
        await asyncio.gather(claimer, renewer, leaser, *lanes, return_exceptions=True)
        sending = [t for lane in self._lanes.values() for t in lane.sending]
        if sending:
            await asyncio.wait(sending, timeout=self.settings.send_timeout_seconds + 1)
        self._results.put_nowait(None)  # the recorder writes everything queued, then ends
        try:
            await asyncio.wait_for(recorder, timeout=30)
        except Exception:
            log.exception("recorder did not finish; unrecorded sends will be retried")
        unsent = [r for lane in self._lanes.values() for r in lane.waiting()] + self._orphans
        try:
            await store.release(self.sessionmaker, unsent, self.clock.now())
        except Exception:
            log.exception("shutdown could not record or release; leases will expire")
        if self.ownership is not None:  # after the rows: their new owner finds them queued
            await self.ownership.release()
        self.ownership = None
        self._held.clear()
        self._orphans.clear()
        self._lanes.clear()
        self._tasks = []
