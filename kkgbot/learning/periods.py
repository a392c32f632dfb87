"""A dated lesson schedule (Ramadan): different days and time from one date to another.

During Ramadan teachers break the fast at maghrib and pray tarawih, so the usual 19:00
lesson lands at the worst moment. A koordinator sets the period once
(`/materi ramadan 18/2/2026 19/3/2026; Senin, Rabu; 21.00`); after its last day the
usual schedule applies again without anyone remembering to switch it back.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import dateparse_words as words
from kkgbot import i18n
from kkgbot.db import audit
from kkgbot.db.models import Kkg
from kkgbot.learning.models import LessonSchedule, LessonSchedulePeriod
from kkgbot.learning.schedule import (
    DEFAULT,
    ScheduleError,
    Slots,
    parse_days,
    parse_time,
    period_slots,
)

MAX_PERIOD_DAYS = 45  # Ramadan and a few days either side
CLEAR_WORDS = {"batal", "hapus", "selesai", "off", "cancel", "clear", "stop"}


def parse_date(text: str) -> date:
    """`2027-02-08`, `8/2/2027`, `8-2-2027`, `8 Februari 2027`, `8 feb 2027`."""
    s = " ".join(str(text).casefold().split())
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", s):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if (m := re.fullmatch(r"(\d{1,2}) ([a-z]+)\.? (\d{4})", s)) and (
            month := words.MONTHS.get(m.group(2))
        ):
            return date(int(m.group(3)), month, int(m.group(1)))
    except ValueError:
        pass
    raise ScheduleError("learning.period_bad_date", date=str(text)[:30])


def parse_request(text: str) -> tuple[date, date, Slots] | None:
    """`<from> <to>; <days>; <time>` (dates may also be joined by `-`, `s.d.`, `sampai`).
    None means "remove the period" (`batal`)."""
    if " ".join(text.casefold().split()) in CLEAR_WORDS:
        return None
    parts = [p.strip() for p in text.split(";")]
    if len(parts) != 3:
        raise ScheduleError("learning.period_usage")
    span = re.split(r"\s+(?:-|–|s\.?d\.?|sampai|hingga|to|until)\s+", parts[0], maxsplit=1)
    if len(span) != 2:
        tokens = parts[0].split()
        if len(tokens) != 2:
            raise ScheduleError("learning.period_usage")
        span = tokens
    first, last = parse_date(span[0]), parse_date(span[1])
    hour, minute = parse_time(parts[2])
    return first, last, Slots(parse_days(parts[1]), hour, minute)


def check_span(first: date, last: date, now: datetime, tz: str) -> None:
    today = now.astimezone(ZoneInfo(tz)).date()
    if last < first:
        raise ScheduleError("learning.period_backwards")
    if last < today:
        raise ScheduleError("learning.period_past")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ScheduleError("learning.period_too_long", days=MAX_PERIOD_DAYS)


async def period_of(session: AsyncSession, kkg_id: int) -> LessonSchedulePeriod | None:
    return await session.get(LessonSchedulePeriod, kkg_id)


async def set_period(
    session: AsyncSession,
    *,
    kkg: Kkg,
    first: date,
    last: date,
    slots: Slots,
    actor_id: int | None,
    now: datetime,
) -> None:
    """Replaces any earlier period; slots before `now` are not sent afterwards."""
    check_span(first, last, now, kkg.timezone)
    row = await session.get(LessonSchedulePeriod, kkg.id)
    if row is None:
        row = LessonSchedulePeriod(kkg_id=kkg.id, starts_on=first, ends_on=last, updated_at=now)
        session.add(row)
    row.starts_on, row.ends_on = first, last
    row.days, row.hour, row.minute = ",".join(slots.days), slots.hour, slots.minute
    row.updated_at, row.updated_by_id = now, actor_id
    await _from_now(session, kkg, now)
    audit.record(
        session,
        at=now,
        action="lessons.period",
        actor_person_id=actor_id,
        kkg_id=kkg.id,
        details={"from": str(first), "to": str(last), "days": row.days, "hour": row.hour},
    )
    await session.flush()


async def clear_period(session: AsyncSession, *, kkg: Kkg, actor_id: int | None, now) -> bool:
    row = await session.get(LessonSchedulePeriod, kkg.id)
    if row is None:
        return False
    await session.delete(row)
    await _from_now(session, kkg, now)
    audit.record(
        session, at=now, action="lessons.period_clear", actor_person_id=actor_id, kkg_id=kkg.id
    )
    await session.flush()
    return True


async def _from_now(session: AsyncSession, kkg: Kkg, now: datetime) -> None:
    """A changed schedule applies from now on: earlier slots are not sent afterwards."""
    row = await session.get(LessonSchedule, kkg.id)
    if row is None:
        row = LessonSchedule(
            kkg_id=kkg.id,
            days=",".join(DEFAULT.days),
            hour=DEFAULT.hour,
            minute=DEFAULT.minute,
            updated_at=now,
        )
        session.add(row)
    row.last_slot_at = max(row.last_slot_at or now, now)


def describe(period: LessonSchedulePeriod, lang: str, tz: str) -> str:
    """`18 Februari 2026 – 19 Maret 2026: Senin dan Rabu, pukul 21.00 WITA`."""
    return i18n.t(
        lang,
        "learning.period_line",
        first=_day(period.starts_on, lang),
        last=_day(period.ends_on, lang),
        slots=period_slots(period).describe(lang, tz),
    )


def _day(day: date, lang: str) -> str:
    names = words.MONTH_NAMES_ID if lang == "id" else words.MONTH_NAMES_EN
    return f"{day.day} {names[day.month - 1]} {day.year}"
