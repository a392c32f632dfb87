"""Pendampingan: a pengawas records a classroom visit with /kunjungan, bad input along the
way (a teacher outside their scope, a future date, a checklist number that does not
exist), the teacher receives the next step and is asked about it a week later; the
digest's figures count visits and teachers with no visit in 90 days.

The transcript is the readable golden file tests/scripts/visits.expected.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from kkgbot.monitoring.practices import practices
from kkgbot.visits.models import Visit
from kkgbot.visits.service import visit_figures
from tests.console_helpers import check_golden, transcript
from tests.test_monitoring_reflection import person_of, three_zones

SCRIPT = """\
@clock: 2026-12-03 10:00 Asia/Makassar
# A teacher may not record visits.
@guru2: /kunjungan
# The pengawas of the Mataram KKG: Maria teaches in Ambon, outside their scope.
@pengawas: /kunjungan
@pengawas: Maria Latuheru
@pengawas: Ni Made
@pengawas: besok lusa
@pengawas: 10/12
@pengawas: kemarin
@pengawas: Tiket keluar di akhir pelajaran
@pengawas: 1 7
@pengawas: 1 3
@pengawas: ok
@pengawas: Mencoba tiket keluar dua kali minggu ini, lalu dibahas bersama
@pengawas: Ya
# A week later the teacher is asked about the next step.
@clock: 2026-12-10 10:00 Asia/Makassar
@guru1: Sebagian
"""


async def test_a_visit_from_record_to_next_step(console_app):
    zones = await three_zones(console_app)
    check_golden("visits", await transcript(console_app, SCRIPT))
    async with console_app.sessionmaker() as s:
        ayu = await person_of(s, "guru1")
        visits = list(await s.scalars(select(Visit)))
        assert len(visits) == 1
        visit = visits[0]
        assert (visit.teacher_id, visit.kkg_id, visit.practice_id) == (
            ayu, zones["demo"].id, "tiket-keluar")  # fmt: skip
        assert visit.observed == [True, False, True] and visit.answer == "partly"
        assert visit.visited_on.isoformat() == "2026-12-02"
        now = datetime(2026, 12, 10, 3, 0, tzinfo=UTC)
        figures = await visit_figures(
            s, [zones["demo"].id, zones["ambon"].id], now - timedelta(days=30), now
        )
        demo, ambon = figures[zones["demo"].id], figures[zones["ambon"].id]
        assert demo.visits == 1 and demo.unvisited_90 == demo.teachers - 1
        assert (ambon.visits, ambon.unvisited_90, ambon.teachers) == (0, 1, 1)
        assert await s.scalar(select(func.count()).select_from(Visit)) == 1


def test_every_practice_has_three_to_five_checklist_items():
    for practice in practices().all():
        assert 3 <= len(practice.checklist) <= 5, practice.id
        assert all(item["id"] and item["en"] for item in practice.checklist)
