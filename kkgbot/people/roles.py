"""Roles people hold in KKGs and districts: grant, revoke, and what a person may act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, ColumnElement, ScalarSelect, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db import audit
from kkgbot.db.models import Kkg, Person, Role
from kkgbot.people.permissions import (
    ADMIN,
    ALL_ROLES,
    GURU,
    KKG_MEMBER_ROLES,
    KOORDINATOR,
    PENGAWAS,
    PERMISSIONS,
)


class RoleError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class HeldRole:
    role: str
    kkg_id: int | None
    kkg_name: str | None
    district_id: int | None


# built once: nearly every inbound message asks (issue 21 counted the CPU of rebuilding it)
_ROLES_OF = (
    select(Role.role, Role.kkg_id, Kkg.name, Role.district_id)
    .outerjoin(Kkg, Kkg.id == Role.kkg_id)
    .where(Role.person_id == bindparam("holder"))
    .order_by(Kkg.name, Role.role)
)


async def roles_of(session: AsyncSession, person_id: int) -> list[HeldRole]:
    rows = await session.execute(_ROLES_OF, {"holder": person_id})
    return [HeldRole(r, k, n, d) for r, k, n, d in rows]


def roles_json(person_id: ColumnElement[int], postgres: bool) -> ScalarSelect:
    """`roles_of` as one JSON column of another statement (the router's first read loads a
    person's roles with the person: one round trip less for nearly every message).
    PostgreSQL orders inside the aggregate; SQLite cannot, so `held_from_json` sorts as
    SQLite's ORDER BY would (NULL first, then bytes, which is Python's order of str)."""
    row = (Role.role, Role.kkg_id, Kkg.name, Role.district_id)
    if postgres:
        ordered = aggregate_order_by(func.json_build_array(*row), Kkg.name, Role.role)
        agg = func.json_agg(ordered, type_=JSON)
    else:
        agg = func.json_group_array(func.json_array(*row), type_=JSON)
    query = select(agg).select_from(Role).outerjoin(Kkg, Kkg.id == Role.kkg_id)
    return query.where(Role.person_id == person_id).scalar_subquery()


def held_from_json(value: list | None, postgres: bool) -> list[HeldRole]:
    held = [HeldRole(r, k, n, d) for r, k, n, d in value or []]
    if not postgres:
        held.sort(key=lambda h: (h.kkg_name is not None, h.kkg_name or "", h.role))
    return held


async def kkgs_for(session: AsyncSession, person_id: int, action: str) -> list[Kkg]:
    """The KKGs in which the person holds a role allowed to perform `action`."""
    permitted = PERMISSIONS[action]
    query = select(Kkg).join(Role, Role.kkg_id == Kkg.id).where(Role.person_id == person_id)
    if "*" not in permitted:
        query = query.where(Role.role.in_(permitted))
    return list((await session.scalars(query.distinct().order_by(Kkg.name))).unique())


async def admin_district_kkgs(session: AsyncSession, person_id: int) -> list[Kkg]:
    """Every KKG of the districts the person administers (an admin acts on all of them)."""
    districts = select(Role.district_id).where(Role.person_id == person_id, Role.role == ADMIN)
    query = select(Kkg).where(Kkg.district_id.in_(districts)).order_by(Kkg.name)
    return list(await session.scalars(query))


async def kkgs_in_scope(session: AsyncSession, person_id: int, action: str) -> list[Kkg]:
    """`kkgs_for`, plus, when an admin may do `action`, the KKGs of the admin's districts."""
    found = {k.id: k for k in await kkgs_for(session, person_id, action)}
    if ADMIN in PERMISSIONS[action]:
        for kkg in await admin_district_kkgs(session, person_id):
            found.setdefault(kkg.id, kkg)
    return sorted(found.values(), key=lambda k: k.name)


async def district_people(session: AsyncSession, district_id: int, limit: int = 60) -> list[Person]:
    """Onboarded people of a district, by name (whom an admin can give a role)."""
    query = (
        select(Person)
        .where(Person.onboarded_at.is_not(None), Person.district_id == district_id)
        .order_by(Person.name)
        .limit(limit)
    )
    return list(await session.scalars(query))


async def member_kkgs(session: AsyncSession, person_id: int) -> list[Kkg]:
    query = (
        select(Kkg)
        .join(Role, Role.kkg_id == Kkg.id)
        .where(Role.person_id == person_id, Role.role.in_(KKG_MEMBER_ROLES))
        .distinct()
        .order_by(Kkg.name)
    )
    return list((await session.scalars(query)).unique())


async def has_role(
    session: AsyncSession, person_id: int, role: str, kkg_id: int | None = None
) -> bool:
    query = select(Role.id).where(Role.person_id == person_id, Role.role == role)
    if kkg_id is not None:
        query = query.where(Role.kkg_id == kkg_id)
    return (await session.scalar(query.limit(1))) is not None


