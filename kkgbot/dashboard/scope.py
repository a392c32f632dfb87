"""Which KKGs a signed-in person sees, asked on every request (never remembered in the
session), so that editing an id in the URL or a role revoked a minute ago changes nothing.

A koordinator sees their KKG, a pengawas the KKGs they supervise, an admin their district.
Names of members are shown to a KKG's koordinator and pengawas (as in the digest, an admin
reads counts).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import District, Kkg, Role
from kkgbot.people import roles
from kkgbot.people.permissions import ADMIN, KOORDINATOR, PENGAWAS


@dataclass(frozen=True)
class Scope:
    kkgs: list[Kkg]
    named: frozenset[int]  # KKGs whose members' names the person may read
    admin_districts: list[District]

    @property
    def ids(self) -> list[int]:
        return [k.id for k in self.kkgs]

    def get(self, kkg_id: int) -> Kkg | None:
        return next((k for k in self.kkgs if k.id == kkg_id), None)


async def scope_of(session: AsyncSession, person_id: int) -> Scope:
    kkgs = await roles.kkgs_in_scope(session, person_id, "dashboard")
    rows = await session.execute(
        select(Role.kkg_id).where(
            Role.person_id == person_id,
            Role.role.in_((KOORDINATOR, PENGAWAS)),
            Role.kkg_id.is_not(None),
        )
    )
    named = frozenset(k for (k,) in rows)
    districts = list(
        await session.scalars(
            select(District)
            .join(Role, Role.district_id == District.id)
            .where(Role.person_id == person_id, Role.role == ADMIN)
            .distinct()
            .order_by(District.name)
        )
    )
    return Scope(kkgs, named, districts)
