"""The seven-standards self-assessment: invited on the first Monday of January at 09:00,
answered in sittings with bad input along the way, resumed after a restart (a new App on
the same database), scored by hand, and seen by the pengawas.

Golden transcripts: tests/scripts/monitoring_standards_1.expected (first sitting) and
monitoring_standards_2.expected (after the restart).
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from kkgbot.app import App
from kkgbot.channels.console import ConsoleChannel
from kkgbot.clock import MovableClock
from kkgbot.db.models import Kkg
from kkgbot.monitoring import standards
from kkgbot.monitoring.figures import monitoring_figures
from kkgbot.monitoring.models import StandardsAnswer, StandardsAssessment
from kkgbot.polls import workplan
from kkgbot.polls.models import SOURCE_KOORDINATOR, SOURCE_POLL
from tests.console_helpers import check_golden, transcript
from tests.test_monitoring_reflection import held_meeting, person_of, three_zones

FIRST = """\
# 1 January 2027 is a Friday: the first Monday is the 4th. At 09.00 the koordinator is invited.
@clock: 2027-01-04 08:59 Asia/Makassar
@clock: 2027-01-04 09:00 Asia/Makassar
@koordinator: Mulai swa-evaluasi
@koordinator: Ya; SK Kepala Dinas No. 421/2025
@koordinator: asdf
@koordinator: Sebagian
@koordinator: 3
@koordinator: 😀
@koordinator: Ya
@koordinator: Sebagian; {long}
@koordinator: 1
# Item 6 is pre-filled from the work plan: two of three topics came from the members' poll.
@koordinator: Ya
@koordinator: Berhenti dulu
# A teacher has no self-assessment to fill; the pengawas sees the provisional result.
@guru1: /laporan
@pengawas: /laporan
"""

SECOND = """\
@koordinator: /laporan
@koordinator: Belum; belum pernah ada monitoring dari dinas
@koordinator: Sebagian
@koordinator: Ya
@koordinator: Ya
# Done: /laporan now shows the result; so does the pengawas's /report.
@koordinator: /laporan
@pengawas: /report
"""

# Items 7..25, answered in a second sitting (through the service, to keep the transcript
# short): all Ya except these.
SECOND_SITTING = {
    "prog_12": 0,
    "sdm_narasumber": 0,
    "sar_alat": 0,
    "kel_hadir": 1,
    "kel_notulen": 1,
    "biaya_sumber": 1,
}


async def test_self_assessment_in_sittings_across_a_restart(console_app, settings):
    zones = await three_zones(console_app)
    demo = zones["demo"]
    async with console_app.sessionmaker() as s, s.begin():
        ayu = await person_of(s, "guru1")
        koordinator = await person_of(s, "koordinator")
        start = datetime(2026, 10, 3, 1, 0, tzinfo=UTC)
        for n in range(3):  # three meetings in 2026: attendance on two, minutes on one
            meeting = await held_meeting(
                s, console_app, demo, f"Rapat {n + 1}", start + timedelta(days=30 * n),
                [ayu] if n < 2 else [],
            )  # fmt: skip
            meeting.notes_text = "Catatan" if n == 0 else None
        for source, title in ((SOURCE_POLL, "Literasi"), (SOURCE_POLL, "Numerasi"),
                              (SOURCE_KOORDINATOR, "Asesmen")):  # fmt: skip
            await workplan.add_items(
                s, kkg_id=demo.id, items=[(title, None, date(2027, 2, 1))], source=source,
                poll_id=None, actor_id=koordinator, now=start,
            )  # fmt: skip
    console_app.clock.set(datetime(2027, 1, 4, 0, 0, tzinfo=UTC))
    first = FIRST.replace("{long}", "catatan panjang " * 25)
    check_golden("monitoring_standards_1", await transcript(console_app, first))
    async with console_app.sessionmaker() as s:
        answers = {a.item_id: (a.value, a.note) for a in await s.scalars(select(StandardsAnswer))}
    assert answers == {
        "org_sk": (2, "SK Kepala Dinas No. 421/2025"),
        "org_pengurus": (1, None),
        "org_adart": (0, None),
        "org_anggota": (2, None),
        "prog_tertulis": (2, None),
        "prog_survei": (2, None),
    }
    await console_app.close()

    # The second sitting, and a restart: a new App on the same database.
    when = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)
    app = App(settings, MovableClock(when), {"console": ConsoleChannel(io.StringIO())})
    app.jobs.jobs = [j for j in app.jobs.jobs if j.name != "weekly_digest"]
    try:
        async with app.sessionmaker() as s, s.begin():
            kkg = await s.get(Kkg, demo.id)
            assessment = await standards.current(s, kkg, when)
            for item in standards.checklist().items[6:25]:
                value = SECOND_SITTING.get(item.id, 2)
                await standards.save_answer(s, assessment, item, value, None, koordinator, when)
        check_golden("monitoring_standards_2", await transcript(app, SECOND))
        async with app.sessionmaker() as s:
            row = await s.scalar(select(StandardsAssessment))
            figures = await monitoring_figures(
                s, [demo.id], datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC)
            )
    finally:
        await app.close()
    # By hand: organisasi 2+1+0+2 = 5/8 = 62.5 -> 63; program 2+2+2+0+2 = 8/10 = 80;
    # sdm 0+2+2+2 = 6/8 = 75; sarana 2+0+2+2 = 75; pengelolaan 1+1+2+2 = 75;
    # pembiayaan 2+1+2+2 = 7/8 = 87.5 -> 88; monev 0+1+2+2 (the script) = 5/8 = 62.5 -> 63.
    # Overall: (62.5 + 80 + 75 + 75 + 75 + 87.5 + 62.5) / 7 = 73.9 -> 74.
    assert row.term == "2027-1" and row.completed_at == when and row.score == 74
    f = figures[demo.id]
    assert f.standards_score == 74 and f.standards_assessed_at == when
    assert f.standards_by_area == {
        "organisasi": 63, "program": 80, "sdm": 75, "sarana": 75, "pengelolaan": 75,
        "pembiayaan": 88, "monev": 63,
    }  # fmt: skip


def test_checklist_has_seven_standards_and_enough_items():
    checklist = standards.checklist()
    assert [a.id for a in checklist.areas] == [
        "organisasi", "program", "sdm", "sarana", "pengelolaan", "pembiayaan", "monev",
    ]  # fmt: skip
    assert len(checklist.items) >= 25
    assert all(len(a.items) >= 3 for a in checklist.areas)
    assert {i.auto for i in checklist.items if i.auto} == {
        "workplan_from_poll", "attendance_recorded", "notulen_kept", "meetings_12",
        "attendance_spread",
    }  # fmt: skip
    assert all(i.text_en for i in checklist.items)
