"""Issuing and verifying certificates of attendance (JP).

A certificate is only for what happened: a meeting held (not cancelled, over) that the
person attended (checked in, marked present, or ran it as koordinator or narasumber), or
the JP of one semester. Asking again gives the same code while the facts are the same, so
a printed certificate keeps verifying; a semester summary with more JP gets a new code and
the old one still certifies what it said on its day.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.certificates.models import MEETING, SEMESTER, Certificate
from kkgbot.db.models import Kkg, Person, Role
from kkgbot.meetings import rsvp
from kkgbot.meetings.models import Attendance, Meeting
from kkgbot.meetings.service import local
from kkgbot.people.permissions import KKG_MEMBER_ROLES
from kkgbot.understanding.codes import CLEAR_ALPHABET, canonical

CODE_LENGTH = 12
AHEAD = timedelta(days=7)
LISTED = 10  # meetings offered on /sertifikat


class CertificateError(Exception):
    """A certificate that cannot be given; `key` is the reply saying why."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key, self.params = key, params


_random = secrets.SystemRandom()  # the console transcripts swap in a seeded one


def new_code() -> str:
    return "".join(_random.choice(CLEAR_ALPHABET) for _ in range(CODE_LENGTH))


def shown_code(code: str) -> str:
    """ "ACDE-FGHJ-KMNP": easier to read out and type."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def semester_of(day: date) -> tuple[str, date, date]:
    """Indonesian school semesters: July-December is semester 1 of year Y/Y+1, January-June
    semester 2 of Y-1/Y. Returns the key ("2026/2027-1") and its first and last day."""
    if day.month >= 7:
        return f"{day.year}/{day.year + 1}-1", date(day.year, 7, 1), date(day.year, 12, 31)
    return f"{day.year - 1}/{day.year}-2", date(day.year, 1, 1), date(day.year, 6, 30)


async def kkgs_of(session: AsyncSession, person_id: int) -> list[Kkg]:
    ids = select(Role.kkg_id).where(Role.person_id == person_id, Role.role.in_(KKG_MEMBER_ROLES))
    return list(await session.scalars(select(Kkg).where(Kkg.id.in_(ids)).order_by(Kkg.id)))


async def offered_meetings(
    session: AsyncSession, person_id: int, now: datetime
) -> list[tuple[Meeting, Kkg]]:
    """The latest meetings of the person's KKGs up to a week ahead, held or not: asking
    for one not attended (or not yet held) gets the reason rather than silence."""
    kkgs = {k.id: k for k in await kkgs_of(session, person_id)}
    attended = select(Attendance.meeting_id).where(Attendance.person_id == person_id)
    rows = await session.scalars(
        select(Meeting)
        .where(Meeting.kkg_id.in_(list(kkgs)) | Meeting.id.in_(attended))
        .where(Meeting.starts_at <= now + AHEAD)
        .order_by(Meeting.starts_at.desc())
        .limit(LISTED)
    )
    out = []
    for meeting in rows:
        kkg = kkgs.get(meeting.kkg_id) or await session.get(Kkg, meeting.kkg_id)
        out.append((meeting, kkg))
    return out


@dataclass(frozen=True)
class Attended:
    jp: int
    late_minutes: int | None


async def attended(
    session: AsyncSession, meeting: Meeting, person_id: int, now: datetime
) -> Attended:
    """What the person is credited for a meeting; refused with the reason otherwise."""
    if meeting.cancelled_at is not None:
        raise CertificateError("certificates.cancelled", title=meeting.title)
    if not rsvp.held(meeting, now):
        raise CertificateError("certificates.not_held", title=meeting.title)
    row = await session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == person_id
        )
    )
    if row is not None:
        if row.jp < 1:
            raise CertificateError("certificates.no_jp", title=meeting.title)
        return Attended(row.jp, row.late_minutes)
    if person_id in rsvp.present_by_role(meeting):
        return Attended(meeting.jp, None)
    raise CertificateError("certificates.not_attended", title=meeting.title)


async def _existing(session: AsyncSession, **where: object) -> Certificate | None:
    query = select(Certificate).where(*(getattr(Certificate, k) == v for k, v in where.items()))
    return await session.scalar(query.order_by(Certificate.id.desc()).limit(1))


async def _issue(session: AsyncSession, found: Certificate | None, **values) -> Certificate:
    if found is not None and all(
        getattr(found, k) == v for k, v in values.items() if k != "issued_at"
    ):
        return found
    cert = Certificate(code=new_code(), **values)
    session.add(cert)
    await session.flush()
    return cert


async def for_meeting(
    session: AsyncSession, person: Person, meeting: Meeting, now: datetime
) -> tuple[Certificate, Attended]:
    got = await attended(session, meeting, person.id, now)
    found = await _existing(session, person_id=person.id, meeting_id=meeting.id, kind=MEETING)
    cert = await _issue(
        session, found, kind=MEETING, person_id=person.id, meeting_id=meeting.id,
        jp=got.jp, meetings=1, issued_at=now,
    )  # fmt: skip
    return cert, got


@dataclass(frozen=True)
class SemesterLine:
    meeting: Meeting
    kkg: Kkg
    jp: int
    late_minutes: int | None


async def semester_lines(
    session: AsyncSession, person_id: int, now: datetime, zone_kkg: Kkg
) -> tuple[str, list[SemesterLine]]:
    """The meetings of this semester (in the KKG's zone) the person is credited for."""
    key, first, last = semester_of(local(now, zone_kkg).date())
    kkgs = {k.id: k for k in await kkgs_of(session, person_id)}
    attended_ids = select(Attendance.meeting_id).where(Attendance.person_id == person_id)
    candidates = await session.scalars(
        select(Meeting)
        .where(Meeting.kkg_id.in_(list(kkgs)) | Meeting.id.in_(attended_ids))
        .where(Meeting.cancelled_at.is_(None), Meeting.starts_at <= now)
        .order_by(Meeting.starts_at)
    )
    lines = []
    for meeting in candidates:
        kkg = kkgs.get(meeting.kkg_id) or await session.get(Kkg, meeting.kkg_id)
        if not first <= local(meeting.starts_at, kkg).date() <= last:
            continue
        try:
            got = await attended(session, meeting, person_id, now)
        except CertificateError:
            continue
        lines.append(SemesterLine(meeting, kkg, got.jp, got.late_minutes))
    return key, lines


async def for_semester(
    session: AsyncSession, person: Person, now: datetime, zone_kkg: Kkg
) -> tuple[Certificate, list[SemesterLine]]:
    key, lines = await semester_lines(session, person.id, now, zone_kkg)
    if not lines:
        raise CertificateError("certificates.semester_empty")
    found = await _existing(session, person_id=person.id, semester=key, kind=SEMESTER)
    cert = await _issue(
        session, found, kind=SEMESTER, person_id=person.id, semester=key,
        jp=sum(line.jp for line in lines), meetings=len(lines), issued_at=now,
    )  # fmt: skip
    return cert, lines


# --- Verification ------------------------------------------------------------------

GENUINE, REVOKED, UNKNOWN = "genuine", "revoked", "unknown"


@dataclass(frozen=True)
class Verification:
    """What a verifier is told: nothing about the person beyond their name, and not even
    that once they have erased their data."""

    status: str
    kind: str | None = None
    name: str | None = None
    kkg: str | None = None
    title: str | None = None  # the meeting's title
    day: date | None = None  # the meeting's day, in the KKG's zone
    semester: str | None = None
    jp: int | None = None
    meetings: int | None = None
    issued: date | None = None


async def verify(session: AsyncSession, typed: str) -> Verification:
    code = canonical(typed)
    if len(code) != CODE_LENGTH or any(ch not in CLEAR_ALPHABET for ch in code):
        return Verification(UNKNOWN)
    cert = await session.scalar(select(Certificate).where(Certificate.code == code))
    if cert is None:
        return Verification(UNKNOWN)
    person = await session.get(Person, cert.person_id)
    if person is None or person.erased_at is not None:
        return Verification(REVOKED)
    meeting = await session.get(Meeting, cert.meeting_id) if cert.meeting_id else None
    kkg = await session.get(Kkg, meeting.kkg_id) if meeting else None
    if kkg is None:
        kkgs = await kkgs_of(session, person.id)
        kkg = kkgs[0] if kkgs else None
    return Verification(
        GENUINE,
        kind=cert.kind,
        name=person.name,
        kkg=kkg.name if kkg else None,
        title=meeting.title if meeting else None,
        day=local(meeting.starts_at, kkg).date() if meeting and kkg else None,
        semester=cert.semester,
        jp=cert.jp,
        meetings=cert.meetings,
        issued=cert.issued_at.date(),
    )
