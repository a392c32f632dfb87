"""A meeting's length: read as teachers write it, kept inside the day, and used wherever the
end matters (the .ics, the feed, clashes, check-in, JP, recurring occurrences)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import select

from kkgbot.db.models import Kkg, OutboxMessage, StoredFile
from kkgbot.meetings import calendar_feed
from kkgbot.meetings import rsvp as meetings_rsvp
from kkgbot.meetings.duration import (
    check_end,
    duration_text,
    minutes_until,
    parse_duration,
    split_range,
)
from kkgbot.meetings.models import Attendance, Meeting, MeetingSeries
from kkgbot.meetings.service import MeetingError
from tests.test_meetings import person_id, say, schedule

WITA = "Asia/Makassar"


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90 menit", 90),
        ("1,5 jam", 90),
        ("1.5 jam", 90),
        ("2 jam 30 menit", 150),
        ("2 jam dan 15 menit", 135),
        ("satu setengah jam", 90),
        ("setengah jam", 30),
        ("3 JAM", 180),
        ("2 hours", 120),
        ("1 hour 30 minutes", 90),
        ("2", 120),
        ("45", 45),
        (240, 240),
    ],
)
def test_durations_as_teachers_write_them(text, minutes):
    assert parse_duration(text) == minutes


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("0 menit", "meetings.duration_too_short"),
        ("10 menit", "meetings.duration_too_short"),
        ("13 jam", "meetings.duration_too_long"),
        ("600 menit", "meetings.duration_too_long"),
        ("lama sekali", "meetings.duration_invalid"),
        ("🙂", "meetings.duration_invalid"),
        ("", "meetings.duration_invalid"),
        ("20", "meetings.duration_invalid"),
        ("jam 2", "meetings.duration_invalid"),
        ("-2 jam", "meetings.duration_invalid"),
    ],
)
def test_bad_durations_are_refused_with_a_reason(text, key):
    with pytest.raises(MeetingError) as refused:
        parse_duration(text)
    assert refused.value.key == key


def test_an_end_written_with_the_start():
    assert split_range("2026-12-05 09:00-11:30") == ("2026-12-05 09:00", (11, 30))
    assert split_range("Sabtu depan 09.00 sampai 11.30 WITA") == ("Sabtu depan 09:00", (11, 30))
    assert split_range("5 Desember 2026 09.00 – 12.00") == ("5 Desember 2026 09:00", (12, 0))
    assert split_range("2026-12-05 09:00") == ("2026-12-05 09:00", None)
    start = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 09.00 WITA
    assert minutes_until(start, (11, 30), WITA) == 150
    with pytest.raises(MeetingError, match="end_before_start"):
        minutes_until(start, (8, 0), WITA)
    with pytest.raises(MeetingError, match="end_invalid"):
        minutes_until(start, (25, 0), WITA)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Sabtu depan jam 9-11", "Sabtu depan 9:00", (11, 0)),
        ("Sabtu depan jam 9 - jam 11 WITA", "Sabtu depan 9:00", (11, 0)),
        ("besok pukul 9 s.d. 11.30", "besok 9:00", (11, 30)),
        ("besok jam 1-3 siang", "besok 1:00 siang", (15, 0)),
        ("besok jam 7-9 malam", "besok 7:00 malam", (21, 0)),
        ("besok 09.00-11", "besok 09:00", (11, 0)),
        ("next Saturday at 9-11", "next Saturday 9:00", (11, 0)),
        ("tomorrow at 1-3:30 pm", "tomorrow 1:00 pm", (15, 30)),
        ("5-6 Desember", "5-6 Desember", None),  # a span of days is not a clock range
        ("2026-12-05 9-11", "2026-12-05 9-11", None),  # bare hours: the date parser refuses
    ],
)
def test_ranges_as_teachers_say_them(text, start, end):
    assert split_range(text) == (start, end)


def test_an_impossible_end_in_a_range_is_refused():
    with pytest.raises(MeetingError, match="end_invalid"):
        split_range("tomorrow at 9-13 pm")


def test_an_end_on_the_12_hour_clock_is_read_in_the_afternoon():
    one_pm = datetime(2026, 12, 5, 5, 0, tzinfo=UTC)  # 13.00 WITA
    assert minutes_until(one_pm, (3, 0), WITA) == 120  # "13.00-3" ends at 15.00
    nine = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 09.00 WITA
    with pytest.raises(MeetingError, match="end_before_start"):
        minutes_until(nine, (8, 0), WITA)  # not 20.00: eleven hours is no meeting


def test_a_meeting_ends_by_22_on_its_day():
    evening = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)  # 20.00 WITA
    check_end(evening, 120, WITA)  # 22.00 exactly is fine
    with pytest.raises(MeetingError) as late:
        check_end(evening, 121, WITA)
    assert late.value.key == "meetings.duration_ends_too_late"
    assert late.value.params["end"] == "22.01"


def test_duration_text_in_both_languages():
    assert duration_text(150, "id") == "2 jam 30 menit"
    assert duration_text(60, "en") == "1 hour"
    assert duration_text(90, "en") == "1 hour 30 minutes"


async def test_a_range_on_one_line_sets_the_length_everywhere(console_app):
    meeting = await schedule(console_app, "Literasi Dasar; 2026-12-05 09:00-11:30; SDN 1 Mataram")
    assert meeting.duration_minutes == 150 and meeting.jp == 3
    async with console_app.sessionmaker() as s, s.begin():
        row = await s.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like("meeting-new:%"))
        )
        stored = await s.get(StoredFile, row.payload["file_id"])
        kkg = await s.scalar(select(Kkg))
        feed = await calendar_feed.build_feed(
            s, kkg, now=console_app.clock.now(), offsets_hours=[24, 2]
        )
    for data in (stored.data, feed):
        (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
        assert event.decoded("dtend").astimezone(UTC) == datetime(2026, 12, 5, 3, 30, tzinfo=UTC)


async def test_a_spoken_range_on_one_line(console_app):
    meeting = await schedule(console_app, "Numerasi; 5 Desember 2026 jam 1-3 siang; SDN 2")
    assert meeting.duration_minutes == 120
    assert meeting.starts_at.replace(tzinfo=UTC) == datetime(2026, 12, 5, 5, 0, tzinfo=UTC)


async def test_one_line_without_an_end_is_two_hours_and_a_late_start_is_refused(console_app):
    meeting = await schedule(console_app, "Literasi Dasar; 2026-12-05 09:00; SDN 1 Mataram")
    assert meeting.duration_minutes == 120 and meeting.jp == 2
    reply = await say(console_app, "koordinator", "/jadwal Malam; 2026-12-07 21:00; SDN 1")
    assert "22.00" in reply and "23.00" in reply
    async with console_app.sessionmaker() as s:
        assert len(list(await s.scalars(select(Meeting)))) == 1


async def test_the_conversation_asks_the_length_and_a_series_keeps_it(console_app):
    await say(console_app, "koordinator", "/jadwal")
    await say(console_app, "koordinator", "Pembelajaran Berdiferensiasi")
    asked = await say(console_app, "koordinator", "12 Desember 2026 19.00")
    assert "Berapa lama" in asked and "[4] 4 jam" in asked
    refused = await say(console_app, "koordinator", "4 jam")  # would end at 23.00
    assert "22.00" in refused and "Berapa lama" in refused
    await say(console_app, "koordinator", "2 jam 30 menit")
    await say(console_app, "koordinator", "Rutin setiap bulan, hari Sabtu kedua, pukul 19.00")
    await say(console_app, "koordinator", "Aula SDN 5 Mataram")
    await say(console_app, "koordinator", "Lewati")
    await say(console_app, "koordinator", "Lewati")
    summary = await say(console_app, "koordinator", "Lewati")  # no topic
    assert "19.00–21.30 WITA" in summary
    await say(console_app, "koordinator", "Ya")
    async with console_app.sessionmaker() as s:
        lengths = {m.duration_minutes for m in await s.scalars(select(Meeting))}
        series = await s.scalar(select(MeetingSeries))
    assert lengths == {150} and series.duration_minutes == 150


async def test_clashes_use_each_meetings_own_length(console_app):
    await schedule(console_app, "Literasi Dasar; 2026-12-05 09:00-10:00; SDN 1 Mataram")
    await say(console_app, "koordinator", "/jadwal Numerasi; 2026-12-05 10:00; SDN 1 Mataram")
    apart = await say(console_app, "koordinator", "/batal")
    assert "bertabrakan" not in apart
    reply = await say(console_app, "koordinator", "/jadwal Numerasi; 2026-12-05 08:00; SDN 2")
    assert "bertabrakan" in reply  # 08.00-10.00 meets 09.00-10.00
    await say(console_app, "koordinator", "/batal")
    reply = await say(console_app, "koordinator", "/jadwal Numerasi; 2026-12-05 08:00-09:00; SDN 2")
    assert "bertabrakan" not in reply


async def test_editing_the_length_moves_the_end_jp_and_check_in(console_app):
    meeting = await schedule(console_app, "Literasi Dasar; 2026-12-05 09:00; SDN 1 Mataram")
    guru1 = await person_id(console_app, "guru1")
    console_app.clock.set(meeting.starts_at + timedelta(minutes=10))
    checked = await say(console_app, "guru1", f"/hadir {meeting.checkin_code}")
    assert "2 JP" in checked
    await say(console_app, "koordinator", data=f"a:medit:{meeting.id}")
    await say(console_app, "koordinator", "Durasi")
    assert "sama dengan sebelumnya" in await say(console_app, "koordinator", "2 jam")
    assert "paling lama 8 jam" in await say(console_app, "koordinator", "14 jam")
    summary = await say(console_app, "koordinator", "4 jam")
    assert "sebelumnya: 2 jam" in summary and "menjadi: 4 jam" in summary
    assert "diberi tahu" in await say(console_app, "koordinator", "Ya")
    async with console_app.sessionmaker() as s:
        row = await s.get(Meeting, meeting.id)
        seen = await s.scalar(select(Attendance).where(Attendance.person_id == guru1))
        notice = await s.scalar(
            select(OutboxMessage).where(
                OutboxMessage.idempotency_key.like(f"meeting-changed:meeting-{meeting.id}:%")
            )
        )
        stored = await s.get(StoredFile, notice.payload["file_id"])
    assert (row.duration_minutes, row.jp, seen.jp) == (240, 5, 5)
    (event,) = icalendar.Calendar.from_ical(stored.data).walk("VEVENT")
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=4)
    assert meetings_rsvp.window_open(row, meeting.starts_at + timedelta(hours=3, minutes=59))
    assert not meetings_rsvp.window_open(row, meeting.starts_at + timedelta(hours=4, minutes=1))


async def test_a_new_time_with_an_end_changes_both_at_once(console_app):
    meeting = await schedule(console_app, "Literasi Dasar; 2026-12-05 09:00; SDN 1 Mataram")
    await say(console_app, "koordinator", data=f"a:medit:{meeting.id}")
    await say(console_app, "koordinator", "Waktu")
    late = await say(console_app, "koordinator", "2026-12-05 20:30")
    assert "22.30" in late  # 2 hours from 20.30
    summary = await say(console_app, "koordinator", "2026-12-05 13:00-14:30")
    assert "13.00–14.30 WITA" in summary and "09.00–11.00 WITA" in summary
    await say(console_app, "koordinator", "Ya")
    async with console_app.sessionmaker() as s:
        row = await s.get(Meeting, meeting.id)
    assert row.starts_at == datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
    assert (row.duration_minutes, row.jp) == (90, 2)


async def test_check_in_stays_open_two_hours_or_to_the_end_of_a_longer_meeting(console_app):
    short = await schedule(console_app, "Literasi Dasar; 2026-12-05 09:00-10:00; SDN 1 Mataram")
    long = await schedule(console_app, "Lokakarya; 2026-12-12 08:00-12:00; SDN 1 Mataram")
    console_app.clock.set(short.starts_at + timedelta(minutes=119))
    assert "Presensi tercatat" in await say(console_app, "guru1", f"/hadir {short.checkin_code}")
    console_app.clock.set(short.starts_at + timedelta(minutes=121))
    assert "tidak berlaku" in await say(console_app, "guru2", f"/hadir {short.checkin_code}")
    console_app.clock.set(long.starts_at + timedelta(minutes=239))
    assert "Presensi tercatat" in await say(console_app, "guru1", f"/hadir {long.checkin_code}")
    console_app.clock.set(long.starts_at + timedelta(minutes=241))
    assert "tidak berlaku" in await say(console_app, "guru2", f"/hadir {long.checkin_code}")


async def test_an_end_typed_in_the_conversation_skips_the_length_question(console_app):
    await say(console_app, "koordinator", "/jadwal")
    await say(console_app, "koordinator", "Numerasi Kelas Awal")
    backwards = await say(console_app, "koordinator", "12 Desember 2026 10.30-09.00")
    assert "sesudah jam mulai" in backwards and "Kapan rapatnya" in backwards
    asked = await say(console_app, "koordinator", "12 Desember 2026 09.00 sampai 10.30")
    assert "Apakah rapat ini rutin?" in asked and "Berapa lama" not in asked
    for answer in ("Sekali saja", "SDN 2 Mataram", "Lewati", "Lewati"):
        await say(console_app, "koordinator", answer)
    assert "09.00–10.30 WITA" in await say(console_app, "koordinator", "Lewati")
    await say(console_app, "koordinator", "Ya")
    async with console_app.sessionmaker() as s:
        row = await s.scalar(select(Meeting))
    assert (row.duration_minutes, row.jp) == (90, 2)
