"""Districts and KKGs: creation, invite codes and look-ups."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db import audit
from kkgbot.db.models import District, Kkg
from kkgbot.numbers import small_number
from kkgbot.understanding.codes import CLEAR_ALPHABET, plain

# Invite codes are read aloud and typed on small phones: CLEAR_ALPHABET has no look-alikes.
ZONE_ALIASES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


class KkgError(ValueError):
    """A user-fixable problem; `key` names the text that explains it."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class KkgInfo:
    id: int
    name: str
    invite_code: str
    timezone: str
    district: str


def resolve_zone(value: str) -> str:
    zone = ZONE_ALIASES.get(value.strip().upper(), value.strip())
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise KkgError("admin.bad_timezone", zone=value) from exc
    return zone


def normalise_code(code: str) -> str:
    return plain(code)


async def new_invite_code(session: AsyncSession, length: int = 6) -> str:
    while True:
        code = "".join(secrets.choice(CLEAR_ALPHABET) for _ in range(length))
        if not await session.scalar(select(Kkg.id).where(Kkg.invite_code == code)):
            return code


async def get_or_create_district(
    session: AsyncSession, name: str, timezone: str, now: datetime
) -> District:
    district = await session.scalar(
        select(District).where(func.lower(District.name) == name.strip().lower())
    )
    if district is None:
        district = District(name=name.strip(), timezone=resolve_zone(timezone), created_at=now)
        session.add(district)
        await session.flush()
    return district


async def create_kkg(
    session: AsyncSession,
    *,
    name: str,
    district: str,
    timezone: str,
    now: datetime,
    invite_code: str | None = None,
    actor: str = "cli",
    actor_person_id: int | None = None,
    kecamatan: str | None = None,
) -> Kkg:
    name = " ".join(name.split())
    kecamatan = " ".join((kecamatan or "").split())[:80] or None
    if not 3 <= len(name) <= 120:
        raise KkgError("admin.bad_kkg_name")
    zone = resolve_zone(timezone)
    dist = await get_or_create_district(session, district, zone, now)
    exists = await session.scalar(
        select(Kkg.id).where(Kkg.district_id == dist.id, func.lower(Kkg.name) == name.lower())
    )
    if exists:
        raise KkgError("admin.kkg_exists", name=name)
    code = normalise_code(invite_code) if invite_code else await new_invite_code(session)
    if await find_by_code(session, code):
        raise KkgError("admin.code_taken", code=code)
    kkg = Kkg(
        district_id=dist.id,
        name=name,
        kecamatan=kecamatan,
        timezone=zone,
        invite_code=code,
        created_at=now,
    )
    session.add(kkg)
    await session.flush()
    audit.record(
        session,
        at=now,
        action="kkg.create",
        actor=actor,
        actor_person_id=actor_person_id,
        kkg_id=kkg.id,
        details={"name": name, "district": dist.name, "timezone": zone, "kecamatan": kecamatan},
    )
    return kkg


async def find_by_code(session: AsyncSession, code: str) -> Kkg | None:
    code = normalise_code(code)
    if not code:
        return None
    return await session.scalar(select(Kkg).where(Kkg.invite_code == code))


async def find_kkg(session: AsyncSession, ref: str) -> Kkg | None:
    """A KKG by id, invite code or (case-insensitive) name, as an admin types it."""
    ref = ref.strip()
    if (number := small_number(ref)) is not None:
        found = await session.get(Kkg, number)
        if found:
            return found
    by_code = await find_by_code(session, ref)
    if by_code:
        return by_code
    rows = (await session.scalars(select(Kkg).where(func.lower(Kkg.name) == ref.lower()))).all()
    return rows[0] if len(rows) == 1 else None


async def set_delivery(
    session: AsyncSession,
    district_name: str,
    *,
    bot: str | None,
    window_minutes: int | None,
    known_bots: set[str],
    now: datetime,
) -> District:
    """Which bot a district's invite links name ("" for the default bot) and over how many
    minutes its lesson pushes spread; None leaves a value as it is."""
    district = await session.scalar(
        select(District).where(func.lower(District.name) == district_name.strip().lower())
    )
    if district is None:
        raise KkgError("admin.district_not_found", district=district_name)
    if bot is not None:
        if bot and bot not in known_bots:
            raise KkgError("admin.unknown_bot", bot=bot, known=", ".join(sorted(known_bots)) or "-")
        district.telegram_bot = bot or None
    if window_minutes is not None:
        if not 0 <= window_minutes <= 9 * 60:
            raise KkgError("admin.bad_push_window")
        district.push_window_minutes = window_minutes
    audit.record(
        session, at=now, action="district.delivery", actor="cli",
        details={
            "district_id": district.id, "bot": district.telegram_bot,
            "push_window": district.push_window_minutes,
        },
    )  # fmt: skip
    return district
