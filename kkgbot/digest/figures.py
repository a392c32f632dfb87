"""The figures of the supervisors' digest, for many KKGs at once, with SQL aggregates.

Every figure is one GROUP BY kkg query over the period (the last 7 days, or the term so
far), so building the digest of a district or of the whole country reads counts, not
events: memory grows with the number of KKGs, never with the number of attendances,
votes or lessons. The monitoring figures (reflections, pulse, standards) come from
`monitoring_figures`; topics, the work plan and lessons from `digest_activity`.

Definitions the digest states in its legend:
- attendance rate: attendances / (meetings held x current members);
- inactive: a current member with no attendance at a meeting of that KKG in 60 days;
- most active fifth: the ceil(members/5) members with the most attendances this term,
  and the share of the term's attendances they account for;
- falling attendance: each of the last three meetings had fewer attendees than the one
  before it (so four meetings are needed);
- the term: Indonesian school semesters, 1 January and 1 July (local time).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Kkg, Person, Role
from kkgbot.digest.activity import lessons, topics_and_plan
from kkgbot.digest.kkg_figures import TREND_MEETINGS, KkgFigures
from kkgbot.digest.period import Period, between, count_if
from kkgbot.meetings.models import Attendance, Meeting
from kkgbot.monitoring.figures import monitoring_figures
from kkgbot.people.permissions import KKG_MEMBER_ROLES
from kkgbot.visits.service import visit_figures

log = logging.getLogger(__name__)


INACTIVE_DAYS = 60
NO_MEETING_DAYS = 30
NAMES_PER_KKG = 30

ALERT_NO_MEETING = "no_meeting"
ALERT_FALLING = "falling"
ALERT_NO_PLAN = "no_plan"
ALERT_NO_ASSESSMENT = "no_assessment"
ALERT_ADMIN_PLAN = "admin_plan"  # more than half of the term's plan is exams or paperwork
ALERT_ADMIN_MONTH = "admin_month"  # more than half of the month's meetings are
ALERT_ORDER = (ALERT_NO_MEETING, ALERT_FALLING, ALERT_NO_PLAN, ALERT_NO_ASSESSMENT,
               ALERT_ADMIN_PLAN, ALERT_ADMIN_MONTH)  # fmt: skip


async def digest_figures(
    session: AsyncSession, kkg_ids: list[int], period: Period, *, names: bool = False
) -> dict[int, KkgFigures]:
    """Figures for each KKG; `names` adds the inactive members' names (pengawas only)."""
    out: dict[int, KkgFigures] = {}
    for chunk_start in range(0, len(kkg_ids), 5000):  # bound the IN lists
        ids = kkg_ids[chunk_start : chunk_start + 5000]
        rows = await session.execute(select(Kkg.id, Kkg.name, Kkg.timezone).where(Kkg.id.in_(ids)))
        part = {k: KkgFigures(k, n, tz) for k, n, tz in rows}
        await _fill(session, part, list(part), period, names)
        out.update(part)
    return out


async def _fill(session, figs: dict[int, KkgFigures], ids: list[int], p: Period, names: bool):
    now = p.now
    members = (
        select(Role.kkg_id.label("kkg_id"), Role.person_id.label("person_id"))
        .where(Role.kkg_id.in_(ids), Role.role.in_(KKG_MEMBER_ROLES))
        .distinct()
        .subquery()
    )
    for kkg_id, n in await session.execute(
        select(members.c.kkg_id, func.count()).group_by(members.c.kkg_id)
    ):
        figs[kkg_id].members = n

    live = and_(Meeting.kkg_id.in_(ids), Meeting.cancelled_at.is_(None))
    held = Meeting.starts_at < now
    q = (
        select(
            Meeting.kkg_id,
            count_if(and_(held, Meeting.starts_at >= p.week_start)),
            count_if(and_(held, Meeting.starts_at >= p.term_start)),
            count_if(Meeting.starts_at >= now),
            func.max(case((held, Meeting.starts_at))),
        )
        .where(live)
        .group_by(Meeting.kkg_id)
    )
    for kkg_id, week, term, planned, last in await session.execute(q):
        f = figs[kkg_id]
        f.held_week, f.held_term, f.planned, f.last_held_at = (
            int(week),
            int(term),
            int(planned),
            last,
        )

    q = (
        select(
            Meeting.kkg_id,
            count_if(Meeting.starts_at >= p.week_start),
            func.count(Attendance.id),
        )
        .join(Attendance, Attendance.meeting_id == Meeting.id)
        .where(live, between(Meeting.starts_at, p.term_start, now))
        .group_by(Meeting.kkg_id)
    )
    for kkg_id, week, term in await session.execute(q):
        figs[kkg_id].attended_week, figs[kkg_id].attended_term = int(week), int(term)

    await _trend(session, figs, ids, p)
    await _inactive(session, figs, ids, members, p, names)
    await _top_fifth(session, figs, ids, members, p)
    await topics_and_plan(session, figs, ids, p)
    await lessons(session, figs, ids, p)
    await _monitoring(session, figs, ids, p)
    await _visits(session, figs, ids, p)
    for f in figs.values():
        f.alerts = alerts_for(f, p)


