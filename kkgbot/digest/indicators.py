"""The dashboard's indicators per KKG: the brief's figures, side by side.

Computed with the digest's GROUP BY queries (`digest_figures`) over windows of their own:
meetings in the last 30 days, the rest over the last 90 (a term is too long to show a
change, a week too short to say anything). Written weekly as snapshot rows
(kkgbot/digest/snapshots.py) so the overview reads rows instead of recomputing.
A rate over nothing is None ("no data"), never 0.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.digest.figures import digest_figures
from kkgbot.digest.period import Period
from kkgbot.monitoring.models import PulseAnswer

RECENT = timedelta(days=30)
WINDOW = timedelta(days=90)

# name -> (good when at least, warn when at least); for "lower is better" the reverse
THRESHOLDS: dict[str, tuple[float, float]] = {
    "meetings_30d": (1, 1),
    "attendance_rate": (0.7, 0.5),
    "pulse_agree": (0.5, 0.35),
    "pulse_response": (0.6, 0.3),
    "tried_share": (0.5, 0.3),
    "plan_voted_share": (0.5, 0.25),
    "lesson_completion": (0.6, 0.3),
    "standards_score": (70, 50),
}
LOWER_IS_BETTER: dict[str, tuple[float, float]] = {
    "top_fifth_share": (0.4, 0.6),  # participation equity: the same few attend everything
    "absent_share": (0.2, 0.4),
    "alerts": (0, 1),
}
NAMES = (
    "meetings_30d",
    "attendance_rate",
    "top_fifth_share",
    "absent_60d",
    "pulse_agree",
    "pulse_response",
    "tried_share",
    "plan_voted_share",
    "lesson_completion",
    "standards_score",
    "alerts",
)


def level(name: str, value: float | None, row: dict[str, Any] | None = None) -> str:
    """ "good", "warn", "bad" or "none" (no data): the colour of a cell."""
    if name == "absent_60d" and row is not None:
        members = row.get("members") or 0
        name, value = "absent_share", (value / members if members and value is not None else None)
    if value is None:
        return "none"
    if name in THRESHOLDS:
        good, warn = THRESHOLDS[name]
        return "good" if value >= good else "warn" if value >= warn else "bad"
    if name in LOWER_IS_BETTER:
        good, warn = LOWER_IS_BETTER[name]
        return "good" if value <= good else "warn" if value <= warn else "bad"
    return "none"


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


async def indicators(
    session: AsyncSession, kkg_ids: list[int], now: datetime
) -> dict[int, dict[str, Any]]:
    """kkg id -> {indicator: value} (plain JSON values, as stored in a snapshot)."""
    if not kkg_ids:
        return {}
    period = Period(now, now - RECENT, now - WINDOW, now, "UTC")
    figs = await digest_figures(session, kkg_ids, period)
    pulse: dict[int, tuple[int, int]] = {}
    for chunk in range(0, len(kkg_ids), 5000):
        ids = kkg_ids[chunk : chunk + 5000]
        rows = await session.execute(
            select(PulseAnswer.kkg_id, func.count(PulseAnswer.id), func.count(PulseAnswer.score))
            .where(
                PulseAnswer.kkg_id.in_(ids),
                PulseAnswer.asked_at >= period.term_start,
                PulseAnswer.asked_at < now,
            )
            .group_by(PulseAnswer.kkg_id)
        )
        pulse.update({k: (int(a), int(b)) for k, a, b in rows})
    out: dict[int, dict[str, Any]] = {}
    for kkg_id, f in figs.items():
        m = f.monitoring
        asked, answered = pulse.get(kkg_id, (0, 0))
        out[kkg_id] = {
            "members": f.members,
            "meetings_30d": f.held_week,
            "planned": f.planned,
            "attendance_rate": f.rate_term,
            "top_fifth_share": f.top_fifth_share,
            "absent_60d": f.inactive if f.members else None,
            "pulse_agree": m.pulse_share_4_5 if m else None,
            "pulse_response": _ratio(answered, asked),
            "tried_share": m.tried_share if m else None,
            "plan_voted_share": _ratio(f.plan_from_votes, f.plan_total),
            "lesson_completion": f.completion_term,
            "standards_score": m.standards_score if m else None,
            "alerts": len(f.alerts),
            "alert_keys": list(f.alerts),
        }
    return out
