"""Messages the bot starts (announcements, reminders, lessons, digests), through the outbox.

Each is written in the recipient's own language, to the channel they used last, with an
idempotency key that makes a retried job harmless, and, unless exempt, held back out of
the quiet hours (21:00–06:00 in the person's zone) until 06:00.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import District, FilePerson, Kkg, Person, Role, StoredFile
from kkgbot.delivery.outbox import BULK, Draft, enqueue
from kkgbot.messages import Choice
from kkgbot.people.identities import primary_identity
from kkgbot.people.optout import opted_out
from kkgbot.people.permissions import KKG_MEMBER_ROLES

QUIET_START, QUIET_END = 21, 6

# Text for a recipient, given their language: lets one call serve people who read different languages.
Render = Callable[[str], str]


@dataclass(frozen=True)
class Recipient:
    person_id: int
    language: str
    timezone: str


def in_quiet_hours(when: datetime, tz: str, start: int = QUIET_START, end: int = QUIET_END) -> bool:
    hour = when.astimezone(ZoneInfo(tz)).hour
    return hour >= start or hour < end


def after_quiet_hours(
    when: datetime, tz: str, start: int = QUIET_START, end: int = QUIET_END
) -> datetime:
    """`when` itself, or 06:00 local that follows it when it falls in the quiet hours."""
    if not in_quiet_hours(when, tz, start, end):
        return when
    local = when.astimezone(ZoneInfo(tz))
    day = local.date() if local.hour < end else local.date() + timedelta(days=1)
    return datetime.combine(day, time(end), tzinfo=ZoneInfo(tz)).astimezone(when.tzinfo)


async def person_zone(session: AsyncSession, person: Person, default: str) -> str:
    """A person's zone: that of their (first) KKG, else of their district."""
    zone = await session.scalar(
        select(Kkg.timezone)
        .join(Role, Role.kkg_id == Kkg.id)
        .where(Role.person_id == person.id)
        .order_by(Role.id)
        .limit(1)
    )
    if zone:
        return zone
    if person.district_id is not None:
        district = await session.get(District, person.district_id)
        if district is not None:
            return district.timezone
    return default


async def kkg_members(
    session: AsyncSession, kkg_id: int, roles: tuple[str, ...] = KKG_MEMBER_ROLES
) -> list[Recipient]:
    """Everyone who belongs to the KKG (each once), with the KKG's zone."""
    kkg = await session.get(Kkg, kkg_id)
    assert kkg is not None
    rows = await session.execute(
        select(Person.id, Person.language)
        .join(Role, Role.person_id == Person.id)
        .where(
            Role.kkg_id == kkg_id,
            Role.role.in_(roles),
            Person.onboarded_at.is_not(None) | Person.phone.is_not(None),
        )
        .distinct()
        .order_by(Person.id)
    )
    return [Recipient(pid, lang or i18n.DEFAULT, kkg.timezone) for pid, lang in rows]


# A person's own file (/dataku): the link works for an hour, the file lives a day at most.
OWN_FILE_LINK = timedelta(hours=1)
OWN_FILE_KEEP = timedelta(hours=24)


async def store_file(
    session: AsyncSession,
    name: str,
    mime: str,
    data: bytes,
    now: datetime,
    *,
    names: Iterable[int] = (),
    own: bool = False,
) -> int:
    """Stores a generated file. `names`: the people it lists, so that erasing one of them
    deletes it (a workbook cannot be searched for a name later). `own`: the file is one
    person's own data, served for an hour and deleted once delivered or after a day."""
    stored = StoredFile(name=name, mime=mime, data=data, created_at=now)
    if own:
        stored.link_until = now + OWN_FILE_LINK
        stored.delete_after = now + OWN_FILE_KEEP
    session.add(stored)
    await session.flush()
    rows = [{"file_id": stored.id, "person_id": pid} for pid in sorted(set(names))]
    if rows:  # one executemany, not an ORM object per name
        await session.execute(insert(FilePerson), rows)
    return stored.id


async def member_ids(session: AsyncSession, kkg_ids: Iterable[int]) -> list[int]:
    """Everyone with a role in the KKGs: whom a file about those KKGs may name."""
    rows = await session.scalars(
        select(Role.person_id).where(Role.kkg_id.in_(list(kkg_ids))).distinct()
    )
    return list(rows)


async def send(
    session: AsyncSession,
    recipient: Recipient,
    render: Render,
    *,
    key: str,
    now: datetime,
    at: datetime | None = None,
    choices: Callable[[str], list[Choice]] | None = None,
    file_id: int | None = None,
    file_name: str | None = None,
    quiet_exempt: bool = False,
    kind: str = BULK,
    batch_id: str | None = None,
    extra: dict[str, Any] | None = None,
    about: str | None = None,
    closes_at: datetime | None = None,
) -> bool:
    """Queue one message; False when it was queued before (same key), nobody can be reached,
    or the person stopped non-essential messages (STOP) and this one is not exempt.
    `about` says what the message is (MessageKind), for the channel."""
    if not quiet_exempt and kind == BULK and await opted_out(session, recipient.person_id):
        return False  # they sent STOP / BERHENTI: only essential messages go
    identity = await primary_identity(session, recipient.person_id)
    if identity is None:
        return False
    when = at or now
    if not quiet_exempt:
        when = after_quiet_hours(when, recipient.timezone)
    lang = recipient.language
    return await enqueue(
        session,
        Draft(
            channel=identity.channel,
            via=identity.via,
            address=identity.address,
            person_id=recipient.person_id,
            text=render(lang),
            choices=choices(lang) if choices else [],
            file_id=file_id,
            file_name=file_name,
            key=key,
            kind=kind,
            not_before=when,
            batch_id=batch_id,
            extra=extra or {},
            about=about,
            closes_at=closes_at,
        ),
        now,
    )


def text(key: str, **params: Any) -> Render:
    """A Render from a catalogue key: `text("meetings.reminder", title=...)`."""
    return lambda lang: i18n.t(lang, key, **params)
