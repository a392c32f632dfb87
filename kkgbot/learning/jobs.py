"""Lesson slots as due work: each KKG's next slot, computed from its schedule row and the clock.

`lesson_schedules.last_slot_at` records the last slot whose lessons went out (a KKG
without a row starts from its creation), so a restart, a retried tick or the console's
moving clock run each slot once. Slots missed while the process was down collapse into
one: a teacher gets one lesson, late, rather than a pile of them (a late lesson still
makes sense, so it is sent; messaging.send holds it out of the quiet hours).

A slot on a holiday or in a school break (kkgbot.school_calendar) is skipped, not moved:
the next slot is a few days away and the sequence simply continues from there. A KKG's
dated period (Ramadan, `periods`) replaces its usual times between its two dates.

Each tick also looks whether the content folder changed (`library.refresh`), so a pack
installed by `bot.py content import` reaches a running bot within a tick.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Kkg
from kkgbot.learning import library, schedule
from kkgbot.learning import push as lessons_push
from kkgbot.learning.models import LessonSchedule, LessonSchedulePeriod
from kkgbot.scheduling.jobs import Job
from kkgbot.school_calendar.calendar import Calendars
from kkgbot.settings import Settings

log = logging.getLogger(__name__)
Row = tuple[Kkg, LessonSchedule | None, LessonSchedulePeriod | None]


async def _kkgs(session: AsyncSession) -> list[Row]:
    rows = await session.execute(
        select(Kkg, LessonSchedule, LessonSchedulePeriod)
        .outerjoin(LessonSchedule, LessonSchedule.kkg_id == Kkg.id)
        .outerjoin(LessonSchedulePeriod, LessonSchedulePeriod.kkg_id == Kkg.id)
        .order_by(Kkg.id)
    )
    return [(kkg, row, period) for kkg, row, period in rows]


async def next_lesson_slot(session: AsyncSession, after: datetime) -> datetime | None:
    """Each KKG's first slot after the last one that went out: at or before `after` when a
    slot is overdue (a new KKG, a schedule just changed), so a moving clock runs it now."""
    times = [
        when
        for kkg, row, period in await _kkgs(session)
        if (when := schedule.next_after(kkg, row, schedule.anchor(kkg, row), period)) is not None
    ]
    return min(times, default=None)


async def run_lesson_slots(session: AsyncSession, now: datetime) -> None:
    library.refresh()  # a pack written by `content import` is used without a restart
    calendars = Calendars(session)
    for kkg, row, period in await _kkgs(session):
        slot = schedule.latest_due(kkg, row, now, period)
        if slot is None:
            continue
        if row is None:
            row = LessonSchedule(
                kkg_id=kkg.id,
                days=",".join(schedule.DEFAULT.days),
                hour=schedule.DEFAULT.hour,
                minute=schedule.DEFAULT.minute,
                updated_at=now,
            )
            session.add(row)
        row.last_slot_at = slot
        day_off = (await calendars.kkg(kkg)).off_on(slot, kkg.timezone)
        if day_off is not None:
            log.info("lesson slot %s for kkg %s skipped: %s", slot.isoformat(), kkg.id, day_off)
            continue
        await lessons_push.push_slot(session, kkg, slot, now)


def lesson_jobs(settings: Settings) -> list[Job]:
    return [Job("lesson_slots", next_lesson_slot, run_lesson_slots)]
