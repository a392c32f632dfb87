"""Meetings of a KKG: scheduling (once or recurring), editing, cancelling, look-ups.

Handlers and jobs call these with a session and plain values; telling the members is
`meetings_notify`'s job and answers and attendance are `meetings_rsvp`'s, so each can be
reused from a conversation, a scheduled job or the admin CLI.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy import update as sa_update
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db import audit
from kkgbot.db.models import Kkg, Person, Role, StoredFile
from kkgbot.meetings import jp_rules
from kkgbot.meetings.models import Attendance, Meeting
from kkgbot.people.identities import clean_text
from kkgbot.people.permissions import KKG_MEMBER_ROLES
from kkgbot.settings import Settings
from kkgbot.understanding.codes import CLEAR_ALPHABET

DEFAULT_MINUTES = 120
CHECKIN_OPENS = timedelta(minutes=30)  # before the start
CHECKIN_AFTER_START = timedelta(hours=2)  # at least this long after the start
MAX_AHEAD = timedelta(days=366)
TITLE_MAX, PLACE_MAX, AGENDA_MAX, NAME_MAX = 100, 200, 1000, 80
EDITABLE = ("title", "when", "duration", "place", "agenda", "narasumber")


class MeetingError(ValueError):
    """Something a person asked that cannot be done; `key` names the explanation."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass
class MeetingDraft:
    """What the koordinator wrote, checked, before it is a row."""

    kkg_id: int
    title: str
    starts_at: datetime
    place: str
    agenda: str | None = None
    narasumber_name: str | None = None
    narasumber_person_id: int | None = None
    duration_minutes: int = DEFAULT_MINUTES


def _has_symbols_only(text: str) -> bool:
    return sum(1 for ch in text if ch.isalnum()) < 2


def _valid_words(text: str, field: str, longest: int, shortest: int = 0) -> str:
    """Clean text of a meeting field, refused when too long or without words."""
    cleaned = clean_text(text)
    if len(cleaned) > longest:
        raise MeetingError(f"meetings.{field}_too_long", max=longest)
    if len(cleaned) < shortest or _has_symbols_only(cleaned):
        raise MeetingError(f"meetings.{field}_invalid")
    return cleaned


def valid_title(text: str) -> str:
    return _valid_words(text, "title", TITLE_MAX, shortest=3)


def valid_place(text: str) -> str:
    return _valid_words(text, "place", PLACE_MAX)


def valid_agenda(text: str) -> str:
    return _valid_words(text, "agenda", AGENDA_MAX)


def valid_person_name(text: str) -> str:
    name = clean_text(text)
    if len(name) > NAME_MAX:
        raise MeetingError("meetings.narasumber_too_long", max=NAME_MAX)
    letters = sum(1 for ch in name if ch.isalpha())
    if letters < 2 or any(unicodedata.category(ch) == "So" for ch in name):
        raise MeetingError("meetings.narasumber_invalid")
    return name


def check_ahead(starts_at: datetime, now: datetime) -> None:
    if starts_at - now > MAX_AHEAD:
        raise MeetingError("meetings.too_far_ahead")


def jp_for(duration_minutes: int) -> int:
    return jp_rules.load().jp_for(duration_minutes)


def local(meeting_time: datetime, kkg: Kkg) -> datetime:
    return meeting_time.astimezone(ZoneInfo(kkg.timezone))


def ends_at(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.duration_minutes)


def checkin_closes(meeting: Meeting) -> datetime:
    """Two hours after the start, as teachers are told, or the end of a longer meeting:
    a latecomer to a short meeting can still check in, and a long one stays open."""
    return max(meeting.starts_at + CHECKIN_AFTER_START, ends_at(meeting))


def code_key(*secrets: str | None) -> bytes:
    """The key check-in codes are derived from: the deployment's own secrets.

    A live bot always has a channel token, which nobody outside holds, so its codes
    cannot be worked out from a meeting's number. The console and the tests have no
    token and get a fixed key, so their transcripts show the same codes on every run.
    """
    known = [s for s in secrets if s]
    return ("|".join(known) if known else "kkgbot-console").encode()


