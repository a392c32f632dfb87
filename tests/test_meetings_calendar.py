"""The .ics file, the per-KKG calendar feed and the attendance spreadsheet, read back with
the libraries a phone calendar and a spreadsheet program would use."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
from openpyxl import load_workbook
from sqlalchemy import select

from kkgbot.db.models import Kkg, OutboxMessage, StoredFile
from kkgbot.meetings import calendar_feed
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.recurrence import Rule, occurrences, rules_for
from tests.test_meetings import say, schedule


async def test_announcement_ics_has_the_right_time_zone_and_alarms(console_app):
    meeting = await schedule(
        console_app, "Literasi Dasar; 5 Desember 2026 09.00; SDN 1 Mataram; Membaca terbimbing"
    )
    async with console_app.sessionmaker() as s:
        row = await s.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like("meeting-new:%"))
        )
        stored = await s.get(StoredFile, row.payload["file_id"])
    assert row.payload["file_name"].endswith(".ics") and stored.mime == "text/calendar"
    cal = icalendar.Calendar.from_ical(stored.data)
    (event,) = cal.walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == datetime(2026, 12, 5, 9, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    assert start.astimezone(UTC) == meeting.starts_at
    assert event["dtstart"].params["TZID"] == "Asia/Makassar"
    assert event.decoded("dtend") - start == timedelta(hours=2)
    assert str(event["summary"]) == "Literasi Dasar"
    assert str(event["location"]) == "SDN 1 Mataram"
    assert "Membaca terbimbing" in str(event["description"])
    assert str(event["uid"]) == f"meeting-{meeting.id}@kkgbot"
    triggers = sorted(a.decoded("trigger") for a in event.walk("VALARM"))
    assert triggers == [timedelta(hours=-24), timedelta(hours=-2)]
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Makassar"]


async def test_feed_lists_the_kkgs_meetings_with_cancellations(console_app):
    first = await schedule(console_app, "Literasi Dasar; 2026-12-05 09:00; SDN 1 Mataram")
    second = await schedule(console_app, "Numerasi; 2026-12-12 09:00; https://meet.example/x")
    await say(console_app, "koordinator", data=f"a:mcancel:{second.id}")
    await say(console_app, "koordinator", "Ya")
    now = console_app.clock.now()
    async with console_app.sessionmaker() as s, s.begin():
        kkg = await s.scalar(select(Kkg))
        token = await calendar_feed.feed_token(s, kkg.id, now)
        assert await calendar_feed.feed_token(s, kkg.id, now) == token  # stable
        assert (await calendar_feed.kkg_for_token(s, token)).id == kkg.id
        other = token[:-1] + ("x" if token[-1] != "x" else "y")  # a token one letter off
        assert await calendar_feed.kkg_for_token(s, other) is None
        assert await calendar_feed.kkg_for_token(s, "") is None
        data = await calendar_feed.build_feed(s, kkg, now=now, offsets_hours=[24, 2])
    assert len(token) >= 32
    assert calendar_feed.feed_path(token) == f"/calendar/{token}.ics"
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["x-wr-calname"]) == kkg.name
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    one, two = events[f"meeting-{first.id}@kkgbot"], events[f"meeting-{second.id}@kkgbot"]
    assert one.decoded("dtstart").astimezone(UTC) == datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
    assert str(one["status"]) == "CONFIRMED"
    assert str(two["status"]) == "CANCELLED" and int(two["sequence"]) == 1
    assert str(two["url"]) == "https://meet.example/x"


async def test_cancellation_ics_cancels_the_same_event(console_app):
    meeting = await schedule(console_app, "Literasi Dasar; 2026-12-05 09:00; SDN 1 Mataram")
    await say(console_app, "koordinator", data=f"a:mcancel:{meeting.id}")
    await say(console_app, "koordinator", "Ya")
    async with console_app.sessionmaker() as s:
        row = await s.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like("meeting-cancelled:%"))
        )
        stored = await s.get(StoredFile, row.payload["file_id"])
    cal = icalendar.Calendar.from_ical(stored.data)
    (event,) = cal.walk("VEVENT")
    assert str(cal["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == f"meeting-{meeting.id}@kkgbot"


async def test_export_is_a_daftar_hadir_spreadsheet(console_app):
    meeting = await schedule(console_app, "Literasi Dasar; 2026-12-05 09:00; SDN 1 Mataram")
    await say(console_app, "guru1", data=f"a:rsvp:{meeting.id}:yes")
    await say(console_app, "guru2", data=f"a:rsvp:{meeting.id}:no")
    await say(console_app, "guru2", "Ada rapat dinas di kecamatan")
    await console_app.advance_to(meeting.starts_at + timedelta(minutes=5))
    async with console_app.sessionmaker() as s:
        code = (await s.get(Meeting, meeting.id)).checkin_code
    assert "Presensi tercatat" in await say(console_app, "guru1", f"/hadir {code}")
    reply = await say(console_app, "koordinator", data=f"a:mexport:{meeting.id}")
    assert "[file: daftar-hadir-2026-12-05-rapat-" in reply
    async with console_app.sessionmaker() as s:
        row = await s.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.payload["file_name"].as_string().like("daftar-hadir%"))
            .order_by(OutboxMessage.id.desc())
        )
        stored = await s.get(StoredFile, row.payload["file_id"])
    sheet = load_workbook(io.BytesIO(stored.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[5]
    assert header == (
        "No", "Nama", "NIP", "Sekolah", "Keterangan", "Jawaban", "Alasan", "Presensi (jam)",
        "Cara presensi", "JP", "Tanda tangan",
    )  # fmt: skip
    by_name = {r[1]: r for r in rows[6:] if r and isinstance(r[0], int)}  # not the signatures
    assert by_name["Ni Made Ayu Lestari"][3:10] == (
        "SDN 1 Mataram", "H", "Hadir", None, "09:05", "kode", 2
    )  # fmt: skip
    assert by_name["Lalu Ahmad Zaini"][4:7] == (
        "I",
        "Tidak hadir",
        "Tugas lain: Ada rapat dinas di kecamatan",  # the typed reason read as other duty
    )
    assert by_name["Baiq Nurul Hidayati"][5] == "Belum menjawab"
    assert len(by_name) == 9
    # A guru may not export; the button says so and nothing is sent.
    assert "tidak punya akses" in await say(console_app, "guru1", data=f"a:mexport:{meeting.id}")


def test_rules_offered_from_a_first_date_and_their_occurrences():
    zone = ZoneInfo("Asia/Makassar")
    second_saturday = datetime(2026, 12, 12, 9, 0, tzinfo=zone)
    keys = [r.key for r in rules_for(second_saturday)]
    assert keys == ["weekly:5:0", "monthly:5:2"]
    last_wednesday = datetime(2026, 12, 30, 14, 0, tzinfo=zone)
    assert [r.key for r in rules_for(last_wednesday)] == ["weekly:2:0", "monthly:2:-1"]
    rule = Rule.from_key("monthly:5:2", time(9, 0))
    after = datetime(2026, 12, 1, tzinfo=UTC)
    got = occurrences(rule, "Asia/Makassar", second_saturday, after, after + timedelta(days=120))
    assert [g.astimezone(zone).strftime("%Y-%m-%d %H:%M") for g in got] == [
        "2026-12-12 09:00",
        "2027-01-09 09:00",
        "2027-02-13 09:00",
        "2027-03-13 09:00",
    ]
    weekly = Rule.from_key("weekly:2:0", time(14, 0))
    got = occurrences(weekly, "Asia/Jayapura", datetime(2026, 12, 2, 14, 0,
                      tzinfo=ZoneInfo("Asia/Jayapura")), after, after + timedelta(days=16))  # fmt: skip
    assert [g.isoformat() for g in got] == [
        "2026-12-02T05:00:00+00:00",
        "2026-12-09T05:00:00+00:00",
        "2026-12-16T05:00:00+00:00",
    ]
