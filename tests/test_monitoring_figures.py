"""`monitoring_figures` on a small data set whose figures are worked out by hand below;
plus the rules around it: three SQL statements whatever the size, a second run of the
jobs asks nobody twice, a roster mark after the meeting still gets a reflection, and a
koordinator of two KKGs is asked which one the self-assessment is for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from kkgbot.db.models import Identity, Kkg, OutboxMessage, Person
from kkgbot.meetings.models import Attendance, Meeting
from kkgbot.monitoring.figures import MonitoringFigures, monitoring_figures
from kkgbot.monitoring.models import PulseAnswer, Reflection, StandardsAnswer, StandardsAssessment
from kkgbot.people import kkgs, roles
from tests.conftest import START
from tests.test_monitoring_reflection import held_meeting, person_of, said, three_zones

DEC = datetime(2026, 12, 1, tzinfo=UTC)
JAN = datetime(2027, 1, 1, tzinfo=UTC)
NOV = datetime(2026, 11, 20, tzinfo=UTC)


def _in(days: int) -> datetime:
    return DEC + timedelta(days=days)


async def _people(s, n: int) -> list[int]:
    out = []
    for i in range(n):
        p = Person(name=f"Guru {i}", language="id", created_at=START, onboarded_at=START)
        s.add(p)
        await s.flush()
        out.append(p.id)
    return out


async def _meeting(s, kkg_id: int, starts: datetime) -> int:
    m = Meeting(kkg_id=kkg_id, title="Rapat", starts_at=starts, duration_minutes=120, place="SD",
                jp=2, checkin_code="ABCDEF", created_at=starts, updated_at=starts,
                timed_at=starts, sequence=0)  # fmt: skip
    s.add(m)
    await s.flush()
    return m.id


async def test_figures_by_hand(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        a = await kkgs.create_kkg(s, name="KKG A", district="Kota A", timezone="WITA", now=START)
        b = await kkgs.create_kkg(s, name="KKG B", district="Kota B", timezone="WIB", now=START)
        c = await kkgs.create_kkg(s, name="KKG C", district="Kota C", timezone="WIT", now=START)
        p = await _people(s, 8)
        ma, mb = await _meeting(s, a.id, _in(1)), await _meeting(s, b.id, _in(1))
        old = await _meeting(s, a.id, NOV)

        def rf(meeting, kkg, person, asked, tried=None, resp=None, done=None, support=None,
               useful=None, followup=None):  # fmt: skip
            s.add(Reflection(meeting_id=meeting, kkg_id=kkg, person_id=person, asked_at=asked,
                             tried=tried, student_response=resp, answered_at=done,
                             support_text=support, useful=useful, followup_at=followup,
                             followup_due_at=followup))  # fmt: skip

        # KKG A, asked in December: five reflections, all followed up on 5 December
        rf(ma, a.id, p[0], _in(1), True, 4, _in(2), "Contoh modul ajar", 4, _in(4))  # tried, 4
        rf(ma, a.id, p[1], _in(1), True, 5, _in(3), useful=5, followup=_in(4))  # tried, 5
        rf(ma, a.id, p[2], _in(1), False, None, _in(2), useful=3, followup=_in(4))  # not tried
        rf(ma, a.id, p[3], _in(1), followup=_in(4))  # answered neither
        rf(ma, a.id, p[4], _in(1), useful=2, followup=_in(4))  # useful only: not answered
        rf(old, a.id, p[0], NOV, True, 1, NOV, followup=NOV)  # November: outside the period
        # KKG B: two asked, none answered
        rf(mb, b.id, p[5], _in(1))
        rf(mb, b.id, p[6], _in(1))
        # Pulse, KKG A: December 5, 4, 2, 3 and one unanswered; a November 5 outside
        month = date(2026, 12, 1)
        for person, score in zip(p[:5], (5, 4, 2, None, 3), strict=True):
            s.add(PulseAnswer(kkg_id=a.id, person_id=person, month=month, asked_at=_in(6),
                              score=score, answered_at=_in(6) if score else None))  # fmt: skip
        s.add(PulseAnswer(kkg_id=a.id, person_id=p[0], month=date(2026, 11, 1), asked_at=NOV,
                          score=5, answered_at=NOV))  # fmt: skip
        # Standards, KKG B: last term (all Ya), this term (done 10 Dec), next (after the end)
        for term, done, values in (
            ("2026-1", datetime(2026, 6, 10, tzinfo=UTC), {"organisasi": [2, 2]}),
            ("2026-2", _in(9), {"organisasi": [2, 2], "program": [1, 0], "monev": [2, 1, 1]}),
            ("2027-1", datetime(2027, 1, 5, tzinfo=UTC), {"organisasi": [0, 0]}),
        ):
            row = StandardsAssessment(kkg_id=b.id, term=term, started_at=done, completed_at=done,
                                      score=64 if term == "2026-2" else 0)  # fmt: skip
            s.add(row)
            await s.flush()
            n = 0
            for area, vals in values.items():
                for v in vals:
                    n += 1
                    s.add(StandardsAnswer(assessment_id=row.id, area=area, item_id=f"i{n}",
                                          value=v, answered_at=done))  # fmt: skip
    statements = []
    async with console_app.sessionmaker() as s:
        sync_engine = (await s.connection()).engine.sync_engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(sync_engine, "before_cursor_execute", listener)
        try:
            figures = await monitoring_figures(s, [a.id, b.id, c.id], DEC, JAN)
        finally:
            event.remove(sync_engine, "before_cursor_execute", listener)
    assert len(statements) == 4  # one aggregate per moment and instrument, whatever the rows
    fa, fb, fc = figures[a.id], figures[b.id], figures[c.id]
    # KKG A: asked 5, answered 3 (p0, p1, p2) -> 60%, useful (4 + 5 + 3 + 2) / 4 = 3.5;
    # follow-ups: 5 asked, 3 answered, 2 tried -> 2/3; students (4 + 5) / 2 = 4.5;
    # one support request; pulse 5 asked, 4 answers, 5 and 4 agree -> 50%.
    assert (fa.reflections_asked, fa.reflections_answered) == (5, 3)
    assert fa.response_rate == pytest.approx(0.6)
    assert fa.mean_useful == pytest.approx(3.5)
    assert (fa.followups_asked, fa.followups_answered, fa.tried) == (5, 3, 2)
    assert fa.tried_share == pytest.approx(2 / 3)
    assert fa.mean_student_response == pytest.approx(4.5)
    assert fa.support_requests == 1
    assert (fa.pulse_asked, fa.pulse_answers, fa.pulse_share_4_5) == (5, 4, pytest.approx(0.5))
    assert fa.standards_score is None and fa.standards_by_area == {}
    # KKG B: 2 asked, 0 answered -> 0%, nothing to share; standards of 10 December:
    # organisasi 4/4 = 100, program 1/4 = 25, monev 4/6 = 66.7 -> 67; stored score 64.
    assert (fb.reflections_asked, fb.reflections_answered, fb.response_rate) == (2, 0, 0.0)
    assert fb.tried_share is None and fb.mean_student_response is None
    assert (fb.pulse_answers, fb.pulse_share_4_5) == (0, None)
    assert fb.standards_score == 64 and fb.standards_assessed_at == _in(9)
    assert fb.standards_by_area == {"organisasi": 100, "program": 25, "monev": 67}
    assert fc == MonitoringFigures()
    async with console_app.sessionmaker() as s:
        assert await monitoring_figures(s, [], DEC, JAN) == {}


async def test_jobs_ask_once_and_late_roster_marks_are_asked(console_app):
    zones = await three_zones(console_app)
    async with console_app.sessionmaker() as s, s.begin():
        ayu, zaini = await person_of(s, "guru1"), await person_of(s, "guru2")
        meeting = await held_meeting(s, console_app, zones["demo"], "Literasi",
                                     datetime(2026, 12, 1, 5, 0, tzinfo=UTC), [ayu])  # fmt: skip
    at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 16.00 WITA
    console_app.clock.set(at)
    await console_app.jobs.run_due(at)
    await console_app.jobs.run_due(at)  # a retried tick
    async with console_app.sessionmaker() as s, s.begin():
        # the koordinator marks Zaini present after the meeting
        s.add(
            Attendance(
                meeting_id=meeting.id, person_id=zaini, checked_in_at=at, method="roster", jp=2
            )
        )
    await console_app.advance_to(at + timedelta(minutes=5))
    async with console_app.sessionmaker() as s:
        rows = list(await s.scalars(select(Reflection).order_by(Reflection.person_id)))
        sent = await s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like("reflection:%"))
        )
    assert [r.person_id for r in rows] == sorted([ayu, zaini]) and sent == 2


async def test_koordinator_of_two_kkgs_chooses(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        other = await kkgs.create_kkg(s, name="KKG Gugus 9 Lombok", district="Kota Mataram",
                                      timezone="WITA", now=START, invite_code="LOMBOK")  # fmt: skip
        rahma = await s.get(Person, await person_of(s, "koordinator"))
        await roles.grant(s, person=rahma, role="koordinator", kkg=other, now=START)
    reply = await said(console_app, "koordinator", "/laporan")
    assert "Untuk KKG yang mana?" in reply and "KKG Gugus 9 Lombok" in reply
    reply = await said(console_app, "koordinator", "LOMBOK")
    assert "KKG Gugus 9 Lombok" in reply and "Butir 1/" in reply
    async with console_app.sessionmaker() as s:
        row = await s.scalar(select(StandardsAssessment))
        names = await s.scalar(select(Kkg.name).where(Kkg.id == row.kkg_id))
        assert names == "KKG Gugus 9 Lombok"
        assert await s.scalar(select(func.count()).select_from(Identity)) > 0
