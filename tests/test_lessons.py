"""Micro-learning with explicit database checks: slots, pile-up, answers, completion, figures.

The readable whole-conversation views are the `learning_*` console scripts; these tests
pin the rules down in the rows (what was given, answered, completed, and queued when).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from kkgbot.db.models import Identity, Kkg, OutboxMessage, Person
from kkgbot.learning import figures as lessons_figures
from kkgbot.learning import schedule as lessons_schedule
from kkgbot.learning.jobs import run_lesson_slots
from kkgbot.learning.models import LessonProgress, LessonSchedule, ModuleCompletion
from kkgbot.learning.schedule import Slots
from kkgbot.messages import Inbound
from kkgbot.polls import workplan
from tests.conftest import START

WITA = ZoneInfo("Asia/Makassar")


async def say(app, who: str, text: str | None = None, data: str | None = None) -> None:
    await app.router.handle(Inbound(channel="console", address=who, text=text, data=data))
    await app.dispatcher.drain()


async def person_id(session, handle: str) -> int:
    return await session.scalar(
        select(Identity.person_id).where(Identity.channel == "console", Identity.address == handle)
    )


async def given(app, handle: str) -> list[LessonProgress]:
    async with app.sessionmaker() as session:
        pid = await person_id(session, handle)
        rows = await session.scalars(
            select(LessonProgress)
            .where(LessonProgress.person_id == pid)
            .order_by(LessonProgress.sent_at, LessonProgress.id)
        )
        return list(rows)


async def outbox_keys(app, prefix: str) -> list[str]:
    async with app.sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxMessage.idempotency_key)
            .where(OutboxMessage.idempotency_key.like(f"{prefix}%"))
            .order_by(OutboxMessage.id)
        )
        return list(rows)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WITA)


async def test_tuesday_slot_gives_each_member_the_first_lesson_once(console_app):
    await console_app.advance_to(local("2026-12-01 19:00"))
    keys = await outbox_keys(console_app, "lesson:")
    assert len(keys) == 9  # the koordinator and eight teachers; not the pengawas or admin
    assert all(k.endswith(":lesson-lit-fon-1") and ":kkg-1:person-" in k for k in keys)
    async with console_app.sessionmaker() as session:
        row = await session.get(LessonSchedule, 1)
        assert row.last_slot_at == local("2026-12-01 19:00")
        # running the job again for the same moment gives nothing twice
        await run_lesson_slots(session, console_app.clock.now())
        await session.commit()
        count = await session.scalar(select(func.count()).select_from(LessonProgress))
    assert count == 9
    assert len(await outbox_keys(console_app, "lesson:")) == 9


async def test_no_pile_up_and_one_nudge(console_app):
    for day in ("01", "03", "08", "10", "15"):
        await console_app.advance_to(local(f"2026-12-{day} 19:00"))
    rows = await given(console_app, "guru2")
    assert [r.lesson_id for r in rows] == ["lit-fon-1", "lit-fon-2"]
    nudges = await outbox_keys(console_app, "lesson-nudge:")
    assert len([k for k in nudges if k.endswith("lesson-lit-fon-2")]) == 9  # one per member
    # answering one of the two releases the hold at the next slot
    await say(console_app, "guru2", data="a:lq:lit-fon-1:0")
    await console_app.advance_to(local("2026-12-17 19:00"))
    assert [r.lesson_id for r in await given(console_app, "guru2")][-1] == "lit-fon-3"
    assert len(await given(console_app, "guru3")) == 2


async def test_missed_slots_collapse_into_one_late_lesson(console_app):
    late = START + timedelta(days=21)
    async with console_app.sessionmaker() as session, session.begin():
        await run_lesson_slots(session, late)
    async with console_app.sessionmaker() as session:
        counts = (
            await session.execute(
                select(LessonProgress.person_id, func.count()).group_by(LessonProgress.person_id)
            )
        ).all()
        row = await session.get(LessonSchedule, 1)
    assert len(counts) == 9 and all(n == 1 for _, n in counts)
    assert row.last_slot_at == local("2026-12-17 19:00")  # the latest slot before the jump


async def test_first_try_scores_and_module_completion_is_recorded_once(console_app):
    await say(console_app, "guru1", "/materi berikutnya")
    await say(console_app, "guru1", data="a:lq:lit-fon-1:1")  # wrong first
    await say(console_app, "guru1", data="a:lq:lit-fon-1:0")  # then right
    for lesson in ("lit-fon-2", "lit-fon-3"):
        await say(console_app, "guru1", "/materi berikutnya")
        await say(console_app, "guru1", data=f"a:lq:{lesson}:0")
    await say(console_app, "guru1", data="a:lq:lit-fon-3:0")  # pressed again
    rows = await given(console_app, "guru1")
    assert [(r.lesson_id, r.correct, r.first_option) for r in rows] == [
        ("lit-fon-1", False, 1),
        ("lit-fon-2", True, 0),
        ("lit-fon-3", True, 0),
    ]
    assert rows[0].attempts == 2 and rows[2].attempts == 2
    assert all(r.source == "demand" for r in rows)
    async with console_app.sessionmaker() as session:
        done = list(await session.scalars(select(ModuleCompletion)))
        report = await lessons_figures.completion_figures(
            session, 1, START, START + timedelta(days=7)
        )
    assert [(d.module_id, d.lessons, d.correct) for d in done] == [("kesadaran-fonologis", 3, 2)]
    assert report.learners == 9
    assert report.modules_completed_in_period == 1
    assert report.lessons_answered_in_period == 3
    assert report.active_learners_in_period == 1
    (figure,) = report.figures
    assert (figure.name, figure.module_id, figure.answered, figure.correct) == (
        "Ni Made Ayu Lestari",
        "kesadaran-fonologis",
        3,
        2,
    )
    assert report.members()[0].modules_completed == 1
    # a later period sees it as history, not as this period's activity
    async with console_app.sessionmaker() as session:
        later = await lessons_figures.completion_figures(
            session, 1, START + timedelta(days=7), START + timedelta(days=14)
        )
    assert later.modules_completed_in_period == 0 and later.figures[0].completed_at is not None


async def test_work_plan_topics_come_first(console_app):
    async with console_app.sessionmaker() as session, session.begin():
        await workplan.add_items(
            session,
            kkg_id=1,
            items=[("Numerasi kelas awal", "numerasi-kelas-awal", START.date().replace(day=1))],
            source="koordinator",
            poll_id=None,
            actor_id=None,
            now=START,
        )
    await console_app.advance_to(local("2026-12-01 19:00"))
    assert [r.lesson_id for r in await given(console_app, "guru5")] == ["num-mb-1"]


async def test_quiet_hour_slot_waits_until_six(console_app):
    async with console_app.sessionmaker() as session, session.begin():
        kkg = await session.get(Kkg, 1)
        await lessons_schedule.set_schedule(
            session, kkg=kkg, slots=Slots(("tue",), 22, 15), actor_id=None, now=START
        )
    await console_app.advance_to(local("2026-12-01 23:00"))
    async with console_app.sessionmaker() as session:
        times = set(
            await session.scalars(
                select(OutboxMessage.not_before).where(
                    OutboxMessage.idempotency_key.like("lesson:%")
                )
            )
        )
        sent = set(
            await session.scalars(
                select(OutboxMessage.status).where(OutboxMessage.idempotency_key.like("lesson:%"))
            )
        )
    assert times == {local("2026-12-02 06:00")}
    assert sent == {"queued"}
    await console_app.advance_to(local("2026-12-02 06:00"))
    async with console_app.sessionmaker() as session:
        sent = set(
            await session.scalars(
                select(OutboxMessage.status).where(OutboxMessage.idempotency_key.like("lesson:%"))
            )
        )
    assert sent == {"sent"}


async def test_paused_members_get_nothing_until_they_resume(console_app):
    await say(console_app, "guru4", "/materi jeda")
    await console_app.advance_to(local("2026-12-01 19:00"))
    assert await given(console_app, "guru4") == []
    await say(console_app, "guru4", "/materi lanjutkan")
    await console_app.advance_to(local("2026-12-03 19:00"))
    assert [r.lesson_id for r in await given(console_app, "guru4")] == ["lit-fon-1"]


async def test_stale_forged_and_oversized_input_change_nothing(console_app):
    await console_app.advance_to(local("2026-12-01 19:00"))
    before = len(await given(console_app, "guru1"))
    for data in (
        "a:lq:lit-fon-2:0",  # never given to guru1
        "a:lq:tidak-ada:0",  # no such lesson
        "a:lq:lit-fon-1:9",  # no such option
        "a:lq:lit-fon-1:x",
        "a:lq:lit-fon-1",
        "a:lshow:lit-fon-3",
        "a:lshow:",
    ):
        await say(console_app, "guru1", data=data)
    await say(console_app, "guru1", "/materi " + "x" * 10_000)
    await say(console_app, "guru1", "/materi 😀" * 30)
    rows = await given(console_app, "guru1")
    assert len(rows) == before and all(r.answered_at is None for r in rows)
    out = console_app.transcript.getvalue()
    assert "Tombol ini sudah tidak berlaku" in out
    assert "Materi ini sudah tidak tersedia" in out
    assert "terlalu panjang" in out
    # an old lesson's button still answers it after newer messages
    await say(console_app, "guru1", "/bantuan")
    await say(console_app, "guru1", data="a:lq:lit-fon-1:0")
    assert (await given(console_app, "guru1"))[0].correct is True


async def test_a_person_in_no_kkg_gets_a_clear_answer(console_app):
    async with console_app.sessionmaker() as session, session.begin():
        p = Person(
            name="Tamu", language="en", onboarded_at=START, consent_at=START, created_at=START
        )
        session.add(p)
        await session.flush()
        session.add(Identity(person_id=p.id, channel="console", address="tamu", created_at=START))
    await say(console_app, "tamu", "/learn")
    await say(console_app, "tamu", data="a:lnext")
    out = console_app.transcript.getvalue()
    assert out.count("You are not registered in any KKG yet") == 2
    assert await given(console_app, "tamu") == []
