"""Weekly snapshot rows of every KKG's indicators, written by a Monday job.

The dashboard draws each KKG's 12-week trend from these rows and shows the newest one as
the current figures, so a district of 500 KKGs is read, not recomputed, on every view.
One row per KKG and week (the Monday's date in the KKG's zone): a restart or a moving
clock writes each week once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import ForeignKey, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from kkgbot.db.models import Base, Kkg
from kkgbot.digest.indicators import indicators
from kkgbot.scheduling.jobs import Job
from kkgbot.scheduling.slots import next_slot

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
TREND_WEEKS = 12


class KkgWeekSnapshot(Base):
    """One KKG's indicators as they stood on one Monday morning."""

    __tablename__ = "kkg_week_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"))
    week: Mapped[date]
    taken_at: Mapped[datetime]
    figures: Mapped[dict[str, Any]]

    __table_args__ = (UniqueConstraint("kkg_id", "week", name="uq_kkg_week_snapshots_kkg_week"),)


def trigger(zone: str) -> CronTrigger:
    return CronTrigger(day_of_week="mon", hour=6, minute=0, timezone=zone)


async def take(session: AsyncSession, now: datetime, zone: str | None = None) -> int:
    """Snapshot every KKG (of `zone`, if given) that has none for this week; how many."""
    query = select(Kkg.id, Kkg.timezone)
    if zone is not None:
        query = query.where(Kkg.timezone == zone)
    kkgs = dict((await session.execute(query)).all())
    if not kkgs:
        return 0
    weeks = {k: week_of(now, tz) for k, tz in kkgs.items()}
    done = set(
        (
            await session.execute(
                select(KkgWeekSnapshot.kkg_id, KkgWeekSnapshot.week).where(
                    KkgWeekSnapshot.week.in_(set(weeks.values()))
                )
            )
        ).all()
    )
    todo = [k for k, w in weeks.items() if (k, w) not in done]
    for chunk in range(0, len(todo), 1000):
        ids = todo[chunk : chunk + 1000]
        found = await indicators(session, ids, now)
        session.add_all(
            KkgWeekSnapshot(kkg_id=k, week=weeks[k], taken_at=now, figures=found[k])
            for k in ids
            if k in found
        )
        await session.flush()
    return len(todo)


def week_of(now: datetime, zone: str) -> date:
    local = now.astimezone(ZoneInfo(zone)).date()
    return local - timedelta(days=local.weekday())


def snapshot_jobs() -> list[Job]:
    async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
        times = [t for z in ZONES if (t := next_slot(trigger(z), after)) is not None]
        return min(times, default=None)

    async def run(session: AsyncSession, now: datetime) -> None:
        await take(session, now)  # each KKG once per week of its own zone

    return [Job("weekly_snapshots", next_due, run, wakeups=[trigger(z) for z in ZONES])]


async def history(
    session: AsyncSession, kkg_ids: list[int], now: datetime, weeks: int = TREND_WEEKS
) -> dict[int, list[tuple[date, dict[str, Any]]]]:
    """kkg id -> [(week, figures)] oldest first, for the last `weeks` weeks."""
    since = (now - timedelta(weeks=weeks)).date()
    out: dict[int, list[tuple[date, dict[str, Any]]]] = {k: [] for k in kkg_ids}
    for chunk in range(0, len(kkg_ids), 5000):
        ids = kkg_ids[chunk : chunk + 5000]
        rows = await session.execute(
            select(KkgWeekSnapshot.kkg_id, KkgWeekSnapshot.week, KkgWeekSnapshot.figures)
            .where(KkgWeekSnapshot.kkg_id.in_(ids), KkgWeekSnapshot.week > since)
            .order_by(KkgWeekSnapshot.kkg_id, KkgWeekSnapshot.week)
        )
        for kkg_id, week, figures in rows:
            out[kkg_id].append((week, figures))
    return out


async def latest(session: AsyncSession, kkg_ids: list[int]) -> dict[int, dict[str, Any]]:
    """kkg id -> its newest snapshot's figures (KKGs without one are left out)."""
    out: dict[int, dict[str, Any]] = {}
    for chunk in range(0, len(kkg_ids), 5000):
        ids = kkg_ids[chunk : chunk + 5000]
        newest = (
            select(KkgWeekSnapshot.kkg_id, func.max(KkgWeekSnapshot.week).label("week"))
            .where(KkgWeekSnapshot.kkg_id.in_(ids))
            .group_by(KkgWeekSnapshot.kkg_id)
            .subquery()
        )
        rows = await session.execute(
            select(KkgWeekSnapshot.kkg_id, KkgWeekSnapshot.figures).join(
                newest,
                (newest.c.kkg_id == KkgWeekSnapshot.kkg_id)
                & (newest.c.week == KkgWeekSnapshot.week),
            )
        )
        out.update(rows.all())
    return out
