"""Monitoring as due work, computed from the rows and the clock.

- reflections: attendees are asked `reflection_delay_hours` after a meeting ends. This is
  a job that finds ended meetings rather than the `meetings_rsvp.on_meeting_ended` hook:
  a koordinator may mark the roster after the meeting, and those attendees are asked too
  (a reflection row per attendee and meeting records who was asked, so nobody twice);
- the reminder, once, 48 hours after the question, to those who have not answered;
- per KKG, three recurring slots in its own zone (`monitoring_slots` keeps the last one
  done; missed slots collapse into one): the pulse on the first Monday at 19:00, the
  weekly support list to the koordinator on Monday at 08:00, and the standards
  self-assessment invitation on the first Monday of January and July at 09:00.

The pulse keeps school time (kkgbot.school_calendar): a first Monday that is a holiday or
inside a break moves it to the same hour of the next school day; the month stays the
slot's month. Reflection questions and reminders move the same way (`reflection_followup`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg
from kkgbot.delivery.keys import idempotency_key, slot_key
from kkgbot.messages import Choice, MessageKind
from kkgbot.monitoring import (
    classroom_followup,
    evidence,
    pulse,
    reflection_followup,
    standards,
    support_requests,
)
from kkgbot.monitoring.models import MonitoringSlots
from kkgbot.people import messaging, roles
from kkgbot.people.messaging import Recipient
from kkgbot.scheduling.jobs import Job
from kkgbot.scheduling.slots import next_slot, slots_between
from kkgbot.school_calendar.calendar import MAX_SHIFT_DAYS, Calendars
from kkgbot.settings import Settings

log = logging.getLogger(__name__)
LOOK_BACK = timedelta(days=190)  # the longest gap between two slots (a term), plus margin
SHIFT_BACK = timedelta(days=MAX_SHIFT_DAYS)

Trigger = Callable[[str], CronTrigger]
SlotWork = Callable[[AsyncSession, Kkg, datetime, datetime], Awaitable[int]]


def support_trigger(tz: str) -> CronTrigger:
    return CronTrigger(day_of_week="mon", hour=8, minute=0, timezone=tz)


def standards_trigger(tz: str) -> CronTrigger:
    return CronTrigger(month="1,7", day="1st mon", hour=9, minute=0, timezone=tz)


def _anchor(kkg: Kkg, row: MonitoringSlots | None, column: str) -> datetime:
    last = getattr(row, column) if row is not None else None
    return last or kkg.created_at


async def _kkgs(session: AsyncSession) -> list[tuple[Kkg, MonitoringSlots | None]]:
    rows = await session.execute(
        select(Kkg, MonitoringSlots)
        .outerjoin(MonitoringSlots, MonitoringSlots.kkg_id == Kkg.id)
        .order_by(Kkg.id)
    )
    return [(kkg, row) for kkg, row in rows]


def slot_job(
    name: str, column: str, trigger: Trigger, work: SlotWork, school_time: bool = False
) -> Job:
    """`school_time`: a slot on a day off is done at the same hour of the next school day."""

    async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
        times = []
        calendars = Calendars(session)
        for kkg, row in await _kkgs(session):
            start = max(after, _anchor(kkg, row, column))
            when = next_slot(trigger(kkg.timezone), start)
            if when is not None and school_time:
                cal = await calendars.kkg(kkg)
                # a slot already passed may still be waiting for its school day
                waiting = slots_between(
                    trigger(kkg.timezone), max(_anchor(kkg, row, column), after - SHIFT_BACK), after
                )
                moved = [cal.shift(s, kkg.timezone) for s in [*waiting, when]]
                when = min((m for m in moved if m > after), default=None)
            if when is not None:
                times.append(when)
        return min(times, default=None)

    async def run(session: AsyncSession, now: datetime) -> None:
        calendars = Calendars(session)
        for kkg, row in await _kkgs(session):
            start = _anchor(kkg, row, column)
            found = slots_between(trigger(kkg.timezone), max(start, now - LOOK_BACK), now)
            if found and school_time:
                cal = await calendars.kkg(kkg)
                found = [s for s in found if cal.shift(s, kkg.timezone) <= now]
            if not found:
                continue
            if row is None:
                row = MonitoringSlots(kkg_id=kkg.id)
                session.add(row)
            setattr(row, column, found[-1])
            count = await work(session, kkg, found[-1], now)
            log.info("%s %s for kkg %s: %d messages", name, slot_key(found[-1]), kkg.id, count)

    return Job(name, next_due, run)


async def invite_to_standards(session: AsyncSession, kkg: Kkg, slot: datetime, now) -> int:
    """The koordinators are asked to fill in the term's self-assessment (a button starts it)."""
    koordinators = [
        p for p in await roles.koordinators_of(session, kkg.id) if p.onboarded_at is not None
    ]
    count = len(standards.checklist().items)
    sent = 0
    for person in koordinators:
        recipient = Recipient(person.id, person.language or i18n.DEFAULT, kkg.timezone)
        sent += await messaging.send(
            session,
            recipient,
            messaging.text("monitoring.sa_invite", kkg=kkg.name, count=count),
            key=idempotency_key(
                "standards",
                ("kkg", kkg.id),
                ("person", person.id),
                ("term", standards.term_of(slot, kkg.timezone)),
            ),  # fmt: skip
            now=now,
            choices=lambda lang: [Choice.act(i18n.t(lang, "monitoring.sa_start"), "sas", kkg.id)],
            about=MessageKind.NOTICE,
        )
    return sent


async def weekly_to_koordinator(session: AsyncSession, kkg: Kkg, slot: datetime, now) -> int:
    """Monday morning: the week's support requests, then the week's photos of student work."""
    sent = await support_requests.send_support_list(session, kkg, slot, now)
    return sent + await evidence.send_photos(session, kkg, slot - timedelta(days=7), now)


def daily_trigger(tz: str) -> CronTrigger:
    return CronTrigger(hour=3, minute=0, timezone="UTC")


def monitoring_jobs(settings: Settings) -> list[Job]:
    delay = timedelta(hours=settings.reflection_delay_hours)

    async def next_ask(session: AsyncSession, after: datetime) -> datetime | None:
        return await reflection_followup.next_ask_due(session, after, delay)

    async def ask(session: AsyncSession, now: datetime) -> None:
        count = await reflection_followup.ask_due(session, now, delay)
        if count:
            log.info("reflections asked: %d", count)

    async def remind(session: AsyncSession, now: datetime) -> None:
        await reflection_followup.remind_due(session, now)

    async def followup(session: AsyncSession, now: datetime) -> None:
        count = await classroom_followup.ask_due(session, now)
        if count:
            log.info("classroom follow-ups asked: %d", count)

    async def next_purge(session: AsyncSession, after: datetime) -> datetime | None:
        return next_slot(daily_trigger("UTC"), after)

    async def purge(session: AsyncSession, now: datetime) -> None:
        count = await evidence.purge_old_photos(session, now)
        if count:
            log.info("photos of student work past a semester deleted: %d", count)

    return [
        Job("reflection_asks", next_ask, ask),
        Job("reflection_reminders", reflection_followup.next_remind_due, remind),
        Job("classroom_followups", classroom_followup.next_due, followup),
        Job("evidence_cleanup", next_purge, purge),
        slot_job("pulse", "pulse_at", pulse.trigger, pulse.ask, school_time=True),
        slot_job("support_list", "support_at", support_trigger, weekly_to_koordinator),
        slot_job("standards_invite", "standards_at", standards_trigger, invite_to_standards),
    ]
