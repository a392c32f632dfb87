"""The post-meeting reflection: did you try it in class, how did students respond, what support.

Training without follow-up in the classroom rarely changes teaching, so every attendee is
asked shortly after a meeting (settings.reflection_delay_hours after its end, moved out of
the quiet hours), reminded once after 48 hours, and may answer late for 7 days. A row per
attendee and meeting is created when the question is queued: it is the record that they
were asked, the place their answers go, and what makes a retried job ask nobody twice.

The first two questions are standalone buttons (`a:rf:<meeting>:t:<0|1>`,
`a:rf:<meeting>:s:<1..5>`), so they still work days later; a teacher who has not tried
the practice yet is not asked how students responded.

Questions and reminders keep school time: one that falls on a holiday or in a break
(kkgbot.school_calendar) is sent at the same hour of the next school day, and the 7 days
to answer count from then.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg, Person
from kkgbot.delivery.keys import idempotency_key
from kkgbot.meetings.models import Attendance, Meeting
from kkgbot.meetings.notify import short_when
from kkgbot.meetings.service import ends_at
from kkgbot.messages import NO, YES, Choice, MessageKind
from kkgbot.monitoring.models import Reflection
from kkgbot.people import messaging, roles
from kkgbot.people.messaging import Recipient, after_quiet_hours
from kkgbot.school_calendar.calendar import MAX_SHIFT_DAYS, Calendars

log = logging.getLogger(__name__)
REMIND_AFTER = timedelta(hours=48)
SHIFT_BACK = timedelta(days=MAX_SHIFT_DAYS)
OPEN_FOR = timedelta(days=7)
SCALE = (1, 2, 3, 4, 5)
MAX_SUPPORT = 500
NOTHING_WORDS = {"-", "tidak ada", "tidak", "nggak", "gak ada", "none", "nothing", "no", "n/a"}


class ReflectionError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def deadline(row: Reflection) -> datetime:
    return row.asked_at + OPEN_FOR


def is_open(row: Reflection, now: datetime) -> bool:
    return row.asked_at <= now < deadline(row)


# --- Texts and buttons ------------------------------------------------------------------


def meeting_label(meeting: Meeting, kkg: Kkg, lang: str) -> str:
    return i18n.t(lang, "monitoring.rf_meeting", title=meeting.title, when=short_when(
        meeting, kkg, lang))  # fmt: skip


def tried_question(meeting: Meeting, kkg: Kkg, lang: str, *, head: str | None = None) -> str:
    parts = [head] if head else []
    parts.append(i18n.t(lang, "monitoring.rf_intro", meeting=meeting_label(meeting, kkg, lang)))
    parts.append(i18n.t(lang, "monitoring.rf_q_tried"))
    return "\n\n".join(parts)


def tried_choices(meeting_id: int, lang: str) -> list[Choice]:
    return [
        Choice.act(
            i18n.t(lang, "monitoring.rf_yes"),
            "rf",
            meeting_id,
            "t",
            "1",
            meaning=YES,
            words=i18n.word_list("monitoring.rf_yes_words"),
        ),
        Choice.act(
            i18n.t(lang, "monitoring.rf_not_yet"),
            "rf",
            meeting_id,
            "t",
            "0",
            meaning=NO,
            words=i18n.word_list("monitoring.rf_not_yet_words"),
        ),
    ]


def students_choices(meeting_id: int, lang: str) -> list[Choice]:
    return [
        Choice.act(
            i18n.t(lang, f"monitoring.rf_scale.{n}"),
            "rf",
            meeting_id,
            "s",
            n,
            words=i18n.word_list(f"monitoring.rf_scale.{n}"),
        )
        for n in SCALE
    ]


# --- Asking and reminding (scheduled) ---------------------------------------------------


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
        for person_id in new:
            asked += await _ask_one(session, meeting, kkg, person_id, due, now)
    return asked


async def _recipient(session: AsyncSession, person_id: int, kkg: Kkg) -> Recipient | None:
    person = await session.get(Person, person_id)
    if person is None or person.onboarded_at is None or person.erased_at is not None:
        return None
    return Recipient(person_id, person.language or i18n.DEFAULT, kkg.timezone)


async def _ask_one(session, meeting: Meeting, kkg: Kkg, person_id: int, due, now) -> int:
    recipient = await _recipient(session, person_id, kkg)
    if recipient is None:
        return 0
    when = after_quiet_hours(max(due, now), kkg.timezone)
    session.add(
        Reflection(meeting_id=meeting.id, person_id=person_id, kkg_id=kkg.id, asked_at=when)
    )
    await session.flush()
    await messaging.send(
        session,
        recipient,
        lambda lang: tried_question(meeting, kkg, lang),
        key=idempotency_key("reflection", ("meeting", meeting.id), ("person", person_id)),
        now=now,
        at=when,
        choices=lambda lang: tried_choices(meeting.id, lang),
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
            choices=lambda lang, r=row: next_choices(r, lang),
            about=MessageKind.POLL,
        )
    return sent


def reminder_text(row: Reflection, meeting: Meeting, kkg: Kkg, lang: str, days: int) -> str:
    head = i18n.t(lang, "monitoring.rf_reminder", days=days)
    if row.tried:
        return "\n\n".join([head, meeting_label(meeting, kkg, lang), i18n.t(
            lang, "monitoring.rf_q_students")])  # fmt: skip
    return tried_question(meeting, kkg, lang, head=head)


def next_choices(row: Reflection, lang: str) -> list[Choice]:
    if row.tried:
        return students_choices(row.meeting_id, lang)
    return tried_choices(row.meeting_id, lang)


# --- Answers ------------------------------------------------------------------------------


async def row_for(session: AsyncSession, meeting_id: int, person_id: int, now: datetime):
    """The person's open report for a meeting, or a reason why there is none."""
    row = await session.scalar(
        select(Reflection).where(
            Reflection.meeting_id == meeting_id, Reflection.person_id == person_id
        )
    )
    if row is None or row.asked_at > now:
        raise ReflectionError("monitoring.rf_not_yours")
    if now >= deadline(row):
        meeting = await session.get(Meeting, meeting_id)
        raise ReflectionError("monitoring.rf_closed", title=meeting.title if meeting else "")
    return row


