"""Lessons arrive at 19:00 local in KKGs of all three zones (WIB, WITA, WIT) in one run.

The script is kept here rather than in tests/scripts/*.script because it needs two more
KKGs than the demo has; its transcript is still a readable golden file,
tests/scripts/learning_zones.expected.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from kkgbot.db.models import Identity, OutboxMessage, Person
from kkgbot.learning.models import Learner
from kkgbot.people import kkgs, roles
from tests.conftest import START
from tests.console_helpers import check_golden, transcript

SCRIPT = """\
# Three KKGs, three zones: each gets its lesson at 19:00 local, so WIT first, WIB last.
@clock: 2026-12-01 18:00 Asia/Jayapura
@clock: 2026-12-01 19:00 Asia/Jayapura
@maria: 1
@clock: 2026-12-01 19:00 Asia/Makassar
@clock: 2026-12-01 19:00 Asia/Jakarta
@rudi: /materi
# Thursday: the next lesson for each, in the same order
@clock: 2026-12-03 19:00 Asia/Jakarta
@maria: /learn
"""


async def _member(session, kkg, handle: str, name: str, lang: str = "id") -> None:
    person = Person(
        name=name, language=lang, onboarded_at=START, consent_at=START, created_at=START
    )
    session.add(person)
    await session.flush()
    session.add(Identity(person_id=person.id, channel="console", address=handle, created_at=START))
    await roles.join_kkg(session, person=person, kkg=kkg, now=START)


async def test_lessons_arrive_at_local_times_in_three_zones(console_app):
    async with console_app.sessionmaker() as session, session.begin():
        ambon = await kkgs.create_kkg(
            session, name="KKG Gugus 2 Ambon", district="Kota Ambon", timezone="WIT", now=START
        )
        pontianak = await kkgs.create_kkg(
            session,
            name="KKG Gugus 5 Pontianak",
            district="Kota Pontianak",
            timezone="WIB",
            now=START,
        )
        await _member(session, ambon, "maria", "Maria Latuheru")
        await _member(session, pontianak, "rudi", "Rudi Hartono", lang="en")
        # In the demo KKG only guru1 keeps the schedule, to keep the transcript short.
        demo = await session.scalars(
            select(Identity.person_id).where(
                Identity.channel == "console",
                Identity.address.not_in(("guru1", "maria", "rudi")),
            )
        )
        for pid in list(demo):
            session.add(Learner(person_id=pid, paused_at=START, updated_at=START))
    check_golden("learning_zones", await transcript(console_app, SCRIPT))
    async with console_app.sessionmaker() as session:
        rows = (
            await session.execute(
                select(Identity.address, OutboxMessage.sent_at)
                .join(Identity, Identity.person_id == OutboxMessage.person_id)
                .where(OutboxMessage.idempotency_key.like("lesson:%"))
                .order_by(OutboxMessage.id)
            )
        ).all()
    sent = {
        (who, at.astimezone(ZoneInfo(zone)).strftime("%a %H:%M"))
        for who, at in rows
        for zone in [
            {"maria": "Asia/Jayapura", "guru1": "Asia/Makassar", "rudi": "Asia/Jakarta"}[who]
        ]
    }
    assert sent == {
        ("maria", "Tue 19:00"),
        ("guru1", "Tue 19:00"),
        ("rudi", "Tue 19:00"),
        ("maria", "Thu 19:00"),
        ("guru1", "Thu 19:00"),
        ("rudi", "Thu 19:00"),
    }
    assert [who for who, _ in rows][:3] == ["maria", "guru1", "rudi"]
    assert rows[0][1] == datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("UTC"))
