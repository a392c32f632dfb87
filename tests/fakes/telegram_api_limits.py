"""Telegram's flood limits and transient faults, for the fake Bot API server.

Kept apart from the HTTP and method code so that the rules a sender is measured against can be
read on their own. Every check is O(1) amortised per request (deques and token buckets), so the
fake stays fast enough for broadcast benchmarks.

The numbers follow ``telegram.constants.FloodLimit``: about 30 messages/s overall, 1/s per
private chat (with a small burst), 20/min per group. Beyond them Telegram answers 429 with
``parameters.retry_after``, and while that flood wait lasts every send is refused.
"""

from __future__ import annotations

import math
import random
import re
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any, Literal

FAULT_KINDS: tuple[str, ...] = ("error_500", "retry_429", "drop_before", "drop_after")
"""What a faulty send can turn into: a 500, a spurious 429 (retry_after 1), or a dropped
connection before or after the message was accepted (the latter makes retries duplicate)."""

_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

DEFAULT_OVERALL_PER_SECOND = 30.0
DEFAULT_PER_CHAT_PER_SECOND = 1.0
DEFAULT_PER_CHAT_BURST = 3
DEFAULT_PER_GROUP_PER_MINUTE = 20


def _ceil_seconds(seconds: float) -> int:
    """Telegram's retry_after is a whole number of seconds and never 0."""
    return max(1, math.ceil(seconds - 1e-9))


class SlidingWindow:
    """At most ``capacity`` events in any ``window`` seconds; O(1) amortised per event."""

    __slots__ = ("capacity", "window", "_times")

    def __init__(self, capacity: int, window: float) -> None:
        self.capacity = capacity
        self.window = window
        self._times: deque[float] = deque()

    def wait_needed(self, now: float) -> float:
        """Seconds until one more event fits (0 if it fits now). Forgets expired events."""
        times = self._times
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.capacity:
            return 0.0
        return times[0] + self.window - now

    def add(self, now: float) -> None:
        self._times.append(now)


class TokenBucket:
    """``rate`` events per second on average, up to ``burst`` at once."""

    __slots__ = ("rate", "burst", "_tokens", "_last")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._tokens = float(self.burst)
        self._last = now

    def wait_needed(self, now: float) -> float:
        """Seconds until a token is available (0 if one is available now)."""
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
        self._last = now
        return 0.0 if self._tokens >= 1.0 else (1.0 - self._tokens) / self.rate

    def take(self) -> None:
        self._tokens -= 1.0


