"""Recurring meetings: a series row and its occurrences, each a meeting of its own.

Occurrences exist three months ahead; a job extends the series as time passes
(`next_series_extension` says when the next one enters the horizon). Cancelling one
occurrence leaves the series alone; stopping the series cancels those still to come.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db import audit
from kkgbot.db.models import Kkg
from kkgbot.meetings.models import Meeting, MeetingSeries
from kkgbot.meetings.recurrence import HORIZON, Rule, occurrences
from kkgbot.meetings.service import MeetingDraft, create_meeting, local


def series_rule(series: MeetingSeries) -> Rule:
    hour, minute = (int(part) for part in series.local_time.split(":"))
    return Rule(series.kind, series.weekday, series.nth, time(hour, minute))


async def create_series(
    session: AsyncSession,
    draft: MeetingDraft,
    rule: Rule,
    *,
    creator_id: int | None,
    now: datetime,
    code_key: bytes,
) -> tuple[MeetingSeries, list[Meeting]]:
    """The series and its occurrences for the next 3 months; only the first is announced now."""
    kkg = await session.get(Kkg, draft.kkg_id)
    assert kkg is not None
    until = now + HORIZON
    series = MeetingSeries(
        kkg_id=draft.kkg_id,
        kind=rule.kind,
        weekday=rule.weekday,
        nth=rule.nth,
        local_time=rule.local_time.strftime("%H:%M"),
        duration_minutes=draft.duration_minutes,
        title=draft.title,
        place=draft.place,
        agenda=draft.agenda,
        narasumber_name=draft.narasumber_name,
        narasumber_person_id=draft.narasumber_person_id,
        created_by_person_id=creator_id,
        created_at=now,
        generated_until=until,
    )
    session.add(series)
    await session.flush()
    first_local = local(draft.starts_at, kkg)
    starts = occurrences(rule, kkg.timezone, first_local, now, max(until, draft.starts_at))
    created = []
    for n, start in enumerate(starts):
        occurrence = MeetingDraft(**{**draft.__dict__, "starts_at": start})
        created.append(
            await create_meeting(
                session, occurrence, creator_id=creator_id, now=now, code_key=code_key,
                series_id=series.id,
                announced=n == 0,
            )
        )  # fmt: skip
    audit.record(
        session,
        at=now,
        action="meeting.series_create",
        actor_person_id=creator_id,
        kkg_id=draft.kkg_id,
        details={"series_id": series.id, "rule": rule.key, "count": len(created)},
    )
    return series, created


async def first_of_series(session: AsyncSession, series_id: int) -> Meeting | None:
    return await session.scalar(
        select(Meeting).where(Meeting.series_id == series_id).order_by(Meeting.starts_at).limit(1)
    )


async def extend_series(
    session: AsyncSession, series: MeetingSeries, now: datetime, code_key: bytes
) -> list[Meeting]:
    """Create the occurrences that entered the 3-month horizon since the last run."""
    kkg = await session.get(Kkg, series.kkg_id)
    first = await first_of_series(session, series.id)
    if kkg is None or first is None or series.cancelled_at is not None:
        return []
    until = now + HORIZON
    if until <= series.generated_until:
        return []
    rule = series_rule(series)
    starts = occurrences(
        rule, kkg.timezone, local(first.starts_at, kkg), series.generated_until, until
    )
    series.generated_until = until
    draft = MeetingDraft(
        kkg_id=series.kkg_id,
        title=series.title,
        starts_at=now,
        place=series.place,
        agenda=series.agenda,
        narasumber_name=series.narasumber_name,
        narasumber_person_id=series.narasumber_person_id,
        duration_minutes=series.duration_minutes,
    )
    created = []
    for start in starts:
        draft.starts_at = start
        created.append(
            await create_meeting(
                session, draft, creator_id=series.created_by_person_id, now=now, code_key=code_key,
                series_id=series.id, announced=False,
            )
        )  # fmt: skip
    return created


async def next_series_extension(session: AsyncSession, after: datetime) -> datetime | None:
    """The moment the next occurrence of any active series enters the horizon."""
    best = None
    for series in await session.scalars(
        select(MeetingSeries).where(MeetingSeries.cancelled_at.is_(None))
    ):
        kkg = await session.get(Kkg, series.kkg_id)
        first = await first_of_series(session, series.id)
        if kkg is None or first is None:
            continue
        end = series.generated_until + timedelta(days=62)  # a month's occurrence at least
        nxt = occurrences(
            series_rule(series),
            kkg.timezone,
            local(first.starts_at, kkg),
            series.generated_until,
            end,
        )
        if nxt:
            when = nxt[0] - HORIZON
            best = when if best is None or when < best else best
    return best


async def cancel_series(
    session: AsyncSession, series_id: int, *, now: datetime, actor_id: int
) -> list[Meeting]:
    """Stop a series: it makes no more occurrences and those still to come are cancelled."""
    series = await session.get(MeetingSeries, series_id)
    assert series is not None
    series.cancelled_at = now
    to_come = list(
        await session.scalars(
            select(Meeting)
            .where(
                Meeting.series_id == series_id,
                Meeting.cancelled_at.is_(None),
                Meeting.starts_at > now,
            )
            .order_by(Meeting.starts_at)
        )
    )
    for meeting in to_come:
        meeting.cancelled_at = now
        meeting.updated_at = now
        meeting.sequence += 1
    audit.record(
        session,
        at=now,
        action="meeting.series_cancel",
        actor_person_id=actor_id,
        kkg_id=series.kkg_id,
        details={"series_id": series_id, "cancelled": len(to_come)},
    )
    return to_come


async def count_in_series(session: AsyncSession, series_id: int, now: datetime) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Meeting)
            .where(
                Meeting.series_id == series_id,
                Meeting.cancelled_at.is_(None),
                Meeting.starts_at > now,
            )
        )
        or 0
    )