async def set_tried(session, meeting_id: int, person_id: int, tried: bool, now) -> Reflection:
    row = await row_for(session, meeting_id, person_id, now)
    row.tried = tried
    if tried:
        if row.student_response is None:
            row.answered_at = None
    else:
        row.student_response = None
        row.answered_at = row.answered_at or now
    return row


async def set_students(session, meeting_id: int, person_id: int, score: int, now) -> Reflection:
    if score not in SCALE:
        raise ReflectionError("monitoring.rf_pick_scale")
    row = await row_for(session, meeting_id, person_id, now)
    if not row.tried:
        raise ReflectionError("monitoring.rf_tried_first")
    row.student_response = score
    row.answered_at = row.answered_at or now
    return row


def clean_support(text: str) -> str | None:
    """The support request as typed, or None for "nothing" (`-`, `tidak ada`)."""
    text = " ".join(str(text).split())
    if len(text) > MAX_SUPPORT:
        raise ReflectionError("monitoring.rf_support_long", max=MAX_SUPPORT)
    if text.casefold().strip(".! ") in NOTHING_WORDS:
        return None
    if len(re.findall(r"\w", text)) < 3:
        raise ReflectionError("monitoring.rf_support_words")
    return text


async def set_support(session, meeting_id: int, person_id: int, text: str | None, now) -> None:
    row = await row_for(session, meeting_id, person_id, now)
    if text:
        row.support_text, row.support_at, row.support_listed_at = text, now, None


async def pending_for(session: AsyncSession, person_id: int, now: datetime) -> list[Reflection]:
    """Open reports still missing the required answers, oldest meeting first."""
    rows = await session.scalars(
        select(Reflection)
        .where(
            Reflection.person_id == person_id,
            Reflection.answered_at.is_(None),
            Reflection.asked_at <= now,
            Reflection.asked_at > now - OPEN_FOR,
        )
        .order_by(Reflection.asked_at, Reflection.id)
    )
    return list(rows)


# --- The weekly support list to the koordinator -----------------------------------------


async def support_list(session: AsyncSession, kkg_id: int, *, since: datetime | None = None):
    """(name, meeting title, text) of support requests not yet listed (or since a moment)."""
    query = (
        select(Person.name, Meeting.title, Reflection.support_text, Reflection)
        .join(Person, Person.id == Reflection.person_id)
        .join(Meeting, Meeting.id == Reflection.meeting_id)
        .where(Reflection.kkg_id == kkg_id, Reflection.support_text.is_not(None))
        .order_by(Reflection.support_at, Reflection.id)
    )
    if since is None:
        query = query.where(Reflection.support_listed_at.is_(None))
    else:
        query = query.where(Reflection.support_at >= since)
    return list((await session.execute(query)).all())


async def send_support_list(session: AsyncSession, kkg: Kkg, slot: datetime, now: datetime) -> int:
    rows = await support_list(session, kkg.id)
    if not rows:
        return 0
    koordinators = await roles.koordinators_of(session, kkg.id)
    lines = [(name or "—", title, text) for name, title, text, _ in rows]
    sent = 0
    for person in koordinators:
        recipient = Recipient(person.id, person.language or i18n.DEFAULT, kkg.timezone)
        sent += await messaging.send(
            session,
            recipient,
            lambda lang: support_text(lang, kkg.name, lines),
            key=idempotency_key(
                "support-list",
                ("kkg", kkg.id),
                ("person", person.id),
                ("slot", slot.strftime("%Y%m%d")),
            ),  # fmt: skip
            now=now,
            about=MessageKind.POLL,
        )
    for *_, row in rows:
        row.support_listed_at = now
    return sent


def support_text(lang: str, kkg_name: str, lines: list[tuple[str, str, str]]) -> str:
    out = [i18n.t(lang, "monitoring.support_head", kkg=kkg_name, count=len(lines))]
    for name, title, text in lines:
        out.append(i18n.t(lang, "monitoring.support_line", name=name, title=title, text=text))
    out.append(i18n.t(lang, "monitoring.support_foot"))
    return "\n".join(out)
