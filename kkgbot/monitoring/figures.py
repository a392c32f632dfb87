"""Per-KKG monitoring figures for a period: what the supervisor's digest reports.

One call for any number of KKGs, a fixed handful of SQL aggregates (GROUP BY kkg), never
a row per answer in Python:
- reflections asked in the period (`asked_at` in [start, end)), how many were answered,
  the mean usefulness (1-5) and how many asked for support;
- follow-ups ("tried it in class?") asked in the period (`followup_at`), how many were
  answered, the share of those answers that tried it, and the mean student response
  (1-5, over those who tried): only the follow-up after school days counts as "tried";
- pulse questions asked in the period: asked, answered and the share answering 4 or 5
  (the brief's headline figure), always shown with how many answered;
- the latest completed standards self-assessment up to `end` (a term's work, so it may
  be older than the period): overall score 0–100, score per standard, and when.
A rate over nothing is None ("no data"), never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.monitoring.models import PulseAnswer, Reflection, StandardsAnswer, StandardsAssessment
from kkgbot.monitoring.standards import area_scores


@dataclass
class MonitoringFigures:
    reflections_asked: int = 0
    reflections_answered: int = 0
    response_rate: float | None = None  # answered / asked, 0..1
    mean_useful: float | None = None  # 1..5
    followups_asked: int = 0
    followups_answered: int = 0
    tried: int = 0
    tried_share: float | None = None  # of the follow-up answers, share who tried it, 0..1
    mean_student_response: float | None = None  # 1..5, over answers that gave one
    support_requests: int = 0
    pulse_asked: int = 0
    pulse_answers: int = 0
    pulse_share_4_5: float | None = None  # 0..1
    standards_score: int | None = None  # 0..100
    standards_by_area: dict[str, int] = field(default_factory=dict)  # area id -> 0..100
    standards_assessed_at: datetime | None = None


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


async def monitoring_figures(
    session: AsyncSession, kkg_ids: list[int], start: datetime, end: datetime
) -> dict[int, MonitoringFigures]:
    out = {kkg_id: MonitoringFigures() for kkg_id in kkg_ids}
    if not kkg_ids:
        return out
    rows = await session.execute(
        select(
            Reflection.kkg_id,
            func.count(Reflection.id),
            func.count(Reflection.answered_at),
            func.avg(Reflection.useful),
            func.count(Reflection.support_text),
        )
        .where(
            Reflection.kkg_id.in_(kkg_ids), Reflection.asked_at >= start, Reflection.asked_at < end
        )
        .group_by(Reflection.kkg_id)
    )
    for kkg_id, asked, done, useful, support in rows:
        f = out[kkg_id]
        f.reflections_asked, f.reflections_answered = int(asked), int(done)
        f.response_rate = _ratio(int(done), int(asked))
        f.mean_useful = float(useful) if useful is not None else None
        f.support_requests = int(support)
    rows = await session.execute(
        select(
            Reflection.kkg_id,
            func.count(Reflection.id),
            func.count(Reflection.tried),
            func.sum(case((Reflection.tried.is_(True), 1), else_=0)),
            func.avg(Reflection.student_response),
        )
        .where(
            Reflection.kkg_id.in_(kkg_ids),
            Reflection.followup_at >= start,
            Reflection.followup_at < end,
        )
        .group_by(Reflection.kkg_id)
    )
    for kkg_id, asked, done, tried, mean in rows:
        f = out[kkg_id]
        f.followups_asked, f.followups_answered, f.tried = int(asked), int(done), int(tried or 0)
        f.tried_share = _ratio(f.tried, f.followups_answered)
        f.mean_student_response = float(mean) if mean is not None else None

    rows = await session.execute(
        select(
            PulseAnswer.kkg_id,
            func.count(PulseAnswer.id),
            func.count(PulseAnswer.score),
            func.sum(case((PulseAnswer.score >= 4, 1), else_=0)),
        )
        .where(
            PulseAnswer.kkg_id.in_(kkg_ids),
            PulseAnswer.asked_at >= start,
            PulseAnswer.asked_at < end,
        )
        .group_by(PulseAnswer.kkg_id)
    )
    for kkg_id, asked, count, agree in rows:
        out[kkg_id].pulse_asked = int(asked)
        out[kkg_id].pulse_answers = int(count)
        out[kkg_id].pulse_share_4_5 = _ratio(int(agree or 0), int(count))

    newest = (
        select(
            StandardsAssessment.kkg_id.label("kkg_id"),
            func.max(StandardsAssessment.completed_at).label("at"),
        )
        .where(
            StandardsAssessment.kkg_id.in_(kkg_ids),
            StandardsAssessment.completed_at.is_not(None),
            StandardsAssessment.completed_at < end,
        )
        .group_by(StandardsAssessment.kkg_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            StandardsAssessment.kkg_id,
            StandardsAssessment.completed_at,
            StandardsAssessment.score,
            StandardsAnswer.area,
            func.sum(StandardsAnswer.value),
            func.count(StandardsAnswer.id),
        )
        .join(
            newest,
            (newest.c.kkg_id == StandardsAssessment.kkg_id)
            & (newest.c.at == StandardsAssessment.completed_at),
        )
        .join(StandardsAnswer, StandardsAnswer.assessment_id == StandardsAssessment.id)
        .group_by(
            StandardsAssessment.kkg_id,
            StandardsAssessment.completed_at,
            StandardsAssessment.score,
            StandardsAnswer.area,
        )
    )
    points: dict[int, dict[str, tuple[int, int]]] = {}
    for kkg_id, at, score, area, total, count in rows:
        f = out[kkg_id]
        f.standards_score, f.standards_assessed_at = score, at
        points.setdefault(kkg_id, {})[area] = (int(total), int(count))
    for kkg_id, by_area in points.items():
        out[kkg_id].standards_by_area = area_scores(by_area)
    return out
