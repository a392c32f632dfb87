"""Posts in a KKG's linked group, played through the console on SQLite and PostgreSQL:
quiet hours in the KKG's zone, and nothing about one person ever in the group."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from kkgbot.db.models import OutboxMessage, Person
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.service import checkin_code, code_key_for
from tests.console_helpers import SCRIPTS, transcript
from tests.test_meetings import say


async def group_rows(app, address: str = "#grup") -> list[OutboxMessage]:
    async with app.sessionmaker() as s:
        rows = await s.scalars(
            select(OutboxMessage).where(OutboxMessage.address == address).order_by(OutboxMessage.id)
        )
        return list(rows)


async def test_scheduled_group_posts_wait_out_the_quiet_hours(console_app):
    console_app.clock.set(datetime(2026, 12, 1, 14, 0, tzinfo=UTC))  # 22.00 WITA
    await transcript(
        console_app,
        "@koordinator@grup: /hubungkan GUGUS1\n"
        "@koordinator: /siaran Besok rapat jam 09.00\n"
        "@koordinator: Ya\n",
    )
    broadcast = [r for r in await group_rows(console_app) if "Besok rapat" in r.payload["text"]]
    assert len(broadcast) == 1 and broadcast[0].status == "queued"
    assert broadcast[0].not_before == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # 06.00 WITA
    await console_app.advance_to(datetime(2026, 12, 1, 22, 1, tzinfo=UTC))
    assert (await group_rows(console_app))[-1].status == "sent"


async def test_nothing_about_one_person_reaches_the_group(console_app):
    script = (SCRIPTS / "groups.script").read_text(encoding="utf-8")
    console_app.clock.set(datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    await transcript(console_app, script)
    texts = [
        r.payload["text"] for a in ("#grup", "#grup2") for r in await group_rows(console_app, a)
    ]
    assert len(texts) >= 8
    async with console_app.sessionmaker() as s:
        people = list(await s.scalars(select(Person)))
        meetings = list(await s.scalars(select(Meeting)))
    codes = [checkin_code(m.id, code_key_for(console_app.settings)) for m in meetings]
    for text in texts:
        for person in people:
            assert not person.name or person.name not in text.replace("Pesan dari Rahmawati", "")
            assert not person.phone or person.phone not in text
        assert not any(code in text for code in codes)
        assert "Sakit" not in text and "izin" not in text.lower()


async def test_stopping_a_recurring_meeting_is_posted_once_to_the_group(console_app):
    console_app.clock.set(datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    lines = [
        "@koordinator@grup: /hubungkan GUGUS1",
        "@koordinator: /jadwal",
        "@koordinator: Pembelajaran Berdiferensiasi",
        "@koordinator: 12 Desember 2026 09.00",
        "@koordinator: 2 jam",
        "@koordinator: Rutin setiap bulan, hari Sabtu kedua, pukul 09.00",
        "@koordinator: Aula SDN 5 Mataram",
        "@koordinator: Lewati",
        "@koordinator: Lewati",
        "@koordinator: Lewati",
        "@koordinator: Ya",
    ]
    await transcript(console_app, "\n".join(lines))
    async with console_app.sessionmaker() as s:
        first = await s.scalar(select(Meeting.id).order_by(Meeting.starts_at))
    await say(console_app, "koordinator", data=f"a:mcancel:{first}")
    await say(console_app, "koordinator", "Rapat ini dan semua berikutnya")
    await say(console_app, "koordinator", "Ya")
    stopped = [r for r in await group_rows(console_app) if "dihentikan" in r.payload["text"]]
    assert len(stopped) == 1 and "Pembelajaran Berdiferensiasi" in stopped[0].payload["text"]


async def test_many_presses_queue_one_redraw_of_the_group_post(console_app):
    from kkgbot.meetings import group_posts

    console_app.clock.set(datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    await transcript(
        console_app,
        "@koordinator@grup: /hubungkan GUGUS1\n"
        "@koordinator: /jadwal Literasi; 2026-12-05 09.00; SDN 1 Mataram\n"
        "@koordinator: Ya\n",
    )
    async with console_app.sessionmaker() as s, s.begin():
        meeting = await s.scalar(select(Meeting))
        for n in range(5):  # five presses before the dispatcher sends anything
            await group_posts.redraw(
                s,
                meeting.id,
                head="n",
                message_id="77",
                key=f"press{n}",
                now=console_app.clock.now(),
            )
    rows = [r for r in await group_rows(console_app) if r.payload.get("edit_of") == "77"]
    assert [r.status for r in rows] == ["expired"] * 4 + ["queued"]


async def test_a_press_in_the_group_runs_only_the_groups_own_buttons(console_app):
    from kkgbot.messages import Inbound

    console_app.clock.set(datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    await transcript(
        console_app,
        "@koordinator@grup: /hubungkan GUGUS1\n"
        "@koordinator: /jadwal Literasi; 2026-12-05 09.00; SDN 1 Mataram\n"
        "@koordinator: Ya\n",
    )
    async with console_app.sessionmaker() as s:
        meeting = await s.scalar(select(Meeting))
    forged = Inbound(
        "console", "koordinator", data=f"a:mcancel:{meeting.id}", external_id="forged",
        group="#grup", message_id="1",
    )  # fmt: skip
    await console_app.router.handle(forged)
    async with console_app.sessionmaker() as s:
        assert (await s.get(Meeting, meeting.id)).cancelled_at is None
        replies = await s.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like("%forged%"))
        )
        assert list(replies) == []