def code_key_for(settings: Settings) -> bytes:
    return code_key(*settings.secrets)


def checkin_code(meeting_id: int, key: bytes) -> str:
    """Six capitals and digits without look-alikes (no 0/O, 1/I/L, 8/B, 5/S, 2/Z), e.g.
    K7M4QX; the same for a meeting's life."""
    digest = hmac.new(key, f"checkin:meeting-{meeting_id}".encode(), hashlib.sha256).digest()
    code = [CLEAR_ALPHABET[b % len(CLEAR_ALPHABET)] for b in digest[:6]]
    # at least one digit and one letter, so a code typed alone is told from a word
    digits = [ch for ch in CLEAR_ALPHABET if ch.isdigit()]
    letters = [ch for ch in CLEAR_ALPHABET if ch.isalpha()]
    if not any(ch.isdigit() for ch in code):
        code[digest[6] % 6] = digits[digest[7] % len(digits)]
    if not any(ch.isalpha() for ch in code):
        code[digest[8] % 6] = letters[digest[9] % len(letters)]
    return "".join(code)


async def find_member_by_name(session: AsyncSession, kkg_id: int, text: str) -> Person | None:
    """A member of the KKG whose name is, or uniquely starts with, `text`."""
    wanted = clean_text(text).casefold()
    if len(wanted) < 3:
        return None
    in_kkg = select(Role.person_id).where(Role.kkg_id == kkg_id, Role.role.in_(KKG_MEMBER_ROLES))
    # No DISTINCT over people: PostgreSQL cannot compare their JSON column.
    members = await session.scalars(
        select(Person).where(Person.id.in_(in_kkg), Person.name.is_not(None))
    )
    people = list(members.unique())
    exact = [p for p in people if p.name.casefold() == wanted]
    if len(exact) == 1:
        return exact[0]
    starts = [p for p in people if p.name.casefold().startswith(wanted)]
    return starts[0] if len(starts) == 1 else None


async def overlapping(
    session: AsyncSession,
    kkg_id: int,
    starts_at: datetime,
    duration_minutes: int,
    exclude_id: int | None = None,
) -> list[Meeting]:
    """Meetings of the same KKG (not cancelled) whose time overlaps this one."""
    end = starts_at + timedelta(minutes=duration_minutes)
    query = select(Meeting).where(
        Meeting.kkg_id == kkg_id,
        Meeting.cancelled_at.is_(None),
        Meeting.starts_at < end,
        Meeting.starts_at > starts_at - timedelta(days=1),
    )
    if exclude_id is not None:
        query = query.where(Meeting.id != exclude_id)
    found = await session.scalars(query.order_by(Meeting.starts_at))
    return [m for m in found if ends_at(m) > starts_at]


async def create_meeting(
    session: AsyncSession,
    draft: MeetingDraft,
    *,
    creator_id: int | None,
    now: datetime,
    code_key: bytes,
    series_id: int | None = None,
    announced: bool = True,
) -> Meeting:
    meeting = Meeting(
        kkg_id=draft.kkg_id,
        series_id=series_id,
        title=draft.title,
        starts_at=draft.starts_at,
        duration_minutes=draft.duration_minutes,
        place=draft.place,
        agenda=draft.agenda,
        narasumber_name=draft.narasumber_name,
        narasumber_person_id=draft.narasumber_person_id,
        jp=jp_for(draft.duration_minutes),
        checkin_code="",
        created_by_person_id=creator_id,
        created_at=now,
        updated_at=now,
        timed_at=now,
        sequence=0,
        announced_at=now if announced else None,
    )
    session.add(meeting)
    await session.flush()
    meeting.checkin_code = checkin_code(meeting.id, code_key)
    if series_id is None:
        audit.record(
            session,
            at=now,
            action="meeting.create",
            actor_person_id=creator_id,
            kkg_id=draft.kkg_id,
            details={"meeting_id": meeting.id, "starts_at": draft.starts_at.isoformat()},
        )
    return meeting


async def get(session: AsyncSession, meeting_id: int) -> Meeting | None:
    return await session.get(Meeting, meeting_id)


