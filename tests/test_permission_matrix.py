"""Every command, for every role: allowed or refused exactly as the permission table says.

The table (kkgbot/services/permissions.py) is the single source; this walks the whole
command registry, so a command added later is covered without touching this test.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from handlers import build_registry
from kkgbot.db.models import Person
from kkgbot.messages import Inbound
from kkgbot.people import kkgs, roles
from kkgbot.people.permissions import PERMISSIONS, allowed

ROLE_OF_HANDLE = {
    "koordinator": {"koordinator", "guru"},
    "pengawas": {"pengawas"},
    "admin": {"admin"},
    "guru1": {"guru"},
}
COMMANDS = sorted(build_registry().commands.values(), key=lambda c: c.name)


async def said(app, who: str, text: str) -> str:
    out = io.StringIO()
    app.channels["console"].out = out
    await app.router.handle(Inbound("console", who, text=text))
    await app.dispatcher.drain()
    return out.getvalue()


def test_every_command_names_a_permission():
    for command in COMMANDS:
        assert command.action in PERMISSIONS, command.name


@pytest.mark.parametrize("handle", sorted(ROLE_OF_HANDLE))
async def test_every_command_for_every_role(console_app, handle):
    for command in COMMANDS:
        for word in {command.name, command.alias}:
            reply = await said(console_app, handle, f"/{word}")
            refused = "hanya untuk" in reply.split("\n")[0] or "is only for" in reply.split("\n")[0]
            expected = allowed(command.action, ROLE_OF_HANDLE[handle])
            assert refused != expected, f"/{word} as {handle}: {reply[:200]!r}"
            await said(console_app, handle, "/batal")


async def test_a_koordinator_acts_only_for_their_own_kkg(console_app):
    now = console_app.clock.now()
    async with console_app.sessionmaker() as s, s.begin():
        other = await kkgs.create_kkg(
            s,
            name="KKG Gugus 2 Kupang",
            district="Kota Kupang",
            timezone="WITA",
            now=now,
            invite_code="KUPANG",
        )
        budi = Person(
            name="Budi Koordinator", language="id", onboarded_at=now, consent_at=now, created_at=now
        )
        s.add(budi)
        await s.flush()
        from kkgbot.db.models import Identity

        s.add(Identity(person_id=budi.id, channel="console", address="budi", created_at=now))
        await roles.grant(s, person=budi, role="koordinator", kkg=other, now=now)
    mine = await said(console_app, "koordinator", "/undang")
    theirs = await said(console_app, "budi", "/undang")
    assert "GUGUS1" in mine and "KUPANG" not in mine
    assert "KUPANG" in theirs and "GUGUS1" not in theirs
    # a pengawas of Mataram is not a pengawas of Kupang
    async with console_app.sessionmaker() as s:
        pengawas = await s.scalar(select(Person).where(Person.name == "Lalu Hendra Wijaya"))
        kkg_ids = [k.id for k in await roles.kkgs_for(s, pengawas.id, "help")]
    assert len(kkg_ids) == 1
