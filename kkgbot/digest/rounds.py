"""The supervisors' digest: whose KKGs, built when, and sent how.

A pengawas gets the KKGs they supervise, with the names of inactive members; an admin
gets the district version (all its KKGs, counts only). The same `build` serves the
Monday job, `/ringkasan` and the benchmark; `enqueue` queues text, chart and spreadsheet
as three messages with idempotency keys for the slot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import District, Kkg, Person, Role
from kkgbot.delivery.keys import idempotency_key, slot_key
from kkgbot.digest.figures import digest_figures
from kkgbot.digest.kkg_figures import KkgFigures
from kkgbot.digest.period import period_for
from kkgbot.digest.render import Digest
from kkgbot.digest.render_pool import Rendered, render  # noqa: F401 (/ringkasan renders here)
from kkgbot.messages import MessageKind
from kkgbot.people import messaging
from kkgbot.people.messaging import Recipient
from kkgbot.people.permissions import ADMIN, PENGAWAS

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DIGEST_ROLES = (PENGAWAS, ADMIN)


def natural(name: str) -> list:
    """ "KKG Gugus 2" before "KKG Gugus 10"."""
    return [(0, int(part), "") if part.isdecimal() else (1, 0, part.casefold())
            for part in re.split(r"(\d+)", name)]  # fmt: skip


@dataclass(frozen=True)
class DigestScope:
    kkg_ids: list[int]
    districts: list[str]  # an admin's district names; empty for a pengawas
    names: bool


async def scope_of(session: AsyncSession, person_id: int) -> DigestScope:
    rows = (
        await session.execute(
            select(Role.role, Role.kkg_id, Role.district_id).where(
                Role.person_id == person_id, Role.role.in_(DIGEST_ROLES)
            )
        )
    ).all()
    districts = sorted({d for r, _, d in rows if r == ADMIN and d is not None})
    if districts:
        ids = list(await session.scalars(select(Kkg.id).where(Kkg.district_id.in_(districts))))
        names = list(
            await session.scalars(
                select(District.name).where(District.id.in_(districts)).order_by(District.name)
            )
        )
        return DigestScope(sorted(ids), names, names=False)
    ids = sorted({k for r, k, _ in rows if r == PENGAWAS and k is not None})
    return DigestScope(ids, [], names=True)


async def scopes_of(session: AsyncSession, person_ids: list[int]) -> dict[int, DigestScope]:
    """`scope_of` for a whole round: one query for the pengawas (admins, few, one by one)."""
    held: dict[int, list[tuple[str, int | None]]] = {}
    for start in range(0, len(person_ids), 5000):  # bound the IN lists
        rows = await session.execute(
            select(Role.person_id, Role.role, Role.kkg_id).where(
                Role.person_id.in_(person_ids[start : start + 5000]),
                Role.role.in_(DIGEST_ROLES),
            )
        )
        for pid, role, kkg_id in rows:
            held.setdefault(pid, []).append((role, kkg_id))
    out = {}
    for pid in person_ids:
        mine = held.get(pid, [])
        if any(role == ADMIN for role, _ in mine):
            out[pid] = await scope_of(session, pid)
        else:
            out[pid] = DigestScope(sorted({k for _, k in mine if k is not None}), [], names=True)
    return out


async def zone_of(session: AsyncSession, person: Person, default: str) -> str:
    """A supervisor's zone is that of their district (PRODUCT.md), else their first KKG's."""
    if person.district_id is not None:
        district = await session.get(District, person.district_id)
        if district is not None:
            return district.timezone
    return await messaging.person_zone(session, person, default)


async def build(
    session: AsyncSession,
    scope: DigestScope,
    now: datetime,
    zone: str,
    lang: str,
    computed: dict[int, KkgFigures] | None = None,
) -> Digest:
    """The person's digest; `computed` (figures of many KKGs, built once for a whole
    Monday round) is sliced instead of querying again."""
    period = period_for(now, zone)
    if computed is None:
        computed = await digest_figures(session, scope.kkg_ids, period, names=scope.names)
    figures = {k: computed[k] for k in scope.kkg_ids if k in computed}
    ordered = sorted(figures.values(), key=lambda f: (natural(f.name), f.kkg_id))
    if scope.districts:
        title = ", ".join(scope.districts)
    else:
        title = i18n.t(lang, "digest.scope_pengawas", count=len(ordered))
    return Digest(title, period, ordered, scope.names)


async def recipients(session: AsyncSession) -> list[Person]:
    """Everyone who receives a weekly digest."""
    ids = select(Role.person_id).where(Role.role.in_(DIGEST_ROLES))
    return list(
        await session.scalars(
            select(Person)
            .where(Person.id.in_(ids), Person.onboarded_at.is_not(None))
            .order_by(Person.id)
        )
    )


async def first_grant(session: AsyncSession, person_id: int) -> datetime | None:
    return await session.scalar(
        select(func.min(Role.granted_at)).where(
            Role.person_id == person_id, Role.role.in_(DIGEST_ROLES)
        )
    )


def named_in(digest: Digest) -> list[int]:
    """Whom the digest's files name: the inactive members its workbook lists (the chart
    shows KKGs only), so that erasing one of them deletes the workbook."""
    return [pid for f in digest.figures for pid in f.inactive_ids] if digest.names else []


async def enqueue(
    session: AsyncSession,
    recipient: Recipient,
    digest: Digest,
    rendered: Rendered,
    now: datetime,
    slot: datetime,
) -> None:
    """Queue a rendered digest for `slot`: the files and three messages keyed by the slot."""
    named = named_in(digest)
    chart_id = await messaging.store_file(
        session, rendered.chart_name, "image/png", rendered.chart, now
    )
    xlsx_id = await messaging.store_file(
        session, rendered.xlsx_name, XLSX_MIME, rendered.xlsx, now, names=named
    )
    lang = recipient.language
    base = ("digest", ("person", recipient.person_id), slot_key(slot))
    parts = [
        ("text", rendered.text, None, None),
        ("chart", i18n.t(lang, "digest.chart_caption"), chart_id, rendered.chart_name),
        ("xlsx", i18n.t(lang, "digest.xlsx_caption"), xlsx_id, rendered.xlsx_name),
    ]
    for part, text, file_id, name in parts:
        await messaging.send(
            session,
            recipient,
            lambda _lang, text=text: text,
            key=idempotency_key(base[0], *base[1:], part),
            now=now,
            file_id=file_id,
            file_name=name,
            batch_id=f"digest-{slot_key(slot)}",
            about=MessageKind.DIGEST,
        )