async def grant(
    session: AsyncSession,
    *,
    person: Person,
    role: str,
    kkg: Kkg | None,
    now: datetime,
    actor: str = "cli",
    actor_person_id: int | None = None,
) -> bool:
    """Give a role; False when it was already held (granting twice changes nothing)."""
    if role not in ALL_ROLES:
        raise RoleError("admin.bad_role", role=role)
    if role == ADMIN:
        district_id = kkg.district_id if kkg else person.district_id
        if district_id is None:
            raise RoleError("admin.admin_needs_district")
        kkg_id = None
    else:
        if kkg is None:
            raise RoleError("admin.role_needs_kkg", role=role)
        kkg_id, district_id = kkg.id, None
    exists = await session.scalar(
        select(Role.id).where(
            Role.person_id == person.id,
            Role.role == role,
            Role.kkg_id.is_(None) if kkg_id is None else Role.kkg_id == kkg_id,
            Role.district_id.is_(None) if district_id is None else Role.district_id == district_id,
        )
    )
    if exists:
        return False
    session.add(
        Role(person_id=person.id, role=role, kkg_id=kkg_id, district_id=district_id, granted_at=now)
    )
    # A koordinator runs the KKG's own activities too, so they are also one of its teachers.
    if role == KOORDINATOR and not await has_role(session, person.id, GURU, kkg_id):
        session.add(Role(person_id=person.id, role=GURU, kkg_id=kkg_id, granted_at=now))
    if person.district_id is None:
        person.district_id = kkg.district_id if kkg else district_id
    audit.record(
        session,
        at=now,
        action="role.grant",
        actor=actor,
        actor_person_id=actor_person_id,
        kkg_id=kkg_id,
        target_person_id=person.id,
        details={"role": role, "district_id": district_id},
    )
    await session.flush()
    return True


async def revoke(
    session: AsyncSession,
    *,
    person: Person,
    role: str,
    kkg: Kkg | None,
    now: datetime,
    actor: str = "cli",
    actor_person_id: int | None = None,
) -> bool:
    """Take a role away; False when the person did not hold it."""
    if role not in ALL_ROLES:
        raise RoleError("admin.bad_role", role=role)
    query = delete(Role).where(Role.person_id == person.id, Role.role == role)
    if role != ADMIN:
        if kkg is None:
            raise RoleError("admin.role_needs_kkg", role=role)
        query = query.where(Role.kkg_id == kkg.id)
    result = await session.execute(query)
    if not result.rowcount:
        return False
    audit.record(
        session,
        at=now,
        action="role.revoke",
        actor=actor,
        actor_person_id=actor_person_id,
        kkg_id=kkg.id if kkg else None,
        target_person_id=person.id,
        details={"role": role},
    )
    return True


async def is_member(session: AsyncSession, person_id: int, kkg_id: int) -> bool:
    query = select(Role.id).where(
        Role.person_id == person_id, Role.kkg_id == kkg_id, Role.role.in_(KKG_MEMBER_ROLES)
    )
    return (await session.scalar(query.limit(1))) is not None


async def join_kkg(session: AsyncSession, *, person: Person, kkg: Kkg, now: datetime) -> bool:
    """A teacher joins with the invite code; False when already a member."""
    if await is_member(session, person.id, kkg.id):
        return False
    session.add(Role(person_id=person.id, role=GURU, kkg_id=kkg.id, granted_at=now))
    if person.district_id is None:
        person.district_id = kkg.district_id
    audit.record(
        session,
        at=now,
        action="member.join",
        actor_person_id=person.id,
        kkg_id=kkg.id,
        target_person_id=person.id,
    )
    await session.flush()
    return True


async def leave_kkg(session: AsyncSession, *, person: Person, kkg: Kkg, now: datetime) -> None:
    """A member leaves: every role they held in that KKG ends."""
    await session.execute(delete(Role).where(Role.person_id == person.id, Role.kkg_id == kkg.id))
    audit.record(
        session,
        at=now,
        action="member.leave",
        actor_person_id=person.id,
        kkg_id=kkg.id,
        target_person_id=person.id,
    )


async def koordinators_of(session: AsyncSession, kkg_id: int) -> list[Person]:
    query = (
        select(Person)
        .join(Role, Role.person_id == Person.id)
        .where(Role.kkg_id == kkg_id, Role.role == KOORDINATOR)
    )
    return list(await session.scalars(query))


async def pengawas_of(session: AsyncSession, kkg_id: int) -> list[Person]:
    query = (
        select(Person)
        .join(Role, Role.person_id == Person.id)
        .where(Role.kkg_id == kkg_id, Role.role == PENGAWAS)
    )
    return list(await session.scalars(query))
