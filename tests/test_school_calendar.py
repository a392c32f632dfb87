"""The school calendar: data, a district's and KKG's own days, and the jobs that keep
school time (lessons skipped; pulse, reflections and digests moved to the next school
day), the Ramadan lesson schedule, the meeting note and the admin CLI."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import func, select

from kkgbot.db.models import Identity, Kkg, OutboxMessage
from kkgbot.digest.models import DigestRound
from kkgbot.learning.models import Learner, LessonProgress
from kkgbot.messages import Inbound
from kkgbot.monitoring.models import PulseAnswer, Reflection
from kkgbot.school_calendar import days as calendar_days
from kkgbot.school_calendar.calendar import SchoolCalendar, for_kkg
from kkgbot.school_calendar.data import CALENDAR_DIR
from kkgbot.school_calendar.days import Scope
from tests.conftest import START
from tests.test_cli import bot
from tests.test_monitoring_reflection import held_meeting

WITA = ZoneInfo("Asia/Makassar")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WITA)


async def say(app, who: str, text: str) -> list[str]:
    await app.router.handle(Inbound(channel="console", address=who, text=text))
    await app.dispatcher.drain()
    return [m.text or "" for m in app.console.sent_to(who)] if hasattr(app, "console") else []


async def demo_kkg(app) -> Kkg:
    async with app.sessionmaker() as s:
        return await s.get(Kkg, 1)


async def add_kkg_day(app, day: date, name: str = "Hari jadi kabupaten") -> None:
    async with app.sessionmaker() as s, s.begin():
        kkg = await s.get(Kkg, 1)
        await calendar_days.add_days(s, Scope(kkg.district_id, kkg), [day], name, START)


async def count(app, model, *where) -> int:
    async with app.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(model).where(*where))


def test_data_files_are_provisional_with_a_source():
    for year in (2026, 2027):
        raw = yaml.safe_load((CALENDAR_DIR / f"{year}.yaml").read_text(encoding="utf-8"))
        assert raw["provisional"] is True and raw["source"].strip()
        assert raw["semester_breaks"]["estimate"] is True
        assert raw["cuti_bersama"]


def test_national_holidays_cuti_bersama_and_breaks():
    cal = SchoolCalendar()
    assert "Kemerdekaan" in cal.off(date(2026, 8, 17))
    assert cal.off(date(2026, 12, 24)).startswith("Cuti bersama")
    assert "perkiraan" in cal.off(date(2026, 12, 28))
    assert cal.off(date(2026, 12, 1)) is None
    assert cal.off(date(2027, 1, 1)) is not None  # New Year inside the break
    # Monday 29 June 2026 starts the break: the next school day is Monday 13 July
    assert cal.next_school_day(date(2026, 6, 29)) == date(2026, 7, 13)
    moved = cal.shift(local("2026-08-17 19:00"), "Asia/Makassar")
    assert moved == local("2026-08-18 19:00")


async def test_kkg_days_win_over_district_and_data(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        kkg = await s.get(Kkg, 1)
        district = Scope(kkg.district_id)
        await calendar_days.add_days(s, district, [date(2026, 12, 9)], "Pilkada", START)
        await calendar_days.remove_days(
            s, Scope(kkg.district_id, kkg), [date(2026, 12, 9), date(2026, 8, 17)], "Sekolah", START
        )
        cal = await for_kkg(s, kkg)
        assert cal.off(date(2026, 12, 9)) is None and cal.off(date(2026, 8, 17)) is None
        district_cal = await calendar_days.list_days(s, district, 2026)
        assert any(d.day == date(2026, 12, 9) and d.origin == "district" for d in district_cal)
        listed = await calendar_days.list_days(s, Scope(kkg.district_id, kkg), 2026)
        assert any(d.day == date(2026, 8, 17) and d.origin == "school" for d in listed)


async def test_lesson_slot_on_a_day_off_is_skipped(console_app):
    await add_kkg_day(console_app, date(2026, 12, 3))
    await console_app.advance_to(local("2026-12-03 20:00"))
    assert await count(console_app, LessonProgress) == 9  # Tuesday's only
    await console_app.advance_to(local("2026-12-08 19:00"))
    assert await count(console_app, LessonProgress) == 18  # the sequence simply continues
    # the semester break (estimate, from 21 December): no lessons at all
    async with console_app.sessionmaker() as s, s.begin():
        for row in await s.scalars(select(LessonProgress)):
            row.answered_at = START  # no pile-up holds lessons back
    await console_app.advance_to(local("2026-12-22 19:00"))
    before = await count(console_app, LessonProgress)
    await console_app.advance_to(local("2026-12-31 20:00"))
    assert await count(console_app, LessonProgress) == before


async def test_pulse_moves_to_the_next_school_day(console_app):
    await add_kkg_day(console_app, date(2026, 12, 7))
    await console_app.advance_to(local("2026-12-07 20:00"))
    assert await count(console_app, PulseAnswer) == 0
    await console_app.advance_to(local("2026-12-08 19:00"))
    async with console_app.sessionmaker() as s:
        months = set(await s.scalars(select(PulseAnswer.month)))
        asked = set(await s.scalars(select(PulseAnswer.asked_at)))
    assert months == {date(2026, 12, 1)}
    assert {a.astimezone(WITA).date() for a in asked} == {date(2026, 12, 8)}


async def test_reflection_question_waits_for_the_school_day(console_app):
    await add_kkg_day(console_app, date(2026, 12, 2))
    async with console_app.sessionmaker() as s, s.begin():
        kkg = await s.get(Kkg, 1)
        pid = await s.scalar(select(Identity.person_id).where(Identity.address == "guru1"))
        await held_meeting(s, console_app, kkg, "Rapat", local("2026-12-02 09:00"), [pid])
    await console_app.advance_to(local("2026-12-02 23:00"))
    assert await count(console_app, Reflection) == 0
    await console_app.advance_to(local("2026-12-03 12:00"))
    async with console_app.sessionmaker() as s:
        asked = await s.scalar(select(Reflection.asked_at))
    assert asked.astimezone(WITA) == local("2026-12-03 12:00")


async def test_digest_moves_off_a_district_holiday(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        kkg = await s.get(Kkg, 1)
        await calendar_days.add_days(s, Scope(kkg.district_id), [date(2026, 12, 7)], "Libur", START)
        for pid in await s.scalars(select(Identity.person_id)):
            s.add(Learner(person_id=pid, paused_at=START, updated_at=START))
    await console_app.advance_to(local("2026-12-07 12:00"))
    assert await count(console_app, DigestRound) == 0
    await console_app.advance_to(local("2026-12-08 07:00"))
    assert await count(console_app, DigestRound) > 0
    async with console_app.sessionmaker() as s:
        sent = await s.scalar(select(func.min(DigestRound.sent_at)))
    assert sent.astimezone(WITA) == local("2026-12-08 07:00")


async def test_ramadan_schedule_then_back_to_usual(console_app):
    await console_app.router.handle(
        Inbound(
            channel="console",
            address="koordinator",
            text="/materi ramadan 7/12/2026 13/12/2026; Senin, Rabu; 21.00",
        )
    )
    await console_app.dispatcher.drain()
    async with console_app.sessionmaker() as s:
        payloads = list(await s.scalars(select(OutboxMessage.payload).order_by(OutboxMessage.id)))
    assert "7 Desember 2026 – 13 Desember 2026" in str(payloads[-1])

    async def slots_used() -> list[str]:
        async with console_app.sessionmaker() as s:
            times = await s.scalars(select(LessonProgress.sent_at).distinct())
            return sorted(t.astimezone(WITA).strftime("%a %d %H:%M") for t in times)

    async with console_app.sessionmaker() as s, s.begin():
        for pid in await s.scalars(select(Identity.person_id)):
            s.add(Learner(person_id=pid, paused_at=None, updated_at=START))
    for day in ("01", "03", "07", "08", "09", "10", "14", "15"):
        await console_app.advance_to(local(f"2026-12-{day} 22:00"))
        async with console_app.sessionmaker() as s, s.begin():
            for row in await s.scalars(select(LessonProgress)):
                row.answered_at = row.answered_at or row.sent_at
    # usual Tue/Thu 19.00, then Mon/Wed 21.00 from 7 to 13 December, then usual again
    assert await slots_used() == [
        "Mon 07 21:00", "Thu 03 19:00", "Tue 01 19:00", "Tue 15 19:00", "Wed 09 21:00"
    ]  # fmt: skip


async def test_bad_ramadan_lines_change_nothing(console_app):
    for line in (
        "/materi ramadan 13/12/2026 7/12/2026; Senin; 21.00",
        "/materi ramadan kemarin; Senin; 21.00",
        "/materi ramadan 1/12/2026 28/2/2027; Senin; 21.00",
    ):
        await console_app.router.handle(
            Inbound(channel="console", address="koordinator", text=line)
        )
    await console_app.router.handle(
        Inbound(
            channel="console",
            address="guru1",
            text="/materi ramadan 7/12/2026 9/12/2026; Senin; 21.00",
        )
    )
    await console_app.dispatcher.drain()
    from kkgbot.learning.models import LessonSchedulePeriod

    assert await count(console_app, LessonSchedulePeriod) == 0


async def test_meeting_on_a_holiday_gets_a_note(console_app):
    from handlers.meetings.schedule import holiday_note

    class Ctx:
        lang = "id"

        def __init__(self, session):
            self.session = session

        def t(self, key, **params):
            from kkgbot import i18n

            return i18n.t("id", key, **params)

    async with console_app.sessionmaker() as s:
        kkg = await s.get(Kkg, 1)
        note = await holiday_note(Ctx(s), kkg, [datetime(2026, 12, 25, 1, 0, tzinfo=UTC)])
        none = await holiday_note(Ctx(s), kkg, [START + timedelta(days=1)])
    assert "25 Desember 2026" in note and "Natal" in note
    assert none == ""


@pytest.mark.slow  # the admin CLI as real subprocesses
def test_admin_calendar_cli(db_url):
    made = bot(db_url, "admin", "create-kkg", "KKG Gugus 1", "--district", "Kota Bima",
               "--timezone", "WITA")  # fmt: skip
    assert made.returncode == 0, made.stderr
    added = bot(db_url, "admin", "calendar", "add", "2026-07-01", "--district", "Kota Bima",
                "--name", "Hari jadi Kota Bima")  # fmt: skip
    assert added.returncode == 0, added.stderr
    province = bot(db_url, "admin", "calendar", "province", "nusa-tenggara-barat",
                   "--district", "Kota Bima")  # fmt: skip
    assert province.returncode == 0, province.stderr
    listed = bot(db_url, "admin", "calendar", "list", "--kkg", "KKG Gugus 1", "--year", "2026")
    assert "2026-08-17" in listed.stdout and "perkiraan" in listed.stdout
    assert "sementara" in listed.stdout
    removed = bot(db_url, "admin", "calendar", "remove", "2026-08-17", "--kkg", "KKG Gugus 1")
    assert removed.returncode == 0 and "1 hari" in removed.stdout
    bad = bot(db_url, "admin", "calendar", "add", "31-02-2026", "--district", "Kota Bima",
              "--name", "x")  # fmt: skip
    assert bad.returncode == 2 and "tidak dikenali" in bad.stdout
    bad = bot(db_url, "admin", "calendar", "province", "atlantis", "--district", "Kota Bima")
    assert bad.returncode == 2 and "tidak dikenal" in bad.stdout
    week = bot(db_url, "admin", "calendar", "week", "5", "--kkg", "KKG Gugus 1")
    assert week.returncode == 0 and "5 hari sekolah seminggu" in week.stdout
    bad = bot(db_url, "admin", "calendar", "week", "7", "--kkg", "KKG Gugus 1")
    assert bad.returncode != 0