async def _trend(session, figs, ids, p: Period) -> None:
    per_meeting = (
        select(
            Meeting.kkg_id.label("kkg_id"),
            Meeting.starts_at.label("starts_at"),
            func.count(Attendance.id).label("n"),
            func.row_number()
            .over(partition_by=Meeting.kkg_id, order_by=Meeting.starts_at.desc())
            .label("rn"),
        )
        .outerjoin(Attendance, Attendance.meeting_id == Meeting.id)
        .where(
            Meeting.kkg_id.in_(ids),
            Meeting.cancelled_at.is_(None),
            between(Meeting.starts_at, p.now - timedelta(days=365), p.now),
        )
        .group_by(Meeting.id, Meeting.kkg_id, Meeting.starts_at)
        .subquery()
    )
    rows = await session.execute(
        select(per_meeting.c.kkg_id, per_meeting.c.n)
        .where(per_meeting.c.rn <= TREND_MEETINGS)
        .order_by(per_meeting.c.kkg_id, per_meeting.c.starts_at)
    )
    for kkg_id, n in rows:
        figs[kkg_id].trend.append(int(n))


async def _inactive(session, figs, ids, members, p: Period, names: bool) -> None:
    since = p.now - timedelta(days=INACTIVE_DAYS)
    recent = (
        select(Meeting.kkg_id.label("kkg_id"), Attendance.person_id.label("person_id"))
        .join(Attendance, Attendance.meeting_id == Meeting.id)
        .where(Meeting.kkg_id.in_(ids), Meeting.starts_at >= since, Meeting.starts_at < p.now)
        .distinct()
        .subquery()
    )
    joined = members.outerjoin(
        recent,
        and_(recent.c.kkg_id == members.c.kkg_id, recent.c.person_id == members.c.person_id),
    )
    idle = recent.c.person_id.is_(None)
    for kkg_id, n in await session.execute(
        select(members.c.kkg_id, func.count())
        .select_from(joined)
        .where(idle)
        .group_by(members.c.kkg_id)
    ):
        figs[kkg_id].inactive = int(n)
    if not names:
        return
    rows = await session.execute(
        select(members.c.kkg_id, Person.id, Person.name)
        .select_from(joined)
        .join(Person, Person.id == members.c.person_id)
        .where(idle, Person.name.is_not(None))
        .order_by(members.c.kkg_id, Person.name)
    )
    for kkg_id, person_id, name in rows:
        if len(figs[kkg_id].inactive_names) < NAMES_PER_KKG:
            figs[kkg_id].inactive_names.append(name)
            figs[kkg_id].inactive_ids.append(person_id)


async def _top_fifth(session, figs, ids, members, p: Period) -> None:
    per_person = (
        select(
            Meeting.kkg_id.label("kkg_id"),
            Attendance.person_id.label("person_id"),
            func.count().label("n"),
        )
        .join(Attendance, Attendance.meeting_id == Meeting.id)
        .where(
            Meeting.kkg_id.in_(ids),
            Meeting.cancelled_at.is_(None),
            between(Meeting.starts_at, p.term_start, p.now),
        )
        .group_by(Meeting.kkg_id, Attendance.person_id)
        .subquery()
    )
    sizes = (
        select(members.c.kkg_id.label("kkg_id"), func.count().label("size"))
        .group_by(members.c.kkg_id)
        .subquery()
    )
    ranked = (
        select(
            per_person.c.kkg_id,
            per_person.c.n,
            sizes.c.size,
            func.row_number()
            .over(partition_by=per_person.c.kkg_id, order_by=per_person.c.n.desc())
            .label("rn"),
        )
        .join(sizes, sizes.c.kkg_id == per_person.c.kkg_id)
        .subquery()
    )
    top = (ranked.c.size + literal(4)) / literal(5)  # ceil(size / 5), integer division
    rows = await session.execute(
        select(
            ranked.c.kkg_id,
            func.sum(ranked.c.n),
            func.sum(case((ranked.c.rn <= top, ranked.c.n), else_=0)),
        ).group_by(ranked.c.kkg_id)
    )
    for kkg_id, total, by_top in rows:
        if total:
            figs[kkg_id].top_fifth_share = int(by_top) / int(total)


async def _monitoring(session, figs, ids, p: Period) -> None:
    try:
        async with session.begin_nested():  # a failure must not abort the transaction
            found = await monitoring_figures(session, ids, p.term_start, p.now)
    except Exception:
        log.exception("monitoring figures failed for %d KKGs", len(ids))
        return
    for kkg_id, value in found.items():
        if kkg_id in figs:
            figs[kkg_id].monitoring = value


async def _visits(session, figs, ids, p: Period) -> None:
    try:
        async with session.begin_nested():
            found = await visit_figures(session, ids, p.term_start, p.now)
    except Exception:
        log.exception("visit figures failed for %d KKGs", len(ids))
        return
    for kkg_id, value in found.items():
        if kkg_id in figs:
            figs[kkg_id].visits = value


def alerts_for(f: KkgFigures, p: Period) -> list[str]:
    out = []
    if f.last_held_at is None or f.last_held_at < p.now - timedelta(days=NO_MEETING_DAYS):
        out.append(ALERT_NO_MEETING)
    if f.falling:
        out.append(ALERT_FALLING)
    if f.plan_term == 0:
        out.append(ALERT_NO_PLAN)
    elif 2 * f.plan_admin_term > f.plan_term:
        out.append(ALERT_ADMIN_PLAN)
    if f.meetings_month and 2 * f.meetings_admin_month > f.meetings_month:
        out.append(ALERT_ADMIN_MONTH)
    m = f.monitoring
    if m is not None:
        assessed = getattr(m, "standards_assessed_at", None)
        if assessed is None or assessed < p.term_start:
            out.append(ALERT_NO_ASSESSMENT)
    return out
