"""The demo district from PRODUCT.md: one KKG in Mataram (WITA) and eleven people.

Seeding twice changes nothing: every row is looked up before it is written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Identity, Kkg, Person
from kkgbot.people import kkgs, roles
from kkgbot.people.identities import consented_member

DISTRICT = "Kota Mataram"
ZONE = "Asia/Makassar"
KKG_NAME = "KKG Gugus 1 Mataram"
KKG_CODE = "GUGUS1"

# handle, name, school, roles
PEOPLE = [
    ("koordinator", "Rahmawati", "SDN 1 Mataram", ("koordinator", "guru")),
    ("pengawas", "Lalu Hendra Wijaya", None, ("pengawas",)),
    ("admin", "Ahmad Fauzi", "Dinas Pendidikan Kota Mataram", ("admin",)),
    ("guru1", "Ni Made Ayu Lestari", "SDN 1 Mataram", ("guru",)),
    ("guru2", "Lalu Ahmad Zaini", "SDN 5 Mataram", ("guru",)),
    ("guru3", "Baiq Nurul Hidayati", "SDN 5 Mataram", ("guru",)),
    ("guru4", "I Wayan Suarta", "SDN 12 Cakranegara", ("guru",)),
    ("guru5", "Siti Aminah", "SDN 12 Cakranegara", ("guru",)),
    ("guru6", "Muhammad Rizki", "SD Muhammadiyah Mataram", ("guru",)),
    ("guru7", "Dewi Anggraeni", "SD Muhammadiyah Mataram", ("guru",)),
    ("guru8", "Yohanes Bili", "SDN 20 Mataram", ("guru",)),
]


async def seed_demo(session: AsyncSession, now: datetime) -> bool:
    """Create the demo data; False when it was already there."""
    kkg = await session.scalar(select(Kkg).where(Kkg.invite_code == KKG_CODE))
    created = kkg is None
    if kkg is None:
        kkg = await kkgs.create_kkg(
            session,
            name=KKG_NAME,
            district=DISTRICT,
            timezone=ZONE,
            now=now,
            invite_code=KKG_CODE,
            actor="seed",
        )
    for handle, name, school, held in PEOPLE:
        person = await session.scalar(
            select(Person)
            .join(Identity, Identity.person_id == Person.id)
            .where(Identity.channel == "console", Identity.address == handle)
        )
        if person is None:
            created = True
            person = consented_member(
                name=name, school=school, district_id=kkg.district_id, now=now
            )
            session.add(person)
            await session.flush()
            session.add(
                Identity(person_id=person.id, channel="console", address=handle, created_at=now)
            )
        for role in held:
            await roles.grant(session, person=person, role=role, kkg=kkg, now=now, actor="seed")
    return created
