"""The digest's figures beyond meetings: requested topics, the work plan and lessons.

Split from `digest_figures` to keep each module readable; the same rule holds here: one
GROUP BY kkg query per figure over the period, so memory never grows with the events.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select

from kkgbot.digest.kkg_figures import KkgFigures
from kkgbot.digest.period import Period, between, count_if
from kkgbot.learning.models import LessonProgress, ModuleCompletion
from kkgbot.meetings.models import Meeting
from kkgbot.polls.models import SOURCE_POLL, Poll, PollBallot, PollOption, PollVote, WorkPlanItem
from kkgbot.polls.topics import ADMINISTRATION, PRACTICE, topic_kind, topic_title

TOP_TOPICS = 3

MONTH_DAYS = 30


async def topics_and_plan(session, figs: dict[int, KkgFigures], ids, p: Period) -> None:
    label = func.coalesce(PollOption.topic_id, PollOption.label)
    rows = await session.execute(
        select(Poll.kkg_id, label, func.min(PollOption.label), func.count(PollVote.id))
        .join(PollOption, PollOption.poll_id == Poll.id)
        .join(PollVote, PollVote.option_id == PollOption.id)
        .join(PollBallot, PollBallot.id == PollVote.ballot_id)
        .where(
            Poll.kkg_id.in_(ids),
            PollBallot.submitted_at.is_not(None),
            between(Poll.created_at, p.term_start, p.now),
        )
        .group_by(Poll.kkg_id, label)
    )
    found: dict[int, list[tuple[str, str | None, int]]] = {}
    for kkg_id, key, text, n in rows:
        found.setdefault(kkg_id, []).append((text, key, int(n)))
    for kkg_id, items in found.items():
        items.sort(key=lambda t: (-t[2], t[0].casefold()))
        figs[kkg_id].votes_term = sum(n for _, _, n in items)
        figs[kkg_id].top_topics = [
            (topic_title(key if key != text else None, text, "id"), n)
            for text, key, n in items[:TOP_TOPICS]
        ]
    start = p.term_start.astimezone(ZoneInfo(p.zone)).date()
    end = p.term_end.astimezone(ZoneInfo(p.zone)).date()
    # a plan is a few rows a KKG: read them and class each by its topic's kind (an exam or
    # paperwork topic chosen by vote is not members' choice of classroom practice)
    rows = await session.execute(
        select(
            WorkPlanItem.kkg_id,
            WorkPlanItem.source,
            WorkPlanItem.topic_id,
            WorkPlanItem.title,
            WorkPlanItem.planned_month,
        ).where(WorkPlanItem.kkg_id.in_(ids))  # fmt: skip
    )
    for kkg_id, source, topic_id, title, month in rows:
        f = figs[kkg_id]
        kind = topic_kind(topic_id, title)
        f.plan_total += 1
        f.plan_from_votes += source == SOURCE_POLL and kind == PRACTICE
        if start <= month < end:
            f.plan_term += 1
            f.plan_admin_term += kind == ADMINISTRATION
    # meetings of the last 30 days by kind of topic (their topic, or their title)
    rows = await session.execute(
        select(Meeting.kkg_id, Meeting.topic_id, Meeting.title).where(
            Meeting.kkg_id.in_(ids),
            Meeting.cancelled_at.is_(None),
            between(Meeting.starts_at, p.now - timedelta(days=MONTH_DAYS), p.now),
        )
    )
    for kkg_id, topic_id, title in rows:
        f = figs[kkg_id]
        f.meetings_month += 1
        f.meetings_admin_month += topic_kind(topic_id, title) == ADMINISTRATION


async def lessons(session, figs: dict[int, KkgFigures], ids, p: Period) -> None:
    answered = LessonProgress.answered_at.is_not(None)
    rows = await session.execute(
        select(
            LessonProgress.kkg_id,
            count_if(LessonProgress.sent_at >= p.week_start),
            count_if(and_(LessonProgress.sent_at >= p.week_start, answered)),
            func.count(LessonProgress.id),
            count_if(answered),
        )
        .where(LessonProgress.kkg_id.in_(ids), between(LessonProgress.sent_at, p.term_start, p.now))
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
            between(ModuleCompletion.completed_at, p.term_start, p.now),
        )
        .group_by(ModuleCompletion.kkg_id)
    )
    for kkg_id, n in rows:
        figs[kkg_id].modules_completed_term = int(n)
