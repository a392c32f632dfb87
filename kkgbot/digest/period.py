"""The digest's period: the last seven days and the Indonesian school term so far.

Shared by the figures of every part of the digest and by the exports, so "this term"
means the same thing in a supervisor's digest and in the spreadsheet a koordinator files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Period:
    now: datetime
    week_start: datetime
    term_start: datetime
    term_end: datetime
    zone: str


def term_bounds(now: datetime, zone: str) -> tuple[datetime, datetime]:
    local = now.astimezone(ZoneInfo(zone))
    first = date(local.year, 1 if local.month <= 6 else 7, 1)
    nxt = date(local.year, 7, 1) if local.month <= 6 else date(local.year + 1, 1, 1)
    tz = ZoneInfo(zone)
    return datetime.combine(first, time(0), tz), datetime.combine(nxt, time(0), tz)


def period_for(now: datetime, zone: str) -> Period:
    start, end = term_bounds(now, zone)
    return Period(now, now - WEEK, start, end, zone)


def between(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


def count_if(condition) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