class FloodControl:
    """Decides whether a send is within Telegram's limits, and keeps the flood-wait penalty.

    All limits are off (``None``) by default. ``penalty_scope="bot"`` (the default) makes a
    breach of any limit refuse every send of the bot until the wait has passed, as the brief
    and Telegram's flood wait describe; ``"chat"`` limits the penalty of a per-chat or
    per-group breach to that chat (an overall breach always blocks the whole bot).
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.overall: float | None = None
        self.per_chat: float | None = None
        self.per_chat_burst: int = DEFAULT_PER_CHAT_BURST
        self.per_group_per_minute: int | None = None
        self.penalty_scope: Literal["bot", "chat"] = "bot"
        self.reset()

    def reset(self) -> None:
        """Forget all windows and penalties (limits themselves are kept)."""
        self._overall_window: SlidingWindow | None = None
        self._chat_buckets: dict[int, TokenBucket] = {}
        self._group_windows: dict[int, SlidingWindow] = {}
        self._penalty_until: dict[int | None, float] = {}

    def admit(self, chat_id: int, is_group: bool) -> int | None:
        """Count one send to ``chat_id`` and return None, or return the retry_after to answer.

        A refused send is not counted, so a client that waits as told gets through.
        """
        now = self._clock()
        for key in (None, chat_id):
            until = self._penalty_until.get(key)
            if until is not None:
                if now < until:
                    return _ceil_seconds(until - now)
                del self._penalty_until[key]

        overall = self._overall_limit(now)
        if overall is not None and (wait := overall.wait_needed(now)) > 0:
            return self._penalise(None, now, wait)
        bucket: TokenBucket | None = None
        group: SlidingWindow | None = None
        if is_group and self.per_group_per_minute:
            group = self._group_windows.get(chat_id)
            if group is None or group.capacity != self.per_group_per_minute:
                group = self._group_windows[chat_id] = SlidingWindow(
                    self.per_group_per_minute, 60.0
                )
            if (wait := group.wait_needed(now)) > 0:
                return self._penalise(chat_id, now, wait)
        elif not is_group and self.per_chat:
            bucket = self._chat_buckets.get(chat_id)
            if bucket is None or bucket.rate != self.per_chat:
                bucket = self._chat_buckets[chat_id] = TokenBucket(
                    self.per_chat, self.per_chat_burst, now
                )
            if (wait := bucket.wait_needed(now)) > 0:
                return self._penalise(chat_id, now, wait)

        if overall is not None:
            overall.add(now)
        if group is not None:
            group.add(now)
        if bucket is not None:
            bucket.take()
        return None

    def _overall_limit(self, now: float) -> SlidingWindow | None:
        """The overall window: ``overall`` per second, measured over max(1 s, 1/rate)."""
        if not self.overall:
            self._overall_window = None
            return None
        window = max(1.0, 1.0 / self.overall)
        capacity = max(1, int(self.overall * window + 1e-9))
        current = self._overall_window
        if current is None or current.capacity != capacity or current.window != window:
            current = self._overall_window = SlidingWindow(capacity, window)
        return current

    def _penalise(self, chat_id: int | None, now: float, wait: float) -> int:
        retry_after = _ceil_seconds(wait)
        key = None if self.penalty_scope == "bot" else chat_id
        self._penalty_until[key] = now + retry_after
        return retry_after


class FaultInjector:
    """Turns a seeded share of send requests into failures, reproducibly.

    Each send consumes random numbers only while ``rate > 0``, so two runs with the same seed
    and the same sequence of sends see the same faults.
    """

    def __init__(self, seed: int = 0) -> None:
        self.rate: float = 0.0
        self.kinds: dict[str, float] = dict.fromkeys(FAULT_KINDS, 1.0)
        self.seed = seed
        self._random = random.Random(seed)

    def reseed(self, seed: int) -> None:
        self.seed = seed
        self._random = random.Random(seed)

    def set_kinds(self, kinds: Mapping[str, float] | list[str] | tuple[str, ...]) -> None:
        """Choose which faults occur, as a list (equal weights) or a mapping of weights."""
        weights = dict(kinds) if isinstance(kinds, Mapping) else dict.fromkeys(kinds, 1.0)
        unknown = set(weights) - set(FAULT_KINDS)
        if unknown or not weights:
            raise ValueError(f"fault kinds must be a non-empty subset of {FAULT_KINDS}")
        self.kinds = weights

    def roll(self) -> str | None:
        """The fault for this request, or None for a healthy answer."""
        if self.rate <= 0 or self._random.random() >= self.rate:
            return None
        names = list(self.kinds)
        return self._random.choices(names, weights=[self.kinds[n] for n in names])[0]


def new_stats() -> dict[str, Any]:
    """The counters ``FakeTelegramServer.stats`` starts from."""
    return {
        "requests": 0,
        "accepted": {},  # canonical method name -> count of accepted requests
        "status_codes": {},  # HTTP status -> count (dropped connections have none)
        "429": 0,
        "403": 0,
        "5xx": 0,
        "drops_before": 0,
        "drops_after": 0,
    }


class ApiError(Exception):
    """An error answer in Telegram's shape; raised by the fake's method handlers."""

    def __init__(self, status: int, description: str, parameters: dict | None = None) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


# Content limits: Telegram refuses these with 400, and a bot that sends them has a bug that
# the tests should see rather than a fake that accepts anything.


def utf16_len(text: str) -> int:
    """Telegram measures text lengths and entity offsets in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def check_text(text: Any, limit: int, *, caption: bool = False) -> str | None:
    """Message text (required, <= 4096) or caption (optional, <= 1024)."""
    if text is None or text == "":
        if caption:
            return None
        raise ApiError(400, "Bad Request: message text is empty")
    if utf16_len(str(text)) > limit:
        what = "message caption" if caption else "message"
        raise ApiError(400, f"Bad Request: {what} is too long")
    return str(text)


def check_markup(markup: Any) -> dict[str, Any] | None:
    """A reply_markup object; callback_data is limited to 64 bytes."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            if len(str(button.get("callback_data", "")).encode()) > 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def check_commands(commands: Any) -> None:
    """setMyCommands: 1-32 lowercase letters, digits, underscores; description 1-256 chars."""
    if not isinstance(commands, list):
        raise ApiError(400, "Bad Request: can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.match(str(command.get("command", ""))):
            raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")


def check_secret(secret: Any) -> None:
    """setWebhook secret_token: 1-256 of A-Z a-z 0-9 _ -."""
    if secret and not _SECRET.match(str(secret)):
        raise ApiError(400, "Bad Request: secret token contains unallowed characters")
