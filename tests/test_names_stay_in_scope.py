"""Names and phone numbers reach only the KKG's koordinator, pengawas and admin (issue 10).

A teacher who came to a meeting, voted and wrote a reflection is walked past by two people
who must not learn who she is: a fellow guru of her KKG and the koordinator of another KKG.
Each of them runs every command in the registry and takes the first option of every menu it
opens; every reply, and every file the bot sent them, is searched for her name and number.
Her own koordinator, for contrast, does see her name, so the search is looking in the right
places.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from handlers import build_registry
from kkgbot.db.models import Identity, OutboxMessage, Person, StoredFile
from kkgbot.people import kkgs, roles
from tests.test_exports import held_meeting
from tests.test_meetings import say
from tests.test_secrets_stay_out import readable_parts

NAME, PHONE = "Lalu Ahmad Zaini", "+6281399990002"
COMMANDS = sorted({c.name for c in build_registry().commands.values()} - {"hapusdata", "keluar"})


async def other_kkg_koordinator(app) -> None:
    now = app.clock.now()
    async with app.sessionmaker() as s, s.begin():
        other = await kkgs.create_kkg(
            s, name="KKG Gugus 2 Kupang", district="Kota Kupang", timezone="WITA", now=now,
            invite_code="KUPANG",
        )  # fmt: skip
        budi = Person(name="Budi Santoso", language="id", onboarded_at=now, consent_at=now,
                      created_at=now)  # fmt: skip
        s.add(budi)
        await s.flush()
        s.add(Identity(person_id=budi.id, channel="console", address="budi", created_at=now))
        await roles.grant(s, person=budi, role="koordinator", kkg=other, now=now)


async def walk(app, who: str) -> str:
    """Every command, and the first choice of whatever it asks, as `who` sees it."""
    seen = []
    for name in COMMANDS:
        seen.append(await say(app, who, f"/{name}"))
        seen.append(await say(app, who, "1"))
        seen.append(await say(app, who, "/batal"))
    async with app.sessionmaker() as s:
        file_ids = [
            row.payload.get("file_id")
            for row in await s.scalars(select(OutboxMessage).where(OutboxMessage.address == who))
            if row.payload.get("file_id")
        ]
        for file_id in file_ids:
            stored = await s.get(StoredFile, file_id)
            seen += [p.decode("utf-8", "replace") for p in readable_parts(stored.data)]
    return "\n".join(seen)


@pytest.mark.slow  # a walk of every command for each role
@pytest.mark.parametrize("who", ["guru3", "budi"])
async def test_a_members_name_and_number_stay_in_her_kkgs_leadership(console_app, who):
    app = console_app
    await other_kkg_koordinator(app)
    assert "Tersimpan" in await say(app, "guru2", f"/profil telepon; {PHONE}")
    meeting = await held_meeting(app)  # guru2 checked in
    await app.advance_to(meeting.starts_at + timedelta(hours=4))
    seen = await walk(app, who)
    assert len(seen) > 5000, "the walk saw too little to mean anything"
    assert PHONE not in seen and PHONE.lstrip("+") not in seen and "081399990002" not in seen
    assert NAME not in seen
    # her own koordinator does see her, in the same walk
    assert NAME in await walk(app, "koordinator")
