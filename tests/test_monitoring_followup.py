"""The reflection's second moment: counting school days, and the photo of student work
(only images, deleted after a semester and with the teacher)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from kkgbot.db.models import FilePerson, StoredFile
from kkgbot.monitoring import evidence
from kkgbot.monitoring.classroom_followup import nth_school_day
from kkgbot.monitoring.models import Reflection
from kkgbot.monitoring.reflections import ReflectionError
from kkgbot.privacy.personal_data import erase_person
from kkgbot.school_calendar.calendar import SchoolCalendar
from tests.test_monitoring_reflection import held_meeting, person_of, three_zones

SATURDAY = date(2026, 11, 7)


def test_third_school_day_counts_the_school_week_and_holidays():
    cal = SchoolCalendar(kkg_days={date(2026, 11, 10): (True, "Libur gugus")})
    # a Saturday meeting, five-day week: Monday 9, (Tuesday 10 off), Wednesday 11, Thursday 12
    assert nth_school_day(cal, SATURDAY, 3, 5) == date(2026, 11, 12)
    # a six-day week counts Saturdays: Friday 6 -> Saturday 7, Monday 9, Wednesday 11
    assert nth_school_day(cal, date(2026, 11, 6), 3, 6) == date(2026, 11, 11)
    assert nth_school_day(SchoolCalendar(), SATURDAY, 3, 5) == date(2026, 11, 11)


async def _tried_row(app):
    zones = await three_zones(app)
    async with app.sessionmaker() as s, s.begin():
        ayu = await person_of(s, "guru1")
        meeting = await held_meeting(s, app, zones["demo"], "Literasi Dasar",
                                     datetime(2026, 12, 1, 5, 0, tzinfo=UTC), [ayu])  # fmt: skip
        now = datetime(2026, 12, 4, 7, 0, tzinfo=UTC)
        s.add(Reflection(meeting_id=meeting.id, person_id=ayu, kkg_id=zones["demo"].id,
                         asked_at=now - timedelta(days=3), followup_due_at=now, followup_at=now,
                         tried=True, tried_at=now, student_response=4))  # fmt: skip
    return ayu, meeting.id, now


async def _upload(s, person_id: int, mime: str, at: datetime) -> int:
    f = StoredFile(name="x", mime=mime, data=b"x", created_at=at, uploaded_by_person_id=person_id)
    s.add(f)
    await s.flush()
    return f.id


async def test_a_file_that_is_not_a_photo_is_not_kept(console_app):
    ayu, mid, now = await _tried_row(console_app)
    async with console_app.sessionmaker() as s, s.begin():
        fid = await _upload(s, ayu, "application/pdf", now)
        try:
            await evidence.attach_photo(s, mid, ayu, fid, now)
        except ReflectionError as bad:
            assert bad.key == "monitoring.rf_photo_not_image"
        else:
            raise AssertionError("a PDF was kept as a photo")
    async with console_app.sessionmaker() as s:
        assert await s.get(StoredFile, fid) is None
        row = await s.scalar(select(Reflection).where(Reflection.person_id == ayu))
        assert row.photo_file_id is None


async def test_photo_goes_after_a_semester_and_with_the_teacher(console_app):
    ayu, mid, now = await _tried_row(console_app)
    async with console_app.sessionmaker() as s, s.begin():
        fid = await _upload(s, ayu, "image/jpeg", now)
        await evidence.attach_photo(s, mid, ayu, fid, now)
        assert await s.scalar(select(FilePerson.person_id).where(FilePerson.file_id == fid)) == ayu
    async with console_app.sessionmaker() as s, s.begin():
        assert await evidence.purge_old_photos(s, now + timedelta(days=100)) == 0
        assert await evidence.purge_old_photos(s, now + evidence.KEEP + timedelta(days=1)) == 1
        assert await s.get(StoredFile, fid) is None
    # a second photo, then the teacher erases their data: the photo goes with them
    async with console_app.sessionmaker() as s, s.begin():
        fid = await _upload(s, ayu, "image/png", now)
        await evidence.attach_photo(s, mid, ayu, fid, now)
    async with console_app.sessionmaker() as s, s.begin():
        await erase_person(s, ayu, now + timedelta(days=1))
    async with console_app.sessionmaker() as s:
        assert await s.get(StoredFile, fid) is None
