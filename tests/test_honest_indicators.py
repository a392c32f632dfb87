"""Indicators told honestly: exam and paperwork topics are not "members' choice of
classroom practice", a plan dominated by them is flagged, and the standards item on equal
participation is pre-filled from the attendance lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from kkgbot.db.models import Kkg
from kkgbot.digest.figures import ALERT_ADMIN_MONTH, ALERT_ADMIN_PLAN, alerts_for
from kkgbot.digest.kkg_figures import KkgFigures
from kkgbot.digest.period import Period
from kkgbot.monitoring import standards
from kkgbot.polls import workplan
from kkgbot.polls.models import SOURCE_KOORDINATOR, SOURCE_POLL
from kkgbot.polls.topics import ADMINISTRATION, PRACTICE, topic_kind
from tests.conftest import START
from tests.test_monitoring_reflection import held_meeting, person_of

NOW = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


def test_kinds_of_topics():
    assert topic_kind("asesmen-formatif", None) == PRACTICE
    assert topic_kind(None, "Menyusun soal ujian PAS") == ADMINISTRATION
    assert topic_kind(None, "Administrasi guru dan SPJ") == ADMINISTRATION
    assert topic_kind(None, "Membaca terbimbing di kelas 2") == PRACTICE
    assert topic_kind(None, "Pasar tradisional sebagai sumber belajar") == PRACTICE


async def test_voted_exam_topics_are_not_members_choice_of_practice(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
        month = date(2026, 12, 1)
        for title, topic, source in (
            ("Literasi dasar", "literasi-dasar", SOURCE_POLL),
            ("Menyusun soal ujian", None, SOURCE_POLL),
            ("Administrasi guru", None, SOURCE_KOORDINATOR),
        ):
            await workplan.add_items(s, kkg_id=kkg.id, items=[(title, topic, month)],
                                     source=source, poll_id=None, actor_id=None,
                                     now=START)  # fmt: skip
        share = await workplan.vote_share(s, kkg.id)
    assert (share.from_votes, share.total) == (1, 3)


def test_a_plan_or_a_month_of_exams_and_paperwork_is_flagged():
    period = Period(NOW, NOW - timedelta(days=7), NOW - timedelta(days=150),
                    NOW + timedelta(days=30), "Asia/Makassar")  # fmt: skip
    f = KkgFigures(kkg_id=1, name="KKG", timezone="Asia/Makassar", last_held_at=NOW,
                   plan_term=3, plan_admin_term=2, meetings_month=2,
                   meetings_admin_month=1)  # fmt: skip
    assert ALERT_ADMIN_PLAN in alerts_for(f, period)
    assert ALERT_ADMIN_MONTH not in alerts_for(f, period)  # half is not "dominated"
    f.plan_admin_term, f.meetings_admin_month = 1, 2
    alerts = alerts_for(f, period)
    assert ALERT_ADMIN_PLAN not in alerts and ALERT_ADMIN_MONTH in alerts


async def test_equal_participation_is_prefilled_from_attendance(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
        ayu = await person_of(s, "guru1")
        await held_meeting(s, console_app, kkg, "Literasi", NOW - timedelta(days=5), [ayu])
        found = await standards.suggestions(s, kkg.id, NOW)
    spread = found["sdm_merata"]
    assert spread.value == standards.NO and spread.params["count"] == 1
    assert spread.params["total"] > 2
