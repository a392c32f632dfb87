"""Privacy housekeeping: no chat address left behind for an erased person, and retention.

Both run on every tick and are cheap (indexed deletes that usually touch nothing), so
they have no due time of their own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.scheduling.jobs import Job
from kkgbot.services import privacy
from kkgbot.settings import Settings


def privacy_jobs(settings: Settings) -> list[Job]:
    async def never(session: AsyncSession, after: datetime) -> datetime | None:
        return None

    async def run(session: AsyncSession, now: datetime) -> None:
        await privacy.erased_outbox_cleanup(session)
        await privacy.purge_old_logs(session, now - timedelta(days=settings.retention_days))

    return [Job("privacy_housekeeping", never, run)]
