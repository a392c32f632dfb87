"""Privacy housekeeping: no chat address left behind for an erased person, retention,
/dataku files once delivered, generated files once their links expired, and files people
sent in conversations they abandoned.

The first three run on every tick and are cheap (indexed deletes that usually touch
nothing), so they have no due time of their own; expired generated files are looked for
hourly, abandoned uploads once a day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.privacy import files
from kkgbot.privacy import personal_data as privacy
from kkgbot.scheduling.jobs import Job
from kkgbot.settings import Settings


def privacy_jobs(settings: Settings) -> list[Job]:
    async def never(session: AsyncSession, after: datetime) -> datetime | None:
        return None

    swept: list[datetime] = []  # when this process last looked for orphaned uploads
    expired: list[datetime] = []  # ... and for generated files whose links have expired
    link_life = timedelta(seconds=settings.media_url_ttl_seconds)

    async def run(session: AsyncSession, now: datetime) -> None:
        await privacy.erased_outbox_cleanup(session)
        await privacy.purge_old_logs(session, now - timedelta(days=settings.retention_days))
        await files.purge_own_files(session, now)  # /dataku files: few rows, indexed
        if not expired or now - expired[0] >= timedelta(hours=1):
            await files.purge_expired_generated(session, now - link_life, privacy.file_links())
            expired[:] = [now]
        # files sent in abandoned conversations: a heavier query, so once a day per process
        # (after a restart it simply runs again; deleting orphans twice changes nothing)
        if not swept or now - swept[0] >= timedelta(days=1):
            await privacy.purge_orphan_uploads(session, now - timedelta(days=1))
            swept[:] = [now]

    return [Job("privacy_housekeeping", never, run, every_tick=True)]
