"""Due work: each job knows when it is next due and does what is due up to a time.

The console and the tests move the clock and call `App.advance_to`; production calls the
same code from an APScheduler tick (APScheduler only wakes the process, see kkgbot/serve.py).
Jobs read the database and the clock, and write outbox rows with idempotency keys (see
`kkgbot.scheduling.slots`), so running a job twice for the same moment, after a restart or
on a second instance, sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kkgbot.clock import Clock
from kkgbot.db.models import Conversation, InboundSeen, OutboxMessage
from kkgbot.delivery import outbox, questions
from kkgbot.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Job:
    """`next_due(session, after)` -> the next moment with work; `run(session, now)` does it.

    `run` must be idempotent for a given `now` (write with idempotency keys) and must do
    everything due up to `now`, not only what is due exactly at `now`: the tick may come
    late (a restart, a busy process) and the console jumps the clock by days.
    `wakeups` are cron slots (e.g. Monday 07:00 for digests) at which production wakes at
    once instead of at the next tick; they change nothing about what is due.
    """

    name: str
    next_due: Callable[[AsyncSession, datetime], Awaitable[datetime | None]]
    run: Callable[[AsyncSession, datetime], Awaitable[None]]
    wakeups: list[CronTrigger] = field(default_factory=list)
    every_tick: bool = False  # a cheap sweep with no due time of its own: run it every tick


def housekeeping_jobs(settings: Settings) -> list[Job]:
    idle = timedelta(minutes=settings.conversation_idle_minutes)

    async def next_expiry(session: AsyncSession, after: datetime) -> datetime | None:
        oldest = await session.scalar(select(func.min(Conversation.updated_at)))
        return max(oldest + idle, after) if oldest is not None else None

    async def expire(session: AsyncSession, now: datetime) -> None:
        # Idle conversations end quietly: nobody is messaged about it.
        await session.execute(delete(Conversation).where(Conversation.updated_at <= now - idle))
        await session.execute(
            delete(InboundSeen).where(InboundSeen.seen_at < now - timedelta(days=7))
        )
        await questions.forget_old(session, now)

    return [Job("conversation_expiry", next_expiry, expire)]


async def next_outbox_due(session: AsyncSession, after: datetime) -> datetime | None:
    return await session.scalar(
        select(func.min(OutboxMessage.not_before)).where(
            OutboxMessage.status.in_(outbox.DUE_STATUSES),
            OutboxMessage.not_before > after,
        )
    )


class Jobs:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], jobs: list[Job]) -> None:
        self.sessionmaker = sessionmaker
        self.jobs = jobs

    def add(self, job: Job) -> None:
        """Features register their jobs at wiring time (kkgbot/app.py)."""
        self.jobs.append(job)

    async def run_due(self, now: datetime, only: Collection[int] | None = None) -> None:
        """Each job in its own transaction: one failing job neither blocks nor undoes others.
        `only`: the positions of the jobs to run (every-tick jobs always run); all if None."""
        for i, job in enumerate(self.jobs):
            if only is not None and i not in only and not job.every_tick:
                continue
            try:
                async with self.sessionmaker() as session, session.begin():
                    await job.run(session, now)
            except Exception:
                log.exception("job %s failed at %s", job.name, now.isoformat())

    async def run_due_now(self, clock: Clock) -> None:
        """The APScheduler tick: it only wakes the process; what is due comes from the clock."""
        await self.run_due(clock.now())

    async def due_times(
        self, after: datetime, only: Iterable[int] | None = None
    ) -> tuple[dict[int, datetime | None], datetime | None]:
        """What each job (by position; all if `only` is None) says about its next moment as
        seen at `after` (a moment at or before `after` means overdue), and the outbox's next
        moment after `after`."""
        times: dict[int, datetime | None] = {}
        positions = range(len(self.jobs)) if only is None else only
        async with self.sessionmaker() as session:
            for i in positions:
                job = self.jobs[i]
                try:
                    times[i] = await job.next_due(session, after)
                except Exception:
                    log.exception("job %s could not say when it is next due", job.name)
                    times[i] = None
            return times, await next_outbox_due(session, after)

    async def next_due(self, after: datetime) -> datetime | None:
        """The earliest moment after `after` at which a job or a queued message is due."""
        times, outbox_next = await self.due_times(after)
        return first_after(after, [*times.values(), outbox_next])


def first_after(after: datetime, times: Iterable[datetime | None]) -> datetime | None:
    return min((t for t in times if t is not None and t > after), default=None)
