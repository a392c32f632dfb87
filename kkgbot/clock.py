"""One source of time for the whole bot.

Production reads the system clock; the console and the tests move a simulated clock so
that reminders, lessons and digests due "tomorrow" run now, through the same code.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class MovableClock:
    """A clock that only moves when told to, and never backwards."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime.now(UTC)).astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        when = when.astimezone(UTC)
        if when > self._now:
            self._now = when

    def advance(self, delta: timedelta) -> None:
        if delta > timedelta(0):
            self._now += delta


def utc(dt: datetime) -> datetime:
    """Treat a naive datetime read back from SQLite as UTC (SQLite keeps no zone)."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
