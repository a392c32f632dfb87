"""Due work from the database and the clock: idempotent jobs, order when the clock moves,
misfire rules, and the election of the one instance that schedules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from kkgbot.db.engine import make_engine
from kkgbot.db.models import OutboxMessage
from kkgbot.delivery import outbox
from kkgbot.delivery.keys import idempotency_key, slot_key
from kkgbot.delivery.outbox import Draft, enqueue
from kkgbot.scheduling.jobs import Job
from kkgbot.scheduling.leader import SchedulerLeader
from kkgbot.scheduling.slots import DROP_WHEN_LATE, SEND_LATE, Misfire, next_slot, slots_between
from tests.conftest import START


def test_idempotency_keys_are_deterministic():
    key = idempotency_key("reminder", ("meeting", 42), ("person", 7), "24h")
    assert key == "reminder:meeting-42:person-7:24h"
    assert slot_key(datetime(2026, 12, 5, 9, 0, tzinfo=UTC)) == "20261205T0900Z"


def test_cron_slots_follow_any_clock():
    lessons = CronTrigger(day_of_week="tue,thu", hour=19, timezone="Asia/Makassar")
    slots = slots_between(lessons, START, START + timedelta(days=7))
    assert [s.astimezone(UTC).isoformat() for s in slots] == [
        "2026-12-01T11:00:00+00:00",
        "2026-12-03T11:00:00+00:00",
    ]
    assert next_slot(lessons, slots[0]) == slots[1]


def test_misfire_policies():
    due = START
    assert SEND_LATE.still_useful(due, due + timedelta(days=2))
    assert not DROP_WHEN_LATE.still_useful(due, due + timedelta(seconds=1))
    assert Misfire(timedelta(minutes=30)).still_useful(due, due + timedelta(minutes=10))
    assert not SEND_LATE.still_useful(due, due + timedelta(hours=1), deadline=due)


def reminder_job(meeting_start: datetime, people: list[int], ran: list[datetime]) -> Job:
    """A job like the meeting reminders will be: due 2 hours before, dropped once begun."""
    due_at = meeting_start - timedelta(hours=2)

    async def next_due(session, after):
        return due_at if after < due_at else None

    async def run(session, now):
        ran.append(now)
        if now < due_at or not DROP_WHEN_LATE.still_useful(due_at, now, meeting_start):
            return
        for pid in people:
            draft = Draft(
                channel="console",
                address=f"guru{pid}",
                text=f"Rapat mulai {meeting_start:%H:%M}",
                key=idempotency_key("reminder", ("meeting", 1), ("person", pid), "2h"),
                kind=outbox.BULK,
                expires_at=meeting_start,
            )
            await enqueue(session, draft, now)

    return Job("meeting_reminders", next_due, run)


async def count(app, **where) -> int:
    """Rows this test's job wrote (other features' jobs run on the same clock)."""
    async with app.sessionmaker() as session:
        query = select(func.count()).where(
            OutboxMessage.idempotency_key.like("reminder:meeting-1:%")
        )
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return await session.scalar(query)


async def test_moving_the_clock_runs_due_work_in_order_and_once(console_app):
    app = console_app
    ran: list[datetime] = []
    meeting = START + timedelta(days=1)
    app.jobs.add(reminder_job(meeting, [1, 2], ran))
    before = await count(app)
    await app.advance_to(START + timedelta(days=2))
    assert meeting - timedelta(hours=2) in ran  # the clock stopped exactly when it was due
    assert await count(app) - before == 2
    assert await count(app, status=outbox.SENT) >= 2
    assert "-> guru1: Rapat mulai" in app.transcript.getvalue()
    await app.jobs.run_due(START + timedelta(days=2))  # a retried tick, a second instance
    assert await count(app) - before == 2


async def test_a_reminder_found_after_the_meeting_began_is_dropped(console_app):
    app = console_app
    ran: list[datetime] = []
    meeting = START + timedelta(hours=3)
    app.jobs.add(reminder_job(meeting, [3], ran))
    before = await count(app)
    await app.jobs.run_due(meeting + timedelta(minutes=1))  # the process was down until now
    assert await count(app) == before


async def test_scheduler_election_on_this_database(settings, tmp_path):
    engine = make_engine(settings.database_url)
    first = SchedulerLeader(engine, settings.database_url)
    second = SchedulerLeader(engine, settings.database_url)
    try:
        assert await first.ensure()
        assert await first.ensure()  # still the leader
        assert not await second.ensure()  # the other instance only dispatches
        await first.release()
        assert await second.ensure()  # takes over once the first is gone
    finally:
        await first.release()
        await second.release()
        await engine.dispose()
