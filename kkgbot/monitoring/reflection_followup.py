"""Asking for the reflection right after a meeting, and the one reminder: scheduled work.

Training without follow-up in the classroom rarely changes teaching, so every attendee is
asked what they will try shortly after a meeting (settings.reflection_delay_hours after its end, moved out of
the quiet hours), reminded once after 48 hours, and may answer late for 7 days. A row per
attendee and meeting is created when the question is queued: it is the record that they
were asked, the place their answers go, and what makes a retried job ask nobody twice;
it also records when "tried it in class?" is due (`classroom_followup`).

Questions and reminders keep school time: one that falls on a holiday or in a break
(kkgbot.school_calendar) is sent at the same hour of the next school day, and the 7 days
to answer count from then.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg, Person
from kkgbot.delivery.keys import idempotency_key
from kkgbot.meetings.models import Attendance, Meeting
from kkgbot.meetings.service import ends_at
from kkgbot.messages import Choice, MessageKind
from kkgbot.monitoring.classroom_followup import followup_due
from kkgbot.monitoring.models import Reflection
from kkgbot.monitoring.reflections import (
    OPEN_FOR,
    deadline,
    meeting_label,
    plan_choices,
    plan_question,
    useful_choices,
)
from kkgbot.people import messaging
from kkgbot.people.messaging import Recipient, after_quiet_hours
from kkgbot.school_calendar.calendar import MAX_SHIFT_DAYS, Calendars

REMIND_AFTER = timedelta(hours=48)
SHIFT_BACK = timedelta(days=MAX_SHIFT_DAYS)


async def _due(session: AsyncSession, calendars: Calendars, meeting: Meeting, delay) -> datetime:
    """When the question goes: `delay` after the end, moved to the next school day if off."""
    kkg = await session.get(Kkg, meeting.kkg_id)
    due = ends_at(meeting) + delay
    return due if kkg is None else (await calendars.kkg(kkg)).shift(due, kkg.timezone)


async def _meetings_to_ask(session: AsyncSession, now: datetime, delay: timedelta):
    """Meetings whose reflection is due by `now` and still open, with when it was due."""
    oldest = now - OPEN_FOR - delay - timedelta(days=2) - SHIFT_BACK  # a meeting: at most a day
    rows = await session.scalars(
        select(Meeting)
        .where(
            Meeting.cancelled_at.is_(None), Meeting.starts_at >= oldest, Meeting.starts_at <= now
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    calendars = Calendars(session)
    out = []
    for meeting in rows:
        if ends_at(meeting) + delay > now:
            continue
        due = await _due(session, calendars, meeting, delay)
        if due <= now < due + OPEN_FOR:
            out.append((meeting, due))
    return out


async def next_ask_due(session: AsyncSession, after: datetime, delay: timedelta) -> datetime | None:
    rows = await session.scalars(
        select(Meeting)
        .where(
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at > after - delay - timedelta(days=2) - SHIFT_BACK,
        )
        .order_by(Meeting.starts_at)
        .limit(50)
    )
    calendars = Calendars(session)
    times = []
    for meeting in rows:
        if ends_at(meeting) + delay + SHIFT_BACK < after:
            continue
        due = await _due(session, calendars, meeting, delay)
        if due > after:
            times.append(due)
    return min(times, default=None)


async def ask_due(session: AsyncSession, now: datetime, delay: timedelta) -> int:
    """Attendees of meetings whose time has come (or who were marked present since) are asked."""
    asked = 0
    for meeting, due in await _meetings_to_ask(session, now, delay):
        new = list(
            await session.scalars(
                select(Attendance.person_id)
                .outerjoin(
                    Reflection,
                    (Reflection.meeting_id == Attendance.meeting_id)
                    & (Reflection.person_id == Attendance.person_id),
                )
                .where(Attendance.meeting_id == meeting.id, Reflection.id.is_(None))
                .order_by(Attendance.person_id)
            )
        )
        if not new:
            continue
        kkg = await session.get(Kkg, meeting.kkg_id)
        assert kkg is not None
        later = await followup_due(session, meeting, kkg)
        for person_id in new:
            asked += await _ask_one(session, meeting, kkg, person_id, (due, later), now)
    return asked


async def _recipient(session: AsyncSession, person_id: int, kkg: Kkg) -> Recipient | None:
    person = await session.get(Person, person_id)
    if person is None or person.onboarded_at is None or person.erased_at is not None:
        return None
    return Recipient(person_id, person.language or i18n.DEFAULT, kkg.timezone)


async def _ask_one(session, meeting: Meeting, kkg: Kkg, person_id: int, times, now) -> int:
    """`times`: when the first question is due, and when "tried it in class?" is."""
    due, later = times
    recipient = await _recipient(session, person_id, kkg)
    if recipient is None:
        return 0
    when = after_quiet_hours(max(due, now), kkg.timezone)
    session.add(
        Reflection(
            meeting_id=meeting.id,
            person_id=person_id,
            kkg_id=kkg.id,
            asked_at=when,
            followup_due_at=max(later, when + timedelta(hours=1)),
        )  # fmt: skip
    )
    await session.flush()
    await messaging.send(
        session,
        recipient,
        lambda lang: plan_question(meeting, kkg, lang),
        key=idempotency_key("reflection", ("meeting", meeting.id), ("person", person_id)),
        now=now,
        at=when,
        choices=lambda lang: plan_choices(meeting, lang),
        about=MessageKind.POLL,
    )
    return 1


def _unanswered_unreminded():
    return (Reflection.answered_at.is_(None), Reflection.reminded_at.is_(None))


async def _remind_at(session: AsyncSession, calendars: Calendars, row: Reflection) -> datetime:
    kkg = await session.get(Kkg, row.kkg_id) if row.kkg_id is not None else None
    due = row.asked_at + REMIND_AFTER
    return due if kkg is None else (await calendars.kkg(kkg)).shift(due, kkg.timezone)


async def next_remind_due(session: AsyncSession, after: datetime) -> datetime | None:
    rows = await session.scalars(
        select(Reflection)
        .where(*_unanswered_unreminded(), Reflection.asked_at > after - REMIND_AFTER - SHIFT_BACK)
        .order_by(Reflection.asked_at)
        .limit(50)
    )
    calendars = Calendars(session)
    times = [t for row in rows if (t := await _remind_at(session, calendars, row)) > after]
    return min(times, default=None)


async def remind_due(session: AsyncSession, now: datetime) -> int:
    """One reminder, 48 hours after the question, to those who have not answered (not later
    than the 7 days: a reminder found after that is dropped, the report is closed)."""
    rows = list(
        await session.scalars(
            select(Reflection)
            .where(*_unanswered_unreminded(), Reflection.asked_at <= now - REMIND_AFTER)
            .order_by(Reflection.asked_at, Reflection.id)
        )
    )
    sent = 0
    calendars = Calendars(session)
    for row in rows:
        if now < deadline(row) and await _remind_at(session, calendars, row) > now:
            continue  # its day is a holiday: it goes on the next school day
        row.reminded_at = now
        if now >= deadline(row):
            continue
        meeting = await session.get(Meeting, row.meeting_id)
        kkg = await session.get(Kkg, row.kkg_id)
        recipient = await _recipient(session, row.person_id, kkg) if kkg else None
        if meeting is None or kkg is None or recipient is None:
            continue
        days = max(1, (deadline(row) - after_quiet_hours(now, kkg.timezone)).days)
        sent += await messaging.send(
            session,
            recipient,
            lambda lang, r=row, m=meeting, k=kkg, d=days: reminder_text(r, m, k, lang, d),
            key=idempotency_key(
                "reflection-reminder", ("meeting", row.meeting_id), ("person", row.person_id)
            ),  # fmt: skip
            now=now,
            choices=lambda lang, r=row, m=meeting: next_choices(r, m, lang),
            about=MessageKind.POLL,
        )
    return sent


def reminder_text(row: Reflection, meeting: Meeting, kkg: Kkg, lang: str, days: int) -> str:
    head = i18n.t(lang, "monitoring.rf_reminder", days=days)
    if row.plan_practice or row.plan_text:
        return "\n\n".join([head, meeting_label(meeting, kkg, lang), i18n.t(
            lang, "monitoring.rf_q_useful")])  # fmt: skip
    return plan_question(meeting, kkg, lang, head=head)


def next_choices(row: Reflection, meeting: Meeting, lang: str) -> list[Choice]:
    if row.plan_practice or row.plan_text:
        return useful_choices(row.meeting_id, lang)
    return plan_choices(meeting, lang)
