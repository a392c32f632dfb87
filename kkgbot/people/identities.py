"""People and the channels they are reached on; profile fields and their validation."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Identity, Person

CONSENT_VERSION = "2026-11"


class FieldError(ValueError):
    """A profile value a person typed that cannot be stored; `key` names the explanation."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def clean_text(text: str) -> str:
    """NFC, no control characters, single spaces: what we store from free input."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch for ch in text if ch in "\n" or unicodedata.category(ch)[0] != "C")
    return " ".join(text.split())


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def valid_name(text: str) -> str:
    name = clean_text(text)
    if len(name) > 80:
        raise FieldError("profile.name_too_long", max=80)
    if _letters(name) < 2 or any(unicodedata.category(ch) == "So" for ch in name):
        raise FieldError("profile.name_invalid")
    return name


def valid_school(text: str) -> str:
    school = clean_text(text)
    if len(school) > 120:
        raise FieldError("profile.school_too_long", max=120)
    if _letters(school) < 2 or any(unicodedata.category(ch) == "So" for ch in school):
        raise FieldError("profile.school_invalid")
    return school


NIP_CLEAR = ("-", "hapus", "kosong", "tidak ada", "none", "delete", "clear")


def valid_nip(text: str) -> str | None:
    """A civil servant's NIP: 18 digits, typed with spaces or dots as printed on a card
    ("19850312 201001 2 015"). "-" or "tidak ada" clears it (honorer teachers have none)."""
    typed = " ".join(str(text).split()).casefold()
    if typed in NIP_CLEAR:
        return None
    digits = re.sub(r"[\s.\-]", "", typed)
    if not digits.isdigit() or len(digits) != 18:
        raise FieldError("profile.nip_invalid")
    return digits


PHONE_RE = re.compile(r"^(?:\+?62|0)(8\d{7,11})$")


def normalise_phone(text: str) -> str:
    """Indonesian mobile numbers in any common spelling become +628...; others are refused."""
    digits = re.sub(r"[\s\-().]", "", text)
    match = PHONE_RE.match(digits)
    if not match:
        raise FieldError("profile.phone_invalid")
    return "+62" + match.group(1)


def consented_member(
    *, name: str, school: str, district_id: int | None, now: datetime, phone: str | None = None
) -> Person:
    """A teacher who has already given consent and finished onboarding (seeded data: the
    demo district, the soak's crowd); people who write to the bot go through /start."""
    return Person(
        name=name,
        school=school,
        phone=phone,
        language="id",
        district_id=district_id,
        consent_at=now,
        consent_version=CONSENT_VERSION,
        onboarded_at=now,
        created_at=now,
    )


async def by_identity(session: AsyncSession, channel: str, address: str) -> Person | None:
    return await session.scalar(
        select(Person)
        .join(Identity, Identity.person_id == Person.id)
        .where(Identity.channel == channel, Identity.address == address)
    )


PHONE_CHANNEL = "whatsapp"  # addresses that are phone numbers (+62...)


async def get_or_create(
    session: AsyncSession,
    channel: str,
    address: str,
    now: datetime,
    language: str,
    via: str | None = None,
) -> tuple[Person, Identity]:
    """The person behind this address; on their first message, their identity records the
    bot or sender (`via`) they wrote to, which reaches them from then on."""
    identity = await session.scalar(
        select(Identity).where(Identity.channel == channel, Identity.address == address)
    )
    if identity is not None:
        person = await session.get(Person, identity.person_id)
        assert person is not None
        return person, identity
    imported = await _imported(session, channel, address)
    if imported is not None:  # an admin imported this number: its first message finds them
        identity = Identity(
            person_id=imported.id, channel=channel, address=address, via=via, created_at=now
        )
        session.add(identity)
        await session.flush()
        return imported, identity
    person = Person(language=language, created_at=now)
    session.add(person)
    await session.flush()
    identity = Identity(
        person_id=person.id, channel=channel, address=address, via=via, created_at=now
    )
    session.add(identity)
    await session.flush()
    return person, identity


async def _imported(session: AsyncSession, channel: str, address: str) -> Person | None:
    """The person whose phone number is this WhatsApp address, with no identity there yet."""
    if channel != PHONE_CHANNEL:
        return None
    return await session.scalar(select(Person).where(Person.phone == address))


async def phone_taken(session: AsyncSession, phone: str, person_id: int) -> bool:
    other = await session.scalar(select(Person.id).where(Person.phone == phone))
    return other is not None and other != person_id


async def find_person(session: AsyncSession, ref: str) -> list[Person]:
    """People matching a phone number, a Telegram @username, a console handle or a name."""
    ref = ref.strip()
    try:
        phone = normalise_phone(ref)
    except FieldError:
        phone = None
    handle = ref.lstrip("@").lower()
    matching = (
        select(Person.id)
        .outerjoin(Identity, Identity.person_id == Person.id)
        .where(
            or_(
                Person.phone == phone if phone else False,
                func.lower(Person.telegram_username) == handle,
                (Identity.channel == "console") & (func.lower(Identity.address) == handle),
                func.lower(Person.name) == ref.lower(),
            )
        )
    )
    # By id: PostgreSQL cannot DISTINCT a row that has a JSON column.
    query = select(Person).where(Person.id.in_(matching)).order_by(Person.id)
    return list((await session.scalars(query)).unique())


async def primary_identity(session: AsyncSession, person_id: int) -> Identity | None:
    """Where to reach a person unprompted: the channel they used last."""
    return await session.scalar(
        select(Identity)
        .where(Identity.person_id == person_id)
        .order_by(Identity.last_inbound_at.desc().nulls_last(), Identity.id.desc())
        .limit(1)
    )
