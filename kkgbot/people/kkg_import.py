"""Importing a district's KKGs from the list a dinas keeps (CSV or xlsx): name, kecamatan,
zone. Used by the web set-up (previewed row by row first) and `bot.py admin import-kkgs`.

Every row is checked before anything is saved; saving creates the good rows through
`create_kkg`, so each is audited like a KKG made by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import District, Kkg
from kkgbot.people.kkgs import KkgError, create_kkg, resolve_zone
from kkgbot.people.member_import import read_rows

HEADER_ALIASES = {"nama": "name", "kkg": "name", "zona": "zone", "timezone": "zone"}


@dataclass(frozen=True)
class KkgRow:
    line: int
    name: str
    kecamatan: str
    zone: str
    problem: tuple[str, dict] | None


def _rows(text: str) -> list[tuple[int, dict[str, str]]]:
    return read_rows(text, HEADER_ALIASES, ("name",), "admin.import_kkg_columns")


async def preview_kkgs(session: AsyncSession, district: District, text: str) -> list[KkgRow]:
    """Each row and its problem (a bad zone, a short name, a KKG that exists, a repeat)."""
    out: list[KkgRow] = []
    seen: dict[str, int] = {}
    for line, row in _rows(text):
        name = " ".join(row.get("name", "").split())
        kecamatan = " ".join(row.get("kecamatan", "").split())[:80]
        zone = row.get("zone", "") or district.timezone
        problem: tuple[str, dict] | None = None
        try:
            zone = resolve_zone(zone)
        except KkgError as err:
            problem = (err.key, err.params)
        if problem is None and not 3 <= len(name) <= 120:
            problem = ("admin.bad_kkg_name", {})
        elif problem is None and name.casefold() in seen:
            problem = ("dashboard.import_kkg_repeat", {"other": seen[name.casefold()]})
        elif problem is None and await session.scalar(
            select(Kkg.id).where(
                Kkg.district_id == district.id, func.lower(Kkg.name) == name.lower()
            )
        ):
            problem = ("admin.kkg_exists", {"name": name})
        seen.setdefault(name.casefold(), line)
        out.append(KkgRow(line, name, kecamatan, zone, problem))
    return out


async def import_kkgs(
    session: AsyncSession,
    district: District,
    text: str,
    now: datetime,
    *,
    actor: str = "cli",
    actor_person_id: int | None = None,
) -> tuple[int, list[KkgRow]]:
    """Creates the good rows; (how many were created, the rows with a problem)."""
    rows = await preview_kkgs(session, district, text)
    made = 0
    for row in rows:
        if row.problem is None:
            await create_kkg(
                session, name=row.name, district=district.name, timezone=row.zone, now=now,
                kecamatan=row.kecamatan, actor=actor, actor_person_id=actor_person_id,
            )  # fmt: skip
            made += 1
    return made, [r for r in rows if r.problem]