async def upcoming(
    session: AsyncSession, kkg_ids: list[int], now: datetime, limit: int = 5
) -> list[Meeting]:
    """Meetings not cancelled that have not ended yet, soonest first."""
    query = (
        select(Meeting)
        .where(
            Meeting.kkg_id.in_(kkg_ids),
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at > now - timedelta(hours=8),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    )
    found = [m for m in await session.scalars(query.limit(limit + 10)) if ends_at(m) > now]
    return found[:limit]


async def past(
    session: AsyncSession, kkg_ids: list[int], now: datetime, limit: int = 5
) -> list[Meeting]:
    """Meetings held (ended, not cancelled), the latest first."""
    query = (
        select(Meeting)
        .where(
            Meeting.kkg_id.in_(kkg_ids),
            Meeting.cancelled_at.is_(None),
            Meeting.starts_at < now,
        )
        .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    )
    found = [m for m in await session.scalars(query.limit(limit + 10)) if ends_at(m) <= now]
    return found[:limit]


async def update(
    session: AsyncSession,
    meeting: Meeting,
    field: str,
    value: object,
    *,
    now: datetime,
    actor_id: int,
) -> None:
    """Change one field; a new time moves the reminders and the check-in window with it,
    a new length the JP credited (also to those who already checked in)."""
    if field == "when":
        assert isinstance(value, datetime)
        meeting.starts_at = value
        meeting.timed_at = now
        meeting.reminded_for = None
        meeting.code_sent_at = None
    elif field == "duration":
        assert isinstance(value, int)
        meeting.duration_minutes = value
        meeting.jp = jp_for(value)
        await session.execute(
            sa_update(Attendance)
            .where(Attendance.meeting_id == meeting.id, Attendance.late_minutes.is_(None))
            .values(jp=meeting.jp)
        )
        rules = jp_rules.load()  # a latecomer's JP follow the new length too
        for late in await session.scalars(
            select(Attendance).where(
                Attendance.meeting_id == meeting.id, Attendance.late_minutes.is_not(None)
            )
        ):
            late.jp = rules.credited(meeting.jp, value, late.late_minutes)
    elif field == "narasumber":
        name, person_id = value if isinstance(value, tuple) else (None, None)
        meeting.narasumber_name, meeting.narasumber_person_id = name, person_id
    elif field in ("title", "place", "agenda"):
        setattr(meeting, field, value)
    else:
        raise ValueError(field)
    meeting.sequence += 1
    meeting.updated_at = now
    audit.record(
        session,
        at=now,
        action="meeting.update",
        actor_person_id=actor_id,
        kkg_id=meeting.kkg_id,
        details={"meeting_id": meeting.id, "field": field},
    )


async def cancel(session: AsyncSession, meeting: Meeting, *, now: datetime, actor_id: int) -> None:
    meeting.cancelled_at = now
    meeting.updated_at = now
    meeting.sequence += 1
    audit.record(
        session,
        at=now,
        action="meeting.cancel",
        actor_person_id=actor_id,
        kkg_id=meeting.kkg_id,
        details={"meeting_id": meeting.id},
    )


async def set_notes(
    session: AsyncSession,
    meeting: Meeting,
    *,
    text: str | None,
    file_id: int | None = None,
    now: datetime,
    actor_id: int,
) -> None:
    """The notulen: text (or a link to a document), or a file a koordinator sent; the new
    notes replace the old ones, whichever form either had."""
    meeting.notes_text = text
    meeting.notes_file_id = file_id
    meeting.notes_at = now
    audit.record(
        session,
        at=now,
        action="meeting.notes",
        actor_person_id=actor_id,
        kkg_id=meeting.kkg_id,
        details={"meeting_id": meeting.id},
    )


async def notes_file_name(session: AsyncSession, meeting: Meeting) -> str | None:
    """The name of the notulen file, without loading its bytes (None: no file)."""
    if meeting.notes_file_id is None:
        return None
    return await session.scalar(
        select(StoredFile.name).where(StoredFile.id == meeting.notes_file_id)
    )
