"""Lesson slots as due work: each KKG's next slot, computed from its schedule row and the clock.

`lesson_schedules.last_slot_at` records the last slot whose lessons went out (a KKG
without a row starts from its creation), so a restart, a retried tick or the console's
moving clock run each slot once. Slots missed while the process was down collapse into
one: a teacher gets one lesson, late, rather than a pile of them (a late lesson still
makes sense, so it is sent; messaging.send holds it out of the quiet hours).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Kkg
from kkgbot.learning import push as lessons_push
from kkgbot.learning import schedule
from kkgbot.learning.models import LessonSchedule
from kkgbot.scheduling.jobs import Job
from kkgbot.settings import Settings


async def _kkgs(session: AsyncSession) -> list[tuple[Kkg, LessonSchedule | None]]:
    rows = await session.execute(
        select(Kkg, LessonSchedule)
        .outerjoin(LessonSchedule, LessonSchedule.kkg_id == Kkg.id)
        .order_by(Kkg.id)
    )
    return [(kkg, row) for kkg, row in rows]


async def next_lesson_slot(session: AsyncSession, after: datetime) -> datetime | None:
    times = [
        when
        for kkg, row in await _kkgs(session)
        if (when := schedule.next_after(kkg, row, after)) is not None
    ]
    return min(times, default=None)


async def run_lesson_slots(session: AsyncSession, now: datetime) -> None:
    for kkg, row in await _kkgs(session):
        slot = schedule.latest_due(kkg, row, now)
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
        await lessons_push.push_slot(session, kkg, slot, now)


def lesson_jobs(settings: Settings) -> list[Job]:
    return [Job("lesson_slots", next_lesson_slot, run_lesson_slots)]
