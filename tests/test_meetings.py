"""Meetings, checked in the database and the outbox rather than only in transcripts."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from kkgbot.app import App
from kkgbot.channels.console import ConsoleChannel
from kkgbot.clock import MovableClock
from kkgbot.db.models import Identity, OutboxMessage
from kkgbot.meetings import service as meetings
from kkgbot.meetings.models import Attendance, Meeting, MeetingSeries, Rsvp
from kkgbot.meetings.rsvp import attendees_for_reflection
from kkgbot.messages import Inbound
from tests.conftest import START
from tests.console_helpers import SCRIPTS, transcript

WITA = "Asia/Makassar"


async def say(app: App, who: str, text: str | None = None, **kw) -> str:
    out = io.StringIO()
    app.channels["console"].out = out
    await app.router.handle(Inbound("console", who, text=text, **kw))
    await app.dispatcher.drain()
    return out.getvalue()


async def person_id(app: App, handle: str) -> int:
    async with app.sessionmaker() as s:
        return await s.scalar(
            select(Identity.person_id).where(
                Identity.channel == "console", Identity.address == handle
            )
        )


async def schedule(app: App, line: str) -> Meeting:
    await say(app, "koordinator", f"/jadwal {line}")
    reply = await say(app, "koordinator", "Ya")
    assert "tersimpan" in reply, reply
    async with app.sessionmaker() as s:
        return await s.scalar(select(Meeting).order_by(Meeting.id.desc()).limit(1))


async def reminder_keys(app: App) -> list[str]:
    async with app.sessionmaker() as s:
        rows = await s.scalars(
            select(OutboxMessage.idempotency_key).where(
                OutboxMessage.idempotency_key.like("reminder:%")
            )
        )
        return sorted(rows)


def new_app(settings, when: datetime) -> App:
    return App(settings, MovableClock(when), {"console": ConsoleChannel(io.StringIO())})


async def test_lifecycle_records_answers_attendance_and_reminders(console_app):
    script = (SCRIPTS / "meetings_lifecycle.script").read_text(encoding="utf-8")
    console_app.clock.set(datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    await transcript(console_app, script)
    ids = {h: await person_id(console_app, h) for h in ("koordinator", "guru1", "guru2", "guru3")}
    async with console_app.sessionmaker() as s:
        meeting = await s.scalar(select(Meeting))
        answers = {r.person_id: r for r in await s.scalars(select(Rsvp))}
        present = {a.person_id: a for a in await s.scalars(select(Attendance))}
        reflection = await attendees_for_reflection(s, meeting.id)
    assert meeting.starts_at == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 13.00 WITA
    assert meeting.notes_text.startswith("Guru berlatih")
    assert meeting.ended_at is not None and meeting.code_sent_at is not None
    assert re.fullmatch(r"[ACDEFGHJKMNPQRTUVWXY34679]{6}", meeting.checkin_code)
    assert answers[ids["guru1"]].answer == "yes"
    assert (answers[ids["guru2"]].answer, answers[ids["guru2"]].reason) == ("no", "sakit")
    assert ids["guru3"] not in answers
    assert present[ids["guru1"]].method == "code" and present[ids["guru1"]].jp == 2
    assert present[ids["koordinator"]].method == "roster"
    assert set(present) == {ids["guru1"], ids["koordinator"]}
    assert reflection == sorted(present)
    keys = await reminder_keys(console_app)
    # Scheduled 5 hours ahead: only the 2-hour reminder, to the three who did not decline.
    assert len(keys) == 3
    assert not [k for k in keys if f"person-{ids['guru2']}:" in k]
    assert f"reminder:meeting-{meeting.id}:20261201T0500Z:person-{ids['guru1']}:2h" in keys


async def test_reminders_are_sent_once_across_a_restart(settings):
    app = new_app(settings, START)
    await app.seed_demo()
    meeting = await schedule(app, "Literasi Dasar; 2026-12-05 09:00; SDN 1 Mataram")
    await app.close()  # the process stops between scheduling and the reminder time

    due = meeting.starts_at - timedelta(hours=24)
    app2 = new_app(settings, START + timedelta(hours=1))
    await app2.advance_to(due + timedelta(minutes=1))
    first = await reminder_keys(app2)
    await app2.close()
    assert len(first) == 9 and all(k.endswith(":24h") for k in first)

    app3 = new_app(settings, due + timedelta(minutes=2))  # a second restart, same moment
    await app3.advance_to(due + timedelta(minutes=3))
    assert await reminder_keys(app3) == first
    await app3.advance_to(meeting.starts_at + timedelta(hours=3))
    keys = await reminder_keys(app3)
    async with app3.sessionmaker() as s:
        sent_at = list(
            await s.scalars(
                select(OutboxMessage.not_before).where(
                    OutboxMessage.idempotency_key.like("reminder:%")
                )
            )
        )
    await app3.close()
    assert len(keys) == 18 and sum(k.endswith(":2h") for k in keys) == 9
    assert all(t < meeting.starts_at for t in sent_at)  # never after the start


async def test_no_reminder_for_an_offset_already_past_when_scheduled(console_app):
    meeting = await schedule(console_app, "Rapat mendadak; hari ini 13.00; SDN 1 Mataram")
    await console_app.advance_to(meeting.starts_at + timedelta(hours=1))
    keys = await reminder_keys(console_app)
    assert keys and all(k.endswith(":2h") for k in keys)  # 5 hours ahead: no 24h reminder


async def test_reminders_follow_an_edited_time_and_stop_when_cancelled(console_app):
    moved = await schedule(console_app, "Literasi Dasar; 2026-12-05 09:00; SDN 1 Mataram")
    dropped = await schedule(console_app, "Numerasi; 2026-12-07 09:00; SDN 5 Mataram")
    await say(console_app, "koordinator", "/batal")
    await say(console_app, "koordinator", data=f"a:medit:{moved.id}")
    await say(console_app, "koordinator", "Waktu")
    await say(console_app, "koordinator", "2026-12-06 10:00")
    assert "3 anggota" not in await say(console_app, "koordinator", "Ya")
    await say(console_app, "koordinator", data=f"a:mcancel:{dropped.id}")
    assert "dibatalkan" in await say(console_app, "koordinator", "Ya")
    await console_app.advance_to(datetime(2026, 12, 8, tzinfo=UTC))
    keys = await reminder_keys(console_app)
    assert keys and all(f"meeting-{moved.id}:20261206T0200Z:" in k for k in keys)
    async with console_app.sessionmaker() as s:
        row = await s.get(Meeting, moved.id)
        gone = await s.get(Meeting, dropped.id)
        told = await s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like(f"meeting-changed:meeting-{moved.id}:v1:%"))
        )
    assert row.sequence == 1 and gone.cancelled_at is not None
    assert told == 8  # every member but the koordinator who made the change


@pytest.mark.slow  # a year of a recurring series, month by month
async def test_recurring_series_grows_and_keeps_a_cancelled_occurrence_cancelled(console_app):
    await say(console_app, "koordinator", "/jadwal")
    for answer in (
        "Pembelajaran Berdiferensiasi",
        "12 Desember 2026 09.00",
        "2 jam",
        "Rutin setiap bulan, hari Sabtu kedua, pukul 09.00",
        "Aula SDN 5 Mataram",
        "Lewati",
        "Lewati",
        "Pembelajaran berdiferensiasi",  # the topic: every occurrence made carries it
        "Ya",
    ):
        await say(console_app, "koordinator", answer)
    async with console_app.sessionmaker() as s:
        topics = set(await s.scalars(select(Meeting.topic_id)))
        assert topics == {"pembelajaran-berdiferensiasi"}
        starts = list(await s.scalars(select(Meeting.starts_at).order_by(Meeting.starts_at)))
        january = await s.scalar(select(Meeting.id).order_by(Meeting.starts_at).offset(1))
    assert [d.astimezone().date().isoformat() for d in starts] == [
        "2026-12-12",
        "2027-01-09",
        "2027-02-13",
    ]
    await say(console_app, "koordinator", data=f"a:mcancel:{january}")
    await say(console_app, "koordinator", "Hanya rapat ini")
    await say(console_app, "koordinator", "Ya")
    await console_app.advance_to(datetime(2027, 2, 7, tzinfo=UTC))
    async with console_app.sessionmaker() as s:
        rows = list(await s.scalars(select(Meeting).order_by(Meeting.starts_at)))
        series = await s.scalar(select(MeetingSeries))
        told = await s.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like(f"meeting-new:meeting-{rows[2].id}:%"))
        )
    days = [(m.starts_at.date().isoformat(), m.cancelled_at is not None) for m in rows]
    # Three months ahead of 7 February: March and April were added; January stays cancelled.
    assert days == [
        ("2026-12-12", False),
        ("2027-01-09", True),
        ("2027-02-13", False),
        ("2027-03-13", False),
        ("2027-04-10", False),
    ]
    assert series.cancelled_at is None
    # Each occurrence is announced a week before it (February's on 6 February), not earlier.
    assert rows[2].announced_at is not None and told == 9  # the koordinator too, this time
    assert rows[3].announced_at is None and rows[1].announced_at is None


async def test_bad_buttons_and_wrong_roles_change_nothing(console_app):
    meeting = await schedule(console_app, "Literasi Dasar; 2026-12-05 09:00; SDN 1 Mataram")

    async def state():
        async with console_app.sessionmaker() as s:
            m = await s.get(Meeting, meeting.id)
            return (
                m.title,
                m.starts_at,
                m.cancelled_at,
                await s.scalar(select(func.count()).select_from(Rsvp)),
                await s.scalar(select(func.count()).select_from(Attendance)),
            )

    before = await state()
    cases = [
        ("guru1", {"data": f"a:medit:{meeting.id}"}, "tidak punya akses"),
        ("guru1", {"data": f"a:mcancel:{meeting.id}"}, "tidak punya akses"),
        ("guru1", {"data": f"a:mset:{meeting.id}:1:1"}, "tidak punya akses"),
        ("guru1", {"data": "a:rsvp:99999:yes"}, "sudah tidak berlaku"),
        ("guru1", {"data": f"a:rsvp:{meeting.id}:bogus"}, "sudah tidak berlaku"),
        ("guru1", {"data": "a:rsvp:x:yes"}, "sudah tidak berlaku"),
        ("pengawas", {"data": f"a:rsvp:{meeting.id}:yes"}, "tidak punya akses"),
        ("guru1", {"text": "/jadwal Rapat; besok 09.00; Sekolah"}, "hanya untuk koordinator"),
        ("guru1", {"text": "/hadir " + "x" * 5000}, "terlalu panjang"),
        ("guru1", {"text": "/hadir 😀😀😀"}, "6 huruf dan angka"),
        ("koordinator", {"text": "/jadwal Rapat; 31 Februari 2027 09.00"}, "tidak ada di kalender"),
    ]
    for who, kw, expected in cases:
        reply = await say(console_app, who, **kw)
        assert expected in reply, (who, kw, reply)
        await say(console_app, who, "/batal")
    assert await state() == before


def test_checkin_codes_are_six_capitals_and_digits_and_depend_on_the_key():
    key = meetings.code_key(None, None, None)
    codes = {meetings.checkin_code(n, key) for n in range(1, 500)}
    assert all(re.fullmatch(r"[ACDEFGHJKMNPQRTUVWXY34679]{6}", c) for c in codes)
    assert len(codes) == 499
    live = meetings.code_key("123:telegram-token", None, None)
    assert meetings.checkin_code(1, live) != meetings.checkin_code(1, key)
