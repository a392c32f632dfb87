"""The monthly pulse at 19:00 local on the first Monday, in WIT, WITA and WIB KKGs in one
run: answers by label and by number, a changed answer, bad input, a late answer through
/laporan, and the question closed after 21 days. Golden transcript:
tests/scripts/monitoring_pulse.expected.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from kkgbot.db.models import Kkg, Person
from kkgbot.monitoring.models import PulseAnswer
from kkgbot.people import roles
from tests.console_helpers import check_golden, transcript
from tests.test_monitoring_reflection import person_of, three_zones

SCRIPT = """\
# The first Monday of December is the 7th: 19.00 in Ambon (WIT) first, Pontianak (WIB) last.
@clock: 2026-12-07 18:59 Asia/Jayapura
@clock: 2026-12-07 19:00 Asia/Jayapura
@maria: 5
@clock: 2026-12-07 19:00 Asia/Makassar
@guru1: Setuju
@guru1: Sangat setuju
@guru2: 6
@guru2: 2
@guru3: 😀
@clock: 2026-12-07 19:00 Asia/Jakarta
@rudi: 3
# Ten days later Baiq answers through /laporan; the koordinator has it waiting next to the
# self-assessment.
@clock: 2026-12-17 10:00 Asia/Makassar
@guru3: /laporan
@guru3: 4
@koordinator: /laporan
@koordinator: 2
@koordinator: Tidak setuju
# After 21 days the month's question is closed.
@clock: 2026-12-29 10:00 Asia/Makassar
@maria: 1
@guru1: /laporan
"""


async def test_pulse_in_three_zones(console_app):
    await three_zones(console_app, quiet_pulse=False)
    async with console_app.sessionmaker() as s, s.begin():
        demo = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
        for handle in ("guru4", "guru5", "guru6", "guru7", "guru8"):
            person = await s.get(Person, await person_of(s, handle))
            await roles.leave_kkg(s, person=person, kkg=demo, now=console_app.clock.now())
    check_golden("monitoring_pulse", await transcript(console_app, SCRIPT))
    async with console_app.sessionmaker() as s:
        rows = list(await s.scalars(select(PulseAnswer).order_by(PulseAnswer.id)))
        who = {r.person_id: r for r in rows}
        ids = {h: await person_of(s, h) for h in ("maria", "guru1", "guru2", "guru3", "rudi")}
    assert len(rows) == 6  # maria, koordinator, guru1-3, rudi: once each
    assert who[ids["maria"]].asked_at == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    assert who[ids["rudi"]].asked_at == datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    assert {h: who[ids[h]].score for h in ids} == {
        "maria": 5, "guru1": 5, "guru2": 2, "guru3": 4, "rudi": 3,
    }  # fmt: skip
    assert all(r.month.isoformat() == "2026-12-01" for r in rows)
