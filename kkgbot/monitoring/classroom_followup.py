""" "Sudah mencoba di kelas?": the reflection's second moment, after school days.

A practice can only be tried in class on a school day, so the question goes on the third
school day after the meeting at 15:00 in the KKG's zone (after lessons), counting the
KKG's school week (`Kkg.school_week_days`: 5 is Monday-Friday, 6 includes Saturday) and
skipping holidays and breaks (kkgbot.school_calendar). The moment is written on the
reflection row when the first question is queued (`followup_due_at`), so a restart asks
nobody twice. A teacher who answers "not yet" is asked once more five school days later
(`followup_again_at`); each ask stays open 7 days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg, Person
from kkgbot.delivery.keys import idempotency_key
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.service import ends_at
from kkgbot.messages import MessageKind
from kkgbot.monitoring.models import Reflection
from kkgbot.monitoring.reflections import OPEN_FOR, tried_choices, tried_question
from kkgbot.people import messaging
from kkgbot.people.messaging import Recipient, after_quiet_hours
from kkgbot.school_calendar.calendar import MAX_SHIFT_DAYS, Calendars, SchoolCalendar

SCHOOL_DAYS_AFTER = 3  # the question goes on the third school day after the meeting
AGAIN_AFTER = 5  # "not yet": asked once more five school days later
HOUR = time(15, 0)  # after lessons, in the KKG's zone
LOOK_BACK = timedelta(days=MAX_SHIFT_DAYS + 30)


def nth_school_day(cal: SchoolCalendar, start: date, n: int, week_days: int) -> date:
    """The n-th school day after `start`: a weekday inside the school week, not off."""
    day, counted = start, 0
    for _ in range(MAX_SHIFT_DAYS + 7 * n):
        day += timedelta(days=1)
        if day.weekday() < week_days and cal.off(day) is None:
            counted += 1
            if counted == n:
                break
    return day


def _at(day: date, tz: str) -> datetime:
    return datetime.combine(day, HOUR, tzinfo=ZoneInfo(tz)).astimezone(UTC)


async def followup_due(session: AsyncSession, meeting: Meeting, kkg: Kkg) -> datetime:
    cal = await Calendars(session).kkg(kkg)
    local = ends_at(meeting).astimezone(ZoneInfo(kkg.timezone)).date()
    day = nth_school_day(cal, local, SCHOOL_DAYS_AFTER, kkg.school_week_days or 6)
    return _at(day, kkg.timezone)


async def _again_due(calendars: Calendars, kkg: Kkg, row: Reflection) -> datetime:
    cal = await calendars.kkg(kkg)
    assert row.followup_at is not None
    local = row.followup_at.astimezone(ZoneInfo(kkg.timezone)).date()
    return _at(nth_school_day(cal, local, AGAIN_AFTER, kkg.school_week_days or 6), kkg.timezone)


def _first_waiting():
    return Reflection.followup_due_at.is_not(None), Reflection.followup_at.is_(None)


def _again_waiting(now: datetime):
    return (
        Reflection.tried.is_(False),
        Reflection.followup_again_at.is_(None),
        Reflection.followup_at.is_not(None),
        Reflection.followup_at > now - LOOK_BACK,
    )


async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
    first = await session.scalar(
        select(Reflection.followup_due_at)
        .where(*_first_waiting(), Reflection.followup_due_at > after)
        .order_by(Reflection.followup_due_at)
        .limit(1)
    )
    times = [first] if first is not None else []
    rows = await session.scalars(select(Reflection).where(*_again_waiting(after)).limit(200))
    calendars = Calendars(session)
    for row in rows:
        kkg = await session.get(Kkg, row.kkg_id)
        if kkg is not None and (due := await _again_due(calendars, kkg, row)) > after:
            times.append(due)
    return min(times, default=None)


async def _send(session, row: Reflection, now: datetime, again: bool) -> int:
    meeting = await session.get(Meeting, row.meeting_id)
    kkg = await session.get(Kkg, row.kkg_id)
    person = await session.get(Person, row.person_id)
    if meeting is None or kkg is None or person is None or person.onboarded_at is None:
        return 0
    if person.erased_at is not None:
        return 0
    recipient = Recipient(person.id, person.language or i18n.DEFAULT, kkg.timezone)
    head = (lambda lang: i18n.t(lang, "monitoring.rf_again")) if again else (lambda lang: None)
    return await messaging.send(
        session,
        recipient,
        lambda lang: tried_question(row, meeting, kkg, lang, head=head(lang)),
        key=idempotency_key(
            "reflection-followup-again" if again else "reflection-followup",
            ("meeting", row.meeting_id),
            ("person", row.person_id),
        ),  # fmt: skip
        now=now,
        at=after_quiet_hours(now, kkg.timezone),
        choices=lambda lang: tried_choices(row.meeting_id, lang),
        about=MessageKind.POLL,
    )


async def ask_due(session: AsyncSession, now: datetime) -> int:
    """Those whose follow-up is due are asked; a "not yet" once more after five school days.
    A question found more than 7 days late is dropped (the moment has passed)."""
    sent = 0
    rows = await session.scalars(
        select(Reflection)
        .where(*_first_waiting(), Reflection.followup_due_at <= now)
        .order_by(Reflection.followup_due_at, Reflection.id)
    )
    for row in list(rows):
        row.followup_at = now
        if now - row.followup_due_at < OPEN_FOR:
            sent += await _send(session, row, now, again=False)
    calendars = Calendars(session)
    rows = await session.scalars(select(Reflection).where(*_again_waiting(now)))
    for row in list(rows):
        kkg = await session.get(Kkg, row.kkg_id)
        if kkg is None or (due := await _again_due(calendars, kkg, row)) > now:
            continue
        row.followup_again_at = now
        if now - due < OPEN_FOR:
            row.tried_at = None  # "not yet" stands until they answer again
            sent += await _send(session, row, now, again=True)
    return sent
