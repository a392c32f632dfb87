"""The figures of the supervisors' digest, for many KKGs at once, with SQL aggregates.

Every figure is one GROUP BY kkg query over the period (the last 7 days, or the term so
far), so building the digest of a district or of the whole country reads counts, not
events: memory grows with the number of KKGs, never with the number of attendances,
votes or lessons. The monitoring figures (reflections, pulse, standards) come from
`monitoring_figures` (issue 6) when it is installed; until then they read "no data yet".

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
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.learning_models import LessonProgress, ModuleCompletion
from kkgbot.db.meeting_models import Attendance, Meeting
from kkgbot.db.models import Kkg, Person, Role
from kkgbot.db.poll_models import SOURCE_POLL, Poll, PollBallot, PollOption, PollVote, WorkPlanItem
from kkgbot.services.permissions import KKG_MEMBER_ROLES

log = logging.getLogger(__name__)

try:  # issue 6, built alongside; the digest works without it
    from kkgbot.services.monitoring_figures import monitoring_figures
except ImportError:  # pragma: no cover - depends on the other feature being installed
    monitoring_figures = None

WEEK = timedelta(days=7)
INACTIVE_DAYS = 60
NO_MEETING_DAYS = 30
TREND_MEETINGS = 4
TOP_TOPICS = 3
NAMES_PER_KKG = 30

ALERT_NO_MEETING = "no_meeting"
ALERT_FALLING = "falling"
ALERT_NO_PLAN = "no_plan"
ALERT_NO_ASSESSMENT = "no_assessment"
ALERT_ORDER = (ALERT_NO_MEETING, ALERT_FALLING, ALERT_NO_PLAN, ALERT_NO_ASSESSMENT)


@dataclass(frozen=True)
class Period:
    now: datetime
    week_start: datetime
    term_start: datetime
    term_end: datetime
    zone: str


def term_bounds(now: datetime, zone: str) -> tuple[datetime, datetime]:
    local = now.astimezone(ZoneInfo(zone))
    first = date(local.year, 1 if local.month <= 6 else 7, 1)
    nxt = date(local.year, 7, 1) if local.month <= 6 else date(local.year + 1, 1, 1)
    tz = ZoneInfo(zone)
    return datetime.combine(first, time(0), tz), datetime.combine(nxt, time(0), tz)


def period_for(now: datetime, zone: str) -> Period:
    start, end = term_bounds(now, zone)
    return Period(now, now - WEEK, start, end, zone)


@dataclass
class KkgFigures:
    kkg_id: int
    name: str
    timezone: str
    members: int = 0
    held_week: int = 0
    held_term: int = 0
    planned: int = 0
    last_held_at: datetime | None = None
    attended_week: int = 0
    attended_term: int = 0
    trend: list[int] = field(default_factory=list)  # attendees of the last meetings, oldest first
    inactive: int = 0
    inactive_names: list[str] = field(default_factory=list)
    top_fifth_share: float | None = None
    top_topics: list[tuple[str, int]] = field(default_factory=list)
    votes_term: int = 0
    plan_total: int = 0
    plan_from_votes: int = 0
    plan_term: int = 0
    lessons_given_week: int = 0
    lessons_answered_week: int = 0
    lessons_given_term: int = 0
    lessons_answered_term: int = 0
    modules_completed_term: int = 0
    monitoring: Any = None  # MonitoringFigures, when issue 6 is installed
    alerts: list[str] = field(default_factory=list)

    def rate(self, attended: int, held: int) -> float | None:
        possible = held * self.members
        return min(attended / possible, 1.0) if possible else None

    @property
    def rate_week(self) -> float | None:
        return self.rate(self.attended_week, self.held_week)

    @property
    def rate_term(self) -> float | None:
        return self.rate(self.attended_term, self.held_term)

    @property
    def completion_term(self) -> float | None:
        g = self.lessons_given_term
        return self.lessons_answered_term / g if g else None

    @property
    def falling(self) -> bool:
        last = self.trend[-TREND_MEETINGS:]
        return len(last) >= TREND_MEETINGS and all(
            b < a for a, b in zip(last, last[1:], strict=False)
        )


def _between(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


def _count_if(condition) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


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
            _count_if(and_(held, Meeting.starts_at >= p.week_start)),
            _count_if(and_(held, Meeting.starts_at >= p.term_start)),
            _count_if(Meeting.starts_at >= now),
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
            _count_if(Meeting.starts_at >= p.week_start),
            func.count(Attendance.id),
        )
        .join(Attendance, Attendance.meeting_id == Meeting.id)
        .where(live, _between(Meeting.starts_at, p.term_start, now))
        .group_by(Meeting.kkg_id)
    )
    for kkg_id, week, term in await session.execute(q):
        figs[kkg_id].attended_week, figs[kkg_id].attended_term = int(week), int(term)

    await _trend(session, figs, ids, p)
    await _inactive(session, figs, ids, members, p, names)
    await _top_fifth(session, figs, ids, members, p)
    await _topics_and_plan(session, figs, ids, p)
    await _lessons(session, figs, ids, p)
    await _monitoring(session, figs, ids, p)
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
            _between(Meeting.starts_at, p.now - timedelta(days=365), p.now),
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
        select(members.c.kkg_id, Person.name)
        .select_from(joined)
        .join(Person, Person.id == members.c.person_id)
        .where(idle, Person.name.is_not(None))
        .order_by(members.c.kkg_id, Person.name)
    )
    for kkg_id, name in rows:
        if len(figs[kkg_id].inactive_names) < NAMES_PER_KKG:
            figs[kkg_id].inactive_names.append(name)


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
            _between(Meeting.starts_at, p.term_start, p.now),
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


async def _topics_and_plan(session, figs, ids, p: Period) -> None:
    label = func.coalesce(PollOption.topic_id, PollOption.label)
    rows = await session.execute(
        select(Poll.kkg_id, label, func.min(PollOption.label), func.count(PollVote.id))
        .join(PollOption, PollOption.poll_id == Poll.id)
        .join(PollVote, PollVote.option_id == PollOption.id)
        .join(PollBallot, PollBallot.id == PollVote.ballot_id)
        .where(
            Poll.kkg_id.in_(ids),
            PollBallot.submitted_at.is_not(None),
            _between(Poll.created_at, p.term_start, p.now),
        )
        .group_by(Poll.kkg_id, label)
    )
    found: dict[int, list[tuple[str, str | None, int]]] = {}
    for kkg_id, key, text, n in rows:
        found.setdefault(kkg_id, []).append((text, key, int(n)))
    from kkgbot.services.topics import topic_title

    for kkg_id, items in found.items():
        items.sort(key=lambda t: (-t[2], t[0].casefold()))
        figs[kkg_id].votes_term = sum(n for _, _, n in items)
        figs[kkg_id].top_topics = [
            (topic_title(key if key != text else None, text, "id"), n)
            for text, key, n in items[:TOP_TOPICS]
        ]
    start = p.term_start.astimezone(ZoneInfo(p.zone)).date()
    end = p.term_end.astimezone(ZoneInfo(p.zone)).date()
    rows = await session.execute(
        select(
            WorkPlanItem.kkg_id,
            func.count(WorkPlanItem.id),
            _count_if(WorkPlanItem.source == SOURCE_POLL),
            _count_if(and_(WorkPlanItem.planned_month >= start, WorkPlanItem.planned_month < end)),
        )
        .where(WorkPlanItem.kkg_id.in_(ids))
        .group_by(WorkPlanItem.kkg_id)
    )
    for kkg_id, total, voted, term in rows:
        f = figs[kkg_id]
        f.plan_total, f.plan_from_votes, f.plan_term = int(total), int(voted), int(term)


async def _lessons(session, figs, ids, p: Period) -> None:
    answered = LessonProgress.answered_at.is_not(None)
    rows = await session.execute(
        select(
            LessonProgress.kkg_id,
            _count_if(LessonProgress.sent_at >= p.week_start),
            _count_if(and_(LessonProgress.sent_at >= p.week_start, answered)),
            func.count(LessonProgress.id),
            _count_if(answered),
        )
        .where(
            LessonProgress.kkg_id.in_(ids), _between(LessonProgress.sent_at, p.term_start, p.now)
        )
        .group_by(LessonProgress.kkg_id)
    )
    for kkg_id, gw, aw, gt, at in rows:
        f = figs[kkg_id]
        f.lessons_given_week, f.lessons_answered_week = int(gw), int(aw)
        f.lessons_given_term, f.lessons_answered_term = int(gt), int(at)
    rows = await session.execute(
        select(ModuleCompletion.kkg_id, func.count(ModuleCompletion.id))
        .where(
            ModuleCompletion.kkg_id.in_(ids),
            _between(ModuleCompletion.completed_at, p.term_start, p.now),
        )
        .group_by(ModuleCompletion.kkg_id)
    )
    for kkg_id, n in rows:
        figs[kkg_id].modules_completed_term = int(n)


async def _monitoring(session, figs, ids, p: Period) -> None:
    if monitoring_figures is None:
        return
    try:
        async with session.begin_nested():  # a failure must not abort the transaction
            found = await monitoring_figures(session, ids, p.term_start, p.now)
    except Exception:
        log.exception("monitoring figures failed for %d KKGs", len(ids))
        return
    for kkg_id, value in found.items():
        if kkg_id in figs:
            figs[kkg_id].monitoring = value


def alerts_for(f: KkgFigures, p: Period) -> list[str]:
    out = []
    if f.last_held_at is None or f.last_held_at < p.now - timedelta(days=NO_MEETING_DAYS):
        out.append(ALERT_NO_MEETING)
    if f.falling:
        out.append(ALERT_FALLING)
    if f.plan_term == 0:
        out.append(ALERT_NO_PLAN)
    m = f.monitoring
    if m is not None:
        assessed = getattr(m, "standards_assessed_at", None)
        if assessed is None or assessed < p.term_start:
            out.append(ALERT_NO_ASSESSMENT)
    return out
