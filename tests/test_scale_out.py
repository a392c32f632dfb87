"""Several `bot.py run` processes on one PostgreSQL (issue 21, scale-out).

Webhooks may land on any process; one of them, elected by an advisory lock, schedules;
when it dies another takes over, and no reminder is queued twice, neither when the old
leader had already queued it nor when two schedulers run the same job at the same moment.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import async_sessionmaker

from bench.scale_out_parts import (
    LEADER_LINE,
    Instance,
    add_meeting,
    free_port,
    instance_env,
    message_update,
    post_updates,
    reminder_rows,
    seed_kkg,
)
from kkgbot.app import App
from kkgbot.clock import MovableClock
from kkgbot.db.engine import make_engine
from kkgbot.db.models import OutboxMessage
from kkgbot.meetings.jobs import reminder_job
from kkgbot.scheduling.leader import SchedulerLeader
from kkgbot.settings import Settings
from tests.conftest import PG_URL, START, _pg_db_url, _pg_empty, _pg_exec
from tests.fakes.telegram_api import FakeTelegramServer
from tests.process_helpers import ROOT
from tests.telegram_helpers import TOKEN

pytestmark = pytest.mark.skipif(not PG_URL, reason="KKGBOT_TEST_POSTGRES_URL is not set")
on_postgres = pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
HALF_HOUR = timedelta(minutes=30)  # instance_env reminds half an hour before a meeting


@on_postgres
async def test_the_lock_session_idles_outside_a_transaction_and_a_lost_one_hands_over(db_url):
    engine = make_engine(db_url)
    first, second = SchedulerLeader(engine, db_url), SchedulerLeader(engine, db_url)
    try:
        assert await first.ensure() and await first.ensure()
        assert first.role == "leader"
        assert not await second.ensure() and second.role == "standby"
        async with engine.connect() as conn:
            pid = await conn.scalar(
                text(  # this database's: other test processes hold locks of their own
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND"
                    " database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                )
            )
            state = await conn.scalar(
                text("SELECT state FROM pg_stat_activity WHERE pid = :p"), {"p": pid}
            )
            assert state == "idle"  # not "idle in transaction" between ticks
            # a machine that vanishes is given up on after ~25 s, not TCP's two hours
            assert await first._conn.scalar(text("SHOW tcp_keepalives_idle")) == "10"  # noqa: SLF001
            # the leader's session is gone (its machine vanished, an operator ended it)
            await conn.execute(text("SELECT pg_terminate_backend(:p, 5000)"), {"p": pid})
        assert await second.ensure()
        assert not await first.ensure()  # it notices at its next tick and stops scheduling
        assert first.role == "standby"
    finally:
        await first.release()
        await second.release()
        await engine.dispose()


@on_postgres
async def test_two_schedulers_running_the_reminders_at_once_queue_each_once(db_url):
    """What happens when a leader whose lock session was lost still finishes its tick while
    the new leader runs the same job: both transactions overlap on the same meeting."""
    kkg_id = await seed_kkg(db_url, "KKG Balapan", 930_000, 60)
    starts = [datetime.now(UTC) + HALF_HOUR + timedelta(seconds=2 + n) for n in range(2)]
    meeting_ids = [await add_meeting(db_url, kkg_id, s, f"Rapat {n}") for n, s in enumerate(starts)]
    job = reminder_job([0.5])
    engines = [make_engine(db_url), make_engine(db_url)]  # two processes' pools
    try:
        for start in starts:
            due = start - HALF_HOUR + timedelta(milliseconds=500)

            async def tick(engine, due=due) -> None:
                async with async_sessionmaker(engine)() as session, session.begin():
                    await job.run(session, due)

            await asyncio.gather(*(tick(e) for e in engines))  # neither may fail
        for meeting_id in meeting_ids:
            rows = Counter(address for address, _ in await reminder_rows(db_url, meeting_id))
            assert rows == {str(930_000 + n): 1 for n in range(60)}
    finally:
        for engine in engines:
            await engine.dispose()


async def _run_schedulers(url: str, count: int, days: int) -> list[tuple[str, str, str]]:
    """The demo district from START for `days`: `count` schedulers run every job at each
    moment something is due, side by side; returns the outbox (address, text, key)."""
    settings = Settings().model_copy(update={"database_url": url})
    apps = [App(settings, MovableClock(START)) for _ in range(count)]
    try:
        await apps[0].seed_demo()
        now, end = START, START + timedelta(days=days)
        while (now := await apps[0].jobs.next_due(now)) is not None and now <= end:
            await asyncio.gather(*(app.jobs.run_due(now) for app in apps))
        async with apps[0].sessionmaker() as session:
            rows = await session.execute(
                select(OutboxMessage.address, OutboxMessage.payload, OutboxMessage.idempotency_key)
            )
            return sorted((a, (p or {}).get("text") or "", k) for a, p, k in rows)
    finally:
        for app in apps:
            await app.close()


@pytest.mark.slow
async def test_two_schedulers_at_once_queue_exactly_what_one_queues(pg_worker_db):
    """Every job, not only the reminders: three weeks of the demo district (meetings,
    lessons, polls, pulse, digests, snapshots) with two schedulers running each moment at
    once queue the very same messages as one. The loser of a race fails its job on a unique
    key and rolls back (logged); the next tick finds the work done."""
    url = _pg_db_url(pg_worker_db)
    await _pg_empty(pg_worker_db)
    alone = await _run_schedulers(url, 1, 21)
    await _pg_empty(pg_worker_db)
    together = await _run_schedulers(url, 2, 21)
    assert len(alone) > 20
    assert together == alone


@pytest.mark.slow
async def test_processes_starting_together_on_a_new_database_all_migrate_it():
    """Each `bot.py run` migrates before it serves; started together (a deployment of two),
    all but one used to fail on `CREATE TABLE alembic_version`."""
    name = f"kkgbot_mig_{uuid.uuid4().hex[:10]}"
    await _pg_exec(f'CREATE DATABASE "{name}"')
    code = f"from kkgbot.db.migrate import upgrade_sync; upgrade_sync({_pg_db_url(name)!r})"
    try:
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-c", code, cwd=ROOT, stderr=asyncio.subprocess.PIPE
            )
            for _ in range(3)
        ]
        errors = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in procs)), 120)
        assert [p.returncode for p in procs] == [0, 0, 0], [e.decode()[-500:] for _, e in errors]
    finally:
        await _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@on_postgres
@pytest.mark.slow
async def test_two_processes_answer_webhooks_once_and_the_standby_takes_over(db_url):
    members, load = 8, 24
    await seed_kkg(db_url, "KKG Beban", 910_000, load)
    before = await seed_kkg(db_url, "KKG Sebelum", 920_000, members)
    after = await seed_kkg(db_url, "KKG Sesudah", 921_000, members)
    async with FakeTelegramServer(token=TOKEN) as telegram:
        env = instance_env(db_url, telegram.base_url, f"http://127.0.0.1:{free_port()}", TOKEN)
        env["KKGBOT_DELIVERY_LEASE"] = "3"  # the dead leader's claimed sends come back soon
        a, b = Instance("a", env), Instance("b", env)
        try:
            await a.start()
            await a.wait_line(LEADER_LINE, 15)  # the first to start takes the lock
            await b.start()
            assert (await a.health())["scheduler_role"] == "leader"
            assert (await b.health())["scheduler_role"] == "standby"

            updates = [message_update(5000 + n, 910_000 + n, "/bantuan") for n in range(load)]
            _, statuses = await post_updates([a.url, b.url], updates, concurrency=4)
            assert statuses == [200] * load  # half of them on each process
            for n in range(load):
                await telegram.wait_for_messages(910_000 + n, 1, timeout=20)

            # A reminder the leader queues just before it dies, sends perhaps in flight...
            now = datetime.now(UTC)
            first = await add_meeting(db_url, before, now + HALF_HOUR + timedelta(seconds=1), "A")
            for _ in range(200):
                if await reminder_rows(db_url, first):
                    break
                await asyncio.sleep(0.02)
            assert await reminder_rows(db_url, first), "the leader queued it before it died"
            # ...and one due a second after it died, for the standby to find.
            soon = datetime.now(UTC) + HALF_HOUR + timedelta(seconds=1)
            second = await add_meeting(db_url, after, soon, "B")
            killed = a.kill()
            took_over = await b.wait_line(LEADER_LINE, 15, after=killed)
            assert took_over - killed < 5  # a tick (1 s) after the server dropped the lock
            assert (await b.health())["scheduler_role"] == "leader"

            reminded = [920_000 + n for n in range(members)] + [921_000 + n for n in range(members)]
            for chat in reminded:
                await telegram.wait_for_messages(chat, 1, timeout=30)
            await asyncio.sleep(1.5)  # a second copy, if any, would come within this
            answers = {n: len(telegram.sent_messages(910_000 + n)) for n in range(load)}
            assert answers == dict.fromkeys(range(load), 1), "each update answered once"
            resent = set()
            for meeting, base in ((first, 920_000), (second, 921_000)):
                rows = await reminder_rows(db_url, meeting)
                queued = Counter(address for address, _ in rows)
                assert queued == {str(base + n): 1 for n in range(members)}, "queued once"
                resent |= {int(address) for address, attempts in rows if attempts > 1}
            # Delivered once, except a send the dead leader had on the wire (claimed, maybe
            # sent, not yet recorded): the survivor sends it again once the lease ran out.
            copies = {chat: len(telegram.sent_messages(chat)) for chat in reminded}
            assert {c for c, n in copies.items() if n != 1} <= resent
            assert all(n <= 2 for n in copies.values())
            assert "Pengingat rapat" in telegram.sent_messages(921_000)[0].text
        finally:
            await a.stop()
            assert await b.stop() == 0, b.tail()
