"""One channel's lane: claimed messages wait here until the channel's limits let them go.

Messages leave in priority order (replies first, then by due time and id). A message whose
chat has had its share steps aside (parked until its chat is free) instead of holding up
messages for other chats. While any reply waits, bulk gets at most its share of the overall
rate; a flood wait (429) stops the whole lane, as Telegram requires.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable

from kkgbot.delivery import outbox
from kkgbot.delivery.ratelimit import ChannelLimits
from kkgbot.delivery.store import Claimed

log = logging.getLogger(__name__)
Send = Callable[["Lane", Claimed], Awaitable[None]]


class Lane:
    def __init__(self, channel: str, limits: ChannelLimits, concurrency: int, send: Send) -> None:
        self.channel = channel
        self.limits = limits
        self.slots = asyncio.Semaphore(max(1, concurrency))
        self.send = send
        self.ready: list[tuple[tuple, Claimed]] = []
        self.parked: list[tuple[float, int, Claimed]] = []
        self.replies = 0  # replies in ready + parked: while > 0, bulk yields
        self.sending: set[asyncio.Task[None]] = set()
        self._arrived = asyncio.Event()
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self.ready) + len(self.parked)

    def add(self, row: Claimed) -> None:
        heapq.heappush(self.ready, (row.order(), row))
        if row.kind == outbox.REPLY:
            self.replies += 1
        self._arrived.set()

    def waiting(self) -> list[Claimed]:
        """Everything not yet handed to the channel (given back on shutdown)."""
        return [r for _, r in self.ready] + [r for _, _, r in self.parked]

    def take_waiting(self) -> list[Claimed]:
        """Everything not yet handed to the channel, out of the lane (it changed owner)."""
        rows = self.waiting()
        self.ready, self.parked, self.replies = [], [], 0
        return rows

    async def _wait(self, seconds: float | None) -> None:
        """Sleep until `seconds` pass or a new message arrives (it may outrank the top)."""
        self._arrived.clear()
        # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a cancellation
        # that arrives as the wait ends, and a lane that ignores its cancel hangs shutdown.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._arrived.wait()

    def _unpark(self) -> float | None:
        """Move parked messages whose chat is free back to ready; seconds to the next one."""
        now = self.limits.now()
        while self.parked and self.parked[0][0] <= now:
            _, _, row = heapq.heappop(self.parked)
            heapq.heappush(self.ready, (row.order(), row))
        return self.parked[0][0] - now if self.parked else None

    async def run(self) -> None:
        slot = False
        try:
            while True:
                next_unpark = self._unpark()
                if not self.ready:
                    await self._wait(next_unpark)
                    continue
                if not slot:
                    await self.slots.acquire()
                    slot = True
                    continue  # the queue may have changed while we waited for a slot
                row = self.ready[0][1]
                chat = self.limits.chat_delay(row.address)
                if chat > 0:
                    heapq.heappop(self.ready)
                    when = self.limits.now() + chat
                    heapq.heappush(self.parked, (when, next(self._seq), row))
                    continue
                delay = self.limits.overall_delay(row.kind, self.replies > 0)
                if delay > 0:
                    await self._wait(min(delay, next_unpark) if next_unpark else delay)
                    continue
                heapq.heappop(self.ready)
                if row.kind == outbox.REPLY:
                    self.replies -= 1
                self.limits.take(row.address, row.kind)
                task = asyncio.create_task(self._send(row))
                self.sending.add(task)
                task.add_done_callback(self.sending.discard)
                slot = False
        finally:
            if slot:
                self.slots.release()

    async def _send(self, row: Claimed) -> None:
        try:
            await self.send(self, row)
        except Exception:  # the dispatcher records every outcome itself; this is a bug
            log.exception("lane %s lost track of outbox_id=%s", self.channel, row.id)
        finally:
            self.slots.release()
