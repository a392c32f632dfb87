"""Per-channel send limits: token buckets kept by the sender, so the channel never has to
refuse us.

Telegram answers a broken limit with 429 and a flood wait for the whole bot; staying just
under its limits (30/s overall, 1/s per private chat with a short burst, 20/min per group)
is far faster than bouncing off them. Limits run on the monotonic clock: they are about
real seconds on the wire, not about the simulated clock the console moves.

Bulk yields to replies: while a reply waits, bulk may use at most `bulk_share` of the
overall rate, so the reply finds a free slot within a fraction of a second.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from kkgbot.settings import Settings

Now = Callable[[], float]
EPSILON = 1e-9  # float rounding must not leave a token "almost" there forever
SLOWER, FASTER, FLOOR, RECOVER = 0.97, 1.01, 0.85, 20.0  # after a 429 (ChannelLimits.pause)


class TokenBucket:
    """`rate` sends per second on average, at most `burst` back to back."""

    __slots__ = ("rate", "burst", "tokens", "last")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = max(1.0, burst)
        self.tokens = self.burst
        self.last = now

    def _refill(self, now: float) -> None:
        if now > self.last:
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
            self.last = now

    def delay(self, now: float) -> float:
        """Seconds until one token is available (0 when one is there now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1.0 - EPSILON else (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1.0

    def idle(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.burst


class SlidingWindow:
    """At most `capacity` sends in any `window` seconds (Telegram's per-group rule: a token
    bucket with a burst of 20 would break it at the 21st message)."""

    __slots__ = ("capacity", "window", "times")

    def __init__(self, capacity: int, window: float) -> None:
        self.capacity = capacity
        self.window = window
        self.times: deque[float] = deque()

    def delay(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.window + EPSILON:
            self.times.popleft()
        if len(self.times) < self.capacity:
            return 0.0
        return max(EPSILON, self.times[0] + self.window - now)

    def take(self, now: float) -> None:
        self.times.append(now)


class ChannelLimits:
    """All limits of one channel, and its flood-wait pause (a 429 stops every send)."""

    def __init__(
        self,
        overall: float | None = None,
        per_chat: float | None = None,
        chat_burst: float = 1,
        group_per_minute: int | None = None,
        bulk_share: float = 0.8,
        safety: float = 1.0,
        now: Now = time.monotonic,
        overall_safety: float | None = None,
    ) -> None:
        self.now = now
        start = now()
        self.bulk_share = bulk_share
        # ~10 ms of traffic. Telegram counts sends as they arrive, and arrivals bunch up
        # (a busy machine, the network), so the rate * 1 s + burst we may put in any second
        # must stay below the limit by a margin: with 50 ms of burst at 95% the margin was
        # one message, and each 429 stopped the whole bot for a second (bench/broadcast).
        burst = max(1.0, (overall or 0) * safety / 100)
        ceiling = (overall or 0) * safety
        if overall_safety is not None:  # rate + burst in any second: that share of the limit
            ceiling = (overall or 0) * overall_safety - burst
        # A 429 means our rate met the limit as the server counts it (arrivals bunch up on a
        # busy machine or network): the rate goes down by SLOWER, at most to FLOOR of the
        # limit, and creeps back up by FASTER for each RECOVER seconds without one.
        self.ceiling, self.floor = ceiling, min(ceiling, (overall or 0) * FLOOR)
        self._slowed_at = start
        self.overall = TokenBucket(ceiling, burst, start) if overall else None
        self.bulk = TokenBucket(ceiling * bulk_share, burst, start) if overall else None
        self.per_chat = per_chat * safety if per_chat else None
        self.chat_burst = chat_burst
        self.group_per_minute = group_per_minute
        self.group_window = 60.0 / safety  # a margin: the server's minute starts before ours
        self.paused_until = 0.0
        self._chats: dict[str, TokenBucket] = {}
        self._groups: dict[str, SlidingWindow] = {}
        self._next_prune = start + 60.0

    @property
    def unlimited(self) -> bool:
        return self.overall is None and self.per_chat is None and not self.group_per_minute

    @staticmethod
    def is_group(address: str) -> bool:
        return address.startswith("-")  # Telegram group and supergroup ids are negative

    def pause(self, seconds: float) -> None:
        """The channel told us to wait (Telegram 429 retry_after): nobody sends until then,
        and then a little slower."""
        now = self.now()
        if now >= self.paused_until:  # one slow-down per flood wait, however many 429s
            self._set_rate(max(self.floor, (self.overall.rate if self.overall else 0) * SLOWER))
            self._slowed_at = now
        self.paused_until = max(self.paused_until, now + max(0.0, seconds))

    def _set_rate(self, rate: float) -> None:
        if self.overall is not None and self.bulk is not None:
            self.overall._refill(self.now())  # noqa: SLF001 (tokens so far at the old rate)
            self.bulk._refill(self.now())  # noqa: SLF001
            self.overall.rate, self.bulk.rate = rate, rate * self.bulk_share

    def _recover(self, now: float) -> None:
        slow = self.overall is not None and self.overall.rate < self.ceiling
        if slow and now - self._slowed_at >= RECOVER:
            self._set_rate(min(self.ceiling, self.overall.rate * FASTER))
            self._slowed_at = now

    def pause_delay(self) -> float:
        return max(0.0, self.paused_until - self.now())

    def chat_delay(self, address: str) -> float:
        """Seconds until this chat may get its next message."""
        now = self.now()
        if self.group_per_minute and self.is_group(address):
            window = self._groups.get(address)
            return window.delay(now) if window else 0.0
        if self.per_chat and not self.is_group(address):
            bucket = self._chats.get(address)
            return bucket.delay(now) if bucket else 0.0
        return 0.0

    def overall_delay(self, kind: str, replies_waiting: bool) -> float:
        """Seconds until a message of `kind` may go, counting the pause and bulk's share."""
        now = self.now()
        delay = max(0.0, self.paused_until - now)
        if self.overall is not None:
            delay = max(delay, self.overall.delay(now))
            if kind != "reply" and replies_waiting and self.bulk is not None:
                delay = max(delay, self.bulk.delay(now))
        return delay

    def take(self, address: str, kind: str) -> None:
        """Count one send (call only when both delays are 0)."""
        now = self.now()
        if self.overall is not None:
            self._recover(now)
            self.overall.take(now)
            if kind != "reply" and self.bulk is not None and self.bulk.delay(now) == 0:
                self.bulk.take(now)
        if self.group_per_minute and self.is_group(address):
            window = self._groups.setdefault(
                address, SlidingWindow(self.group_per_minute, self.group_window)
            )
            window.take(now)
        elif self.per_chat and not self.is_group(address):
            bucket = self._chats.get(address)
            if bucket is None:
                bucket = self._chats[address] = TokenBucket(self.per_chat, self.chat_burst, now)
            bucket.take(now)
        if now >= self._next_prune:
            self._prune(now)

    def _prune(self, now: float) -> None:
        """Forget chats that are back to a full bucket, so memory follows active chats only."""
        self._next_prune = now + 60.0
        self._chats = {a: b for a, b in self._chats.items() if not b.idle(now)}
        self._groups = {a: w for a, w in self._groups.items() if w.delay(now) or w.times}

    async def wait(self, address: str, kind: str) -> None:
        """Wait until one send may go, then count it (the one-at-a-time path of `drain`)."""
        import asyncio

        while True:
            delay = max(self.chat_delay(address), self.overall_delay(kind, False))
            if delay <= 0:
                self.take(address, kind)
                return
            await asyncio.sleep(delay)


def limits_for(channel: str, settings: Settings) -> ChannelLimits:
    """The limits of a channel by name; channels with none (the console) are unlimited."""
    if channel == "telegram":
        return ChannelLimits(
            overall=settings.telegram_rate_overall,
            per_chat=settings.telegram_rate_per_chat,
            chat_burst=settings.telegram_chat_burst,
            group_per_minute=settings.telegram_group_per_minute,
            bulk_share=settings.bulk_share_when_replies_wait,
            safety=settings.rate_safety,
            overall_safety=settings.rate_safety_overall,
        )
    if channel == "whatsapp":
        return ChannelLimits(
            overall=settings.whatsapp_rate,
            bulk_share=settings.bulk_share_when_replies_wait,
            safety=settings.rate_safety,
        )
    return ChannelLimits()
