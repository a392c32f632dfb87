"""One KKG's page: meetings with attendance, members, topics and work plan, monitoring over
time, support requests, the standards per area, lessons, and visits.

Member names (and what a member typed) only for a viewer who may read them (the KKG's
koordinator or pengawas: `named`); otherwise members are counted, never listed by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Identity, Kkg, Person, Role
from kkgbot.learning.models import LessonProgress, ModuleCompletion
from kkgbot.meetings import service as meetings
from kkgbot.meetings.models import Attendance, Meeting
from kkgbot.monitoring import standards
from kkgbot.monitoring.figures import monitoring_figures
from kkgbot.monitoring.support_requests import support_list
from kkgbot.people.permissions import KKG_MEMBER_ROLES
from kkgbot.polls.workplan import PlanEntry, vote_share, work_plan
from kkgbot.visits.models import Visit

WINDOW = timedelta(days=90)


@dataclass
class MeetingRow:
    id: int
    title: str
    starts_at: datetime
    attended: int
    held: bool


@dataclass
class MemberRow:
    name: str | None  # None when the viewer may not read names
    attended: int
    jp: int
    last_active: datetime | None


@dataclass
class KkgPage:
    kkg: Kkg
    held: list[MeetingRow]
    planned: list[MeetingRow]
    members: list[MemberRow]
    plan: list[PlanEntry]
    plan_share: float | None
    support: list[tuple[str | None, str, str]]  # (name or None, meeting, text)
    standards_score: int | None
    standards_by_area: list[tuple[str, int]]  # (area id, score)
    lessons_given: int
    lessons_answered: int
    modules_completed: int
    visits: int  # /kunjungan records for this KKG
    extra: dict[str, Any] = field(default_factory=dict)


async def _attendance(session: AsyncSession, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Attendance.meeting_id, func.count(Attendance.id))
        .where(Attendance.meeting_id.in_(ids))
        .group_by(Attendance.meeting_id)
    )
    return dict(rows.all())


async def _members(session: AsyncSession, kkg_id: int, since: datetime, named: bool):
    member_ids = select(Role.person_id).where(
        Role.kkg_id == kkg_id, Role.role.in_(KKG_MEMBER_ROLES)
    )
    attended = (
        select(
            Attendance.person_id.label("pid"),
            func.count(Attendance.id).label("n"),
            func.coalesce(func.sum(Attendance.jp), 0).label("jp"),
        )
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(Meeting.kkg_id == kkg_id, Meeting.starts_at >= since)
        .group_by(Attendance.person_id)
        .subquery()
    )
    active = (
        select(Identity.person_id.label("pid"), func.max(Identity.last_inbound_at).label("at"))
        .group_by(Identity.person_id)
        .subquery()
    )
    rows = await session.execute(
        select(Person.name, attended.c.n, attended.c.jp, active.c.at)
        .outerjoin(attended, attended.c.pid == Person.id)
        .outerjoin(active, active.c.pid == Person.id)
        .where(Person.id.in_(member_ids), Person.erased_at.is_(None))
        .order_by(Person.name)
    )
    out = [
        MemberRow(name if named else None, int(n or 0), int(jp or 0), at)
        for name, n, jp, at in rows
    ]
    if not named:
        out.sort(key=lambda m: (-m.attended, -m.jp))
    return out


async def _visits(session: AsyncSession, kkg_id: int) -> int:
    """Classroom visits and coaching sessions recorded with /kunjungan for this KKG."""
    query = select(func.count()).select_from(Visit).where(Visit.kkg_id == kkg_id)
    return int(await session.scalar(query) or 0)


async def kkg_page(session: AsyncSession, kkg: Kkg, now: datetime, *, named: bool) -> KkgPage:
    since = now - WINDOW
    held = [
        m for m in await meetings.past(session, [kkg.id], now, limit=12) if m.starts_at >= since
    ]
    planned = await meetings.upcoming(session, [kkg.id], now, limit=6)
    counts = await _attendance(session, [m.id for m in held + planned])

    def rows(found: list[Meeting], was_held: bool) -> list[MeetingRow]:
        return [
            MeetingRow(m.id, m.title, m.starts_at, counts.get(m.id, 0), was_held) for m in found
        ]

    mon = (await monitoring_figures(session, [kkg.id], now - timedelta(days=366), now))[kkg.id]
    order = [a.id for a in standards.checklist().areas]
    by_area = sorted(
        mon.standards_by_area.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
    )
    support = [
        (name if named else None, title, text)
        for name, title, text, _ in await support_list(session, kkg.id, since=since)
    ]
    given, answered = (
        await session.execute(
            select(func.count(LessonProgress.id), func.count(LessonProgress.answered_at)).where(
                LessonProgress.kkg_id == kkg.id,
                LessonProgress.sent_at >= since,
                LessonProgress.sent_at < now,
            )
        )
    ).one()
    modules = await session.scalar(
        select(func.count(ModuleCompletion.id)).where(
            ModuleCompletion.kkg_id == kkg.id,
            ModuleCompletion.completed_at >= since,
            ModuleCompletion.completed_at < now,
        )
    )
    share = await vote_share(session, kkg.id)
    return KkgPage(
        kkg=kkg,
        held=rows(held, True),
        planned=rows(planned, False),
        members=await _members(session, kkg.id, since, named),
        plan=await work_plan(session, kkg.id),
        plan_share=share.share,
        support=support if named else [(None, t, "") for _, t, _ in support],
        standards_score=mon.standards_score,
        standards_by_area=by_area,
        lessons_given=int(given),
        lessons_answered=int(answered),
        modules_completed=int(modules or 0),
        visits=await _visits(session, kkg.id),
    )
