"""The meetings' time-driven work, computed from the meeting rows and the clock.

- announcements of recurring occurrences, a week before each one;
- reminders (settings.reminder_offsets_hours before the start) to members who did not
  decline: never for a moment before the current start time was set, never after the
  start, and when several are overdue (the process was down) only the latest is sent;
- the check-in code to the koordinator at the start;
- the wrap-up when a meeting ends (turnout, notulen, the monitoring hand-over hooks);
- extending recurring series so occurrences exist three months ahead.

Each row records what was done (`announced_at`, `reminded_for`, `code_sent_at`,
`ended_at`) and every message carries an idempotency key, so a job that runs twice or
after a restart sends nothing twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Kkg
from kkgbot.meetings import notify as meetings_notify
from kkgbot.meetings import series as meetings_series
from kkgbot.meetings import service as meetings
from kkgbot.meetings.models import Meeting, MeetingSeries
from kkgbot.meetings.rsvp import after_meeting_hooks, record_present_by_role
from kkgbot.meetings.service import checkin_closes, ends_at
from kkgbot.scheduling.jobs import Job
from kkgbot.settings import Settings

log = logging.getLogger(__name__)
ANNOUNCE_AHEAD = timedelta(days=7)  # recurring occurrences are announced a week before
WRAPUP_LATE = timedelta(days=2)  # a wrap-up older than this is recorded, not sent
LOOKAHEAD = 50  # meetings examined per offset when looking for the next due moment

_live = (Meeting.cancelled_at.is_(None),)


async def _kkg(session: AsyncSession, meeting: Meeting) -> Kkg:
    kkg = await session.get(Kkg, meeting.kkg_id)
    assert kkg is not None
    return kkg


def announcement_job(offsets: list[float]) -> Job:
    async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
        first = await session.scalar(
            select(func.min(Meeting.starts_at)).where(
                *_live, Meeting.announced_at.is_(None), Meeting.starts_at > after + ANNOUNCE_AHEAD
            )
        )
        return first - ANNOUNCE_AHEAD if first is not None else None

    async def run(session: AsyncSession, now: datetime) -> None:
        due = await session.scalars(
            select(Meeting)
            .where(
                *_live, Meeting.announced_at.is_(None), Meeting.starts_at <= now + ANNOUNCE_AHEAD
            )
            .order_by(Meeting.starts_at)
        )
        for meeting in list(due):
            meeting.announced_at = now
            if meeting.starts_at > now:
                kkg = await _kkg(session, meeting)
                await meetings_notify.announce(session, meeting, kkg, now=now, offsets=offsets)

    return Job("meeting_announcements", next_due, run)


def _latest_due(meeting: Meeting, offsets: list[float], now: datetime) -> float | None:
    """The offset whose reminder is due now (the latest of those due), if any."""
    best: tuple[datetime, float] | None = None
    for hours in offsets:
        due = meeting.starts_at - timedelta(hours=hours)
        if meeting.timed_at <= due <= now < meeting.starts_at and (best is None or due > best[0]):
            best = (due, hours)
    if best is None or (meeting.reminded_for is not None and meeting.reminded_for >= best[0]):
        return None
    return best[1]


def reminder_job(offsets: list[float]) -> Job:
    async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
        best = None
        for hours in offsets:
            offset = timedelta(hours=hours)
            candidates = await session.scalars(
                select(Meeting)
                .where(*_live, Meeting.starts_at > after + offset)
                .order_by(Meeting.starts_at)
                .limit(LOOKAHEAD)
            )
            for meeting in candidates:
                due = meeting.starts_at - offset
                if due >= meeting.timed_at:
                    best = due if best is None or due < best else best
                    break
        return best

    async def run(session: AsyncSession, now: datetime) -> None:
        horizon = now + timedelta(hours=max(offsets, default=0))
        soon = await session.scalars(
            select(Meeting)
            .where(*_live, Meeting.starts_at > now, Meeting.starts_at <= horizon)
            .order_by(Meeting.starts_at)
        )
        for meeting in list(soon):
            hours = _latest_due(meeting, offsets, now)
            if hours is None:
                continue
            meeting.reminded_for = meeting.starts_at - timedelta(hours=hours)
            kkg = await _kkg(session, meeting)
            count = await meetings_notify.send_reminders(
                session, meeting, kkg, hours=hours, now=now
            )
            log.info("meeting %s: %gh reminder to %d members", meeting.id, hours, count)

    return Job("meeting_reminders", next_due, run)


def checkin_code_job() -> Job:
    async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
        return await session.scalar(
            select(func.min(Meeting.starts_at)).where(
                *_live, Meeting.code_sent_at.is_(None), Meeting.starts_at > after
            )
        )

    async def run(session: AsyncSession, now: datetime) -> None:
        due = await session.scalars(
            select(Meeting).where(*_live, Meeting.code_sent_at.is_(None), Meeting.starts_at <= now)
        )
        for meeting in list(due):
            meeting.code_sent_at = now
            if now <= checkin_closes(meeting):
                kkg = await _kkg(session, meeting)
                await meetings_notify.send_checkin_code(session, meeting, kkg, now=now)

    return Job("meeting_checkin_codes", next_due, run)


def wrapup_job() -> Job:
    async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
        open_meetings = await session.scalars(
            select(Meeting)
            .where(*_live, Meeting.ended_at.is_(None))
            .order_by(Meeting.starts_at)
            .limit(LOOKAHEAD)
        )
        ends = [ends_at(m) for m in open_meetings if ends_at(m) > after]
        return min(ends) if ends else None

    async def run(session: AsyncSession, now: datetime) -> None:
        started = await session.scalars(
            select(Meeting)
            .where(*_live, Meeting.ended_at.is_(None), Meeting.starts_at <= now)
            .order_by(Meeting.starts_at)
        )
        for meeting in list(started):
            if ends_at(meeting) > now:
                continue
            meeting.ended_at = now
            await record_present_by_role(session, meeting)
            if now - ends_at(meeting) > WRAPUP_LATE:
                continue
            kkg = await _kkg(session, meeting)
            await meetings_notify.send_wrapup(session, meeting, kkg, now=now)
            for hook in after_meeting_hooks():
                await hook(session, meeting, kkg, now)

    return Job("meeting_wrapup", next_due, run)


def series_job(code_key: bytes) -> Job:
    async def run(session: AsyncSession, now: datetime) -> None:
        active = await session.scalars(
            select(MeetingSeries).where(MeetingSeries.cancelled_at.is_(None))
        )
        for series in list(active):
            created = await meetings_series.extend_series(session, series, now, code_key)
            if created:
                log.info("series %s: %d new occurrences", series.id, len(created))

    return Job("meeting_series", meetings_series.next_series_extension, run)


def meeting_jobs(settings: Settings) -> list[Job]:
    """In order: new occurrences first, so a fresh one can be announced in the same run."""
    offsets = [h for h in settings.reminder_offsets_hours if h > 0]
    return [
        series_job(meetings.code_key_for(settings)),
        announcement_job(offsets),
        reminder_job(offsets),
        checkin_code_job(),
        wrapup_job(),
    ]
