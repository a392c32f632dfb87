"""The weekly digest: Monday 07:00 in each supervisor's zone, once per person and slot.

A `digest_rounds` row marks a slot done for a person, so a restart, a retried tick or the
console's moving clock send each Monday's digest once. A slot before the person became a
pengawas or admin is not theirs (a new supervisor does not get last Monday's digest).
Late digests are still sent (a Tuesday digest beats none); messaging.send keeps quiet hours.
A Monday that is a holiday or inside a school break in the supervisor's district
(kkgbot.school_calendar) moves the digest to 07:00 on the next school day; during a long
break the Mondays collapse into one digest on the first school day after it.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import District, Person, Role
from kkgbot.digest import rounds as digest
from kkgbot.digest.render_pool import DigestRenderer
from kkgbot.digest.round_run import due_people, run_round
from kkgbot.scheduling.jobs import Job
from kkgbot.scheduling.slots import next_slot, slots_between
from kkgbot.school_calendar.calendar import Calendars
from kkgbot.settings import Settings

log = logging.getLogger(__name__)

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")


def trigger(zone: str) -> CronTrigger:
    return CronTrigger(day_of_week="mon", hour=7, minute=0, timezone=zone)


def latest_slot(zone: str, now: datetime) -> datetime | None:
    slots = slots_between(trigger(zone), now - timedelta(days=7, minutes=1), now)
    return slots[-1] if slots else None


def digest_jobs(settings: Settings, renderer: DigestRenderer | None = None) -> list[Job]:
    """`renderer`: where charts and workbooks are drawn (inline when not given)."""
    default = settings.default_timezone
    renderer = renderer or DigestRenderer(0)

    async def supervisors(session: AsyncSession) -> list[tuple[int, str, datetime, int | None]]:
        """(person, zone, first pengawas/admin grant, district) in one query: a tick costs
        the same for ten supervisors or ten thousand."""
        rows = await session.execute(
            select(Person.id, District.timezone, func.min(Role.granted_at), Person.district_id)
            .join(Role, Role.person_id == Person.id)
            .outerjoin(District, District.id == Person.district_id)
            .where(Role.role.in_(digest.DIGEST_ROLES), Person.onboarded_at.is_not(None))
            .group_by(Person.id, District.timezone, Person.district_id)
        )
        return [(pid, zone or default, since, did) for pid, zone, since, did in rows]

    async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
        people = await supervisors(session)
        zones = {zone for _, zone, _, _ in people}
        times = [t for z in zones if (t := next_slot(trigger(z), after)) is not None]
        calendars = Calendars(session)
        for zone, district_id in {(zone, did) for _, zone, _, did in people}:
            last = latest_slot(zone, after)
            if last is not None:
                moved = (await calendars.district(district_id)).shift(last, zone)
                if moved > after:
                    times.append(moved)
        return min(times, default=None)

    async def run(session: AsyncSession, now: datetime) -> None:
        started = time.perf_counter()
        people = await supervisors(session)
        slots = {z: latest_slot(z, now) for z in {zone for _, zone, _, _ in people}}
        due = await due_people(session, now, people, slots, default)
        if due:
            log.info("digest round: %d due, planned in %.1f s",
                     sum(map(len, due.values())), time.perf_counter() - started)  # fmt: skip
            await run_round(session, renderer, due, now)

    wakeups = [trigger(z) for z in ZONES]
    return [Job("weekly_digest", next_due, run, wakeups=wakeups)]
