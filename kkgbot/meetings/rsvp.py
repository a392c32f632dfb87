"""Answers (RSVP), check-in and attendance: who said they would come, and who came.

Attendance is what the digest, /profil and the monitoring self-report build on, so it is
recorded once per person and meeting whatever the route (code or roster), with the JP
the meeting is worth.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Kkg, Person, Role
from kkgbot.meetings import jp_rules
from kkgbot.meetings.models import (
    CHECKIN_CODE,
    CHECKIN_ROLE,
    CHECKIN_ROSTER,
    RSVP_NO,
    Attendance,
    Meeting,
    Rsvp,
)
from kkgbot.meetings.service import CHECKIN_OPENS, MeetingError, checkin_closes, ends_at
from kkgbot.people.kkgs import normalise_code
from kkgbot.people.permissions import KKG_MEMBER_ROLES
from kkgbot.understanding.codes import canonical


async def member_ids(session: AsyncSession, kkg_id: int) -> list[int]:
    rows = await session.scalars(
        select(Role.person_id)
        .join(Person, Person.id == Role.person_id)
        .where(Role.kkg_id == kkg_id, Role.role.in_(KKG_MEMBER_ROLES))
        .distinct()
    )
    return sorted(set(rows))


async def rsvp_of(session: AsyncSession, meeting_id: int, person_id: int) -> Rsvp | None:
    return await session.scalar(
        select(Rsvp).where(Rsvp.meeting_id == meeting_id, Rsvp.person_id == person_id)
    )


async def answers_of(
    session: AsyncSession, meeting_ids: list[int], person_id: int
) -> dict[int, str]:
    rows = await session.execute(
        select(Rsvp.meeting_id, Rsvp.answer).where(
            Rsvp.meeting_id.in_(meeting_ids), Rsvp.person_id == person_id
        )
    )
    return {meeting_id: answer for meeting_id, answer in rows}


async def set_answer(
    session: AsyncSession, meeting: Meeting, person_id: int, answer: str, now: datetime
) -> str | None:
    """Record the answer; returns the previous one (None for a first answer)."""
    if meeting.cancelled_at is not None:
        raise MeetingError("meetings.is_cancelled", title=meeting.title)
    if ends_at(meeting) <= now:
        raise MeetingError("meetings.rsvp_closed", title=meeting.title)
    if person_id not in await member_ids(session, meeting.kkg_id):
        raise MeetingError("meetings.not_your_kkg")
    row = await rsvp_of(session, meeting.id, person_id)
    if row is None:
        session.add(
            Rsvp(meeting_id=meeting.id, person_id=person_id, answer=answer, answered_at=now)
        )
        await session.flush()
        return None
    previous = row.answer
    if previous != answer:
        row.answer, row.answered_at = answer, now
        if answer != RSVP_NO:
            row.reason = row.reason_text = None
    return previous


async def set_reason(
    session: AsyncSession, meeting_id: int, person_id: int, reason: str, text: str | None
) -> bool:
    """The reason for declining; False when the person no longer declines."""
    row = await rsvp_of(session, meeting_id, person_id)
    if row is None or row.answer != RSVP_NO:
        return False
    row.reason, row.reason_text = reason, text
    return True


@dataclass(frozen=True)
class RosterRow:
    person_id: int
    name: str
    school: str | None
    answer: str | None
    reason: str | None
    reason_text: str | None
    checked_in_at: datetime | None
    method: str | None
    jp: int
    nip: str | None = None
    late_minutes: int | None = None


def held(meeting: Meeting, now: datetime) -> bool:
    """The meeting took place: not cancelled, and over."""
    return meeting.cancelled_at is None and ends_at(meeting) <= now


def present_by_role(meeting: Meeting) -> set[int]:
    """The koordinator who ran the meeting and its narasumber: present without checking in
    (they were busy running it), so the daftar hadir and certificates do not miss them."""
    return {p for p in (meeting.created_by_person_id, meeting.narasumber_person_id) if p}


async def record_present_by_role(session: AsyncSession, meeting: Meeting) -> int:
    """At the wrap-up: the koordinator who ran the meeting and its narasumber are recorded
    present (with the meeting's JP) unless already, so every count (the wrap-up, /profil,
    the digest) has them. Someone who has erased their data is left out."""
    present = set(await session.scalars(
        select(Attendance.person_id).where(Attendance.meeting_id == meeting.id)))  # fmt: skip
    wanted = present_by_role(meeting) - present
    if not wanted:
        return 0
    people = await session.scalars(
        select(Person.id).where(Person.id.in_(wanted), Person.erased_at.is_(None))
    )
    added = 0
    for pid in sorted(people):
        session.add(Attendance(meeting_id=meeting.id, person_id=pid, checked_in_at=meeting.starts_at,
                               method=CHECKIN_ROLE, jp=meeting.jp))  # fmt: skip
        added += 1
    await session.flush()
    return added


async def roster(
    session: AsyncSession, meeting: Meeting, now: datetime | None = None
) -> list[RosterRow]:
    """Every member, plus anyone who answered or attended and has left since, by name.
    Given `now`, a held meeting also counts its koordinator and narasumber as present."""
    ids = set(await member_ids(session, meeting.kkg_id))
    answers = {r.person_id: r for r in await session.scalars(
        select(Rsvp).where(Rsvp.meeting_id == meeting.id))}  # fmt: skip
    present = {a.person_id: a for a in await session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id))}  # fmt: skip
    if now is not None and held(meeting, now):
        for pid in present_by_role(meeting) - set(present):
            present[pid] = Attendance(person_id=pid, checked_in_at=meeting.starts_at,
                                      method=CHECKIN_ROLE, jp=meeting.jp)  # fmt: skip
    ids |= set(answers) | set(present)
    people = {p.id: p for p in await session.scalars(select(Person).where(Person.id.in_(ids)))}
    rows = []
    for pid in ids:
        person, answer, seen = people.get(pid), answers.get(pid), present.get(pid)
        if person is None:
            continue
        rows.append(
            RosterRow(
                person_id=pid,
                name=person.name or "—",
                school=person.school,
                answer=answer.answer if answer else None,
                reason=answer.reason if answer else None,
                reason_text=answer.reason_text if answer else None,
                checked_in_at=seen.checked_in_at if seen else None,
                method=seen.method if seen else None,
                jp=seen.jp if seen else 0,
                nip=person.nip,
                late_minutes=seen.late_minutes if seen else None,
            )
        )
    return sorted(rows, key=lambda r: (r.name.casefold(), r.person_id))


def window_open(meeting: Meeting, now: datetime) -> bool:
    return meeting.starts_at - CHECKIN_OPENS <= now <= checkin_closes(meeting)


async def has_open_window(session: AsyncSession, person_id: int, now: datetime) -> bool:
    """Whether a meeting of the person's KKGs takes check-ins now (a code typed alone is
    then a check-in)."""
    kkg_ids = select(Role.kkg_id).where(
        Role.person_id == person_id, Role.role.in_(KKG_MEMBER_ROLES)
    )
    soon = await session.scalars(
        select(Meeting).where(
            Meeting.kkg_id.in_(kkg_ids),
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at.between(now - CODES_LOOK_BACK, now + CHECKIN_OPENS),
        )
    )
    return any(window_open(m, now) for m in soon)


@dataclass(frozen=True)
class CheckIn:
    meeting: Meeting
    already: bool
    at: datetime
    late_minutes: int | None = None  # later than config/jp.yaml allows
    jp: int | None = None  # the JP credited (a latecomer's may be fewer than the meeting's)


CODES_LOOK_BACK = timedelta(days=60)  # a code read out at a meeting, typed late
CODES_LOOK_AHEAD = timedelta(days=7)


async def check_in(session: AsyncSession, person_id: int, code: str, now: datetime) -> CheckIn:
    """`/hadir KODE`: the code of a meeting of one of the person's KKGs, within its window.
    The code is compared through look-alikes (`376D8N` is `376DBN`), among the person's
    meetings of the last weeks and the next days."""
    code = normalise_code(code)
    if len(code) != 6:
        raise MeetingError("meetings.code_shape")
    kkg_ids = select(Role.kkg_id).where(
        Role.person_id == person_id, Role.role.in_(KKG_MEMBER_ROLES)
    )
    nearby = await session.scalars(
        select(Meeting)
        .where(
            Meeting.kkg_id.in_(kkg_ids),
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at.between(now - CODES_LOOK_BACK, now + CODES_LOOK_AHEAD),
        )
        .order_by(Meeting.starts_at.desc())
    )
    wanted = canonical(code)
    candidates = [m for m in nearby if canonical(m.checkin_code) == wanted]
    if not candidates:
        raise MeetingError("meetings.code_wrong", code=code)
    meeting = next((m for m in candidates if window_open(m, now)), candidates[0])
    existing = await session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == person_id
        )
    )
    if existing is not None:
        return CheckIn(meeting, True, existing.checked_in_at, existing.late_minutes, existing.jp)
    if now < meeting.starts_at - CHECKIN_OPENS:
        raise MeetingError("meetings.code_not_yet", title=meeting.title)
    if now > checkin_closes(meeting):
        raise MeetingError("meetings.code_expired", title=meeting.title)
    rules = jp_rules.load()
    late = rules.late_minutes(meeting.starts_at, now)
    jp = rules.credited(meeting.jp, meeting.duration_minutes, late)
    session.add(
        Attendance(
            meeting_id=meeting.id,
            person_id=person_id,
            checked_in_at=now,
            method=CHECKIN_CODE,
            jp=jp,
            late_minutes=late,
        )
    )
    await session.flush()
    return CheckIn(meeting, False, now, late, jp)


async def toggle_attendance(
    session: AsyncSession, meeting: Meeting, person_id: int, *, by: int, now: datetime
) -> bool:
    """The koordinator's roster: marks a member present, or takes the mark back. True = present."""
    if now < meeting.starts_at - CHECKIN_OPENS:
        raise MeetingError("meetings.roster_not_yet")
    existing = await session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == person_id
        )
    )
    if existing is not None:
        await session.execute(delete(Attendance).where(Attendance.id == existing.id))
        return False
    session.add(
        Attendance(
            meeting_id=meeting.id,
            person_id=person_id,
            checked_in_at=now,
            method=CHECKIN_ROSTER,
            marked_by_person_id=by,
            jp=meeting.jp,
        )
    )
    await session.flush()
    return True


