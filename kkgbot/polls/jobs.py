"""Poll deadlines as due work: the reminder 24 hours before, and the close at the deadline.

Both are computed from the `polls` rows and the clock (`reminded_at`, `closed_at` record
that the work is done), so a restart, a retried tick or the console's moving clock all run
the same work exactly once; the messages themselves carry idempotency keys as well.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.polls import notices as polls_notices
from kkgbot.polls.models import Poll
from kkgbot.scheduling.jobs import Job
from kkgbot.settings import Settings

log = logging.getLogger(__name__)


async def _open_polls(session: AsyncSession) -> list[Poll]:
    return list(await session.scalars(select(Poll).where(Poll.closed_at.is_(None))))


async def next_reminder(session: AsyncSession, after: datetime) -> datetime | None:
    times = [
        at
        for poll in await _open_polls(session)
        if poll.reminded_at is None
        and (at := polls_notices.reminder_at(poll)) is not None
        and at > after
    ]
    return min(times, default=None)


async def send_reminders(session: AsyncSession, now: datetime) -> None:
    for poll in await _open_polls(session):
        at = polls_notices.reminder_at(poll)
        if poll.reminded_at is None and at is not None and at <= now < poll.deadline:
            sent = await polls_notices.remind(session, poll, now)
            log.info("poll %s: reminded %s non-voters", poll.id, sent)


async def next_close(session: AsyncSession, after: datetime) -> datetime | None:
    return await session.scalar(
        select(Poll.deadline)
        .where(Poll.closed_at.is_(None), Poll.deadline > after)
        .order_by(Poll.deadline)
        .limit(1)
    )


async def close_polls(session: AsyncSession, now: datetime) -> None:
    due = await session.scalars(
        select(Poll).where(Poll.closed_at.is_(None), Poll.deadline <= now).order_by(Poll.deadline)
    )
    for poll in list(due):
        sent = await polls_notices.close(session, poll, now)
        log.info("poll %s closed; results sent to %s", poll.id, sent)


def poll_jobs(settings: Settings) -> list[Job]:
    # Reminders first: a poll whose reminder and close fall in one tick is reminded, then closed
    # (the reminder's own check drops it once the deadline has passed).
    return [
        Job("poll_reminders", next_reminder, send_reminders),
        Job("poll_close", next_close, close_polls),
    ]