async def present_count(session: AsyncSession, meeting_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(Attendance).where(Attendance.meeting_id == meeting_id)
        )
        or 0
    )


@dataclass(frozen=True)
class PersonAttendance:
    attended: int
    held: int  # meetings of the person's KKGs held since they joined
    jp: int

    @property
    def text_key(self) -> str:
        """The /profil line: counts, or "no meeting yet" while there is none to count."""
        return "meetings.profile_line" if self.held else "meetings.profile_line_none"


async def attendance_of(
    session: AsyncSession, person_id: int, now: datetime
) -> PersonAttendance | None:
    """For /profil: meetings attended of those held since joining, and the JP total."""
    memberships = (
        await session.execute(
            select(Role.kkg_id, func.min(Role.granted_at))
            .where(Role.person_id == person_id, Role.role.in_(KKG_MEMBER_ROLES))
            .group_by(Role.kkg_id)
        )
    ).all()
    if not memberships:
        return None
    held = 0
    for kkg_id, joined in memberships:
        for meeting in await session.scalars(
            select(Meeting).where(
                Meeting.kkg_id == kkg_id,
                Meeting.cancelled_at.is_(None),
                Meeting.starts_at >= joined,
                Meeting.starts_at < now,
            )
        ):
            held += ends_at(meeting) <= now
    attended, jp = (
        await session.execute(
            select(func.count(Attendance.id), func.coalesce(func.sum(Attendance.jp), 0)).where(
                Attendance.person_id == person_id
            )
        )
    ).one()
    return PersonAttendance(int(attended), max(held, int(attended)), int(jp))


# --- The hand-over to the monitoring self-report (another issue fills it) ------------

AfterMeetingHook = Callable[[AsyncSession, Meeting, Kkg, datetime], Awaitable[None]]
_after_meeting_hooks: list[AfterMeetingHook] = []


def on_meeting_ended(hook: AfterMeetingHook) -> AfterMeetingHook:
    """Register work to run once when a meeting ends (e.g. send attendees a reflection).

    The hook runs inside the wrap-up job's transaction, once per meeting (the meeting's
    `ended_at` marks it done), so it should enqueue with idempotency keys and not commit.
    """
    _after_meeting_hooks.append(hook)
    return hook


def after_meeting_hooks() -> list[AfterMeetingHook]:
    return list(_after_meeting_hooks)


async def attendees_for_reflection(session: AsyncSession, meeting_id: int) -> list[int]:
    """The people who attended a meeting (by code or roster): who gets the self-report."""
    return list(
        await session.scalars(
            select(Attendance.person_id)
            .where(Attendance.meeting_id == meeting_id)
            .order_by(Attendance.person_id)
        )
    )
