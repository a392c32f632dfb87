"""One KKG's digest figures as a record: filled by `digest.figures` and `digest.activity`,
read by the renderers (text, chart, workbook)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

TREND_MEETINGS = 4


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
    inactive_ids: list[int] = field(
        default_factory=list
    )  # who inactive_names are: whom a file names
    top_fifth_share: float | None = None
    top_topics: list[tuple[str, int]] = field(default_factory=list)
    votes_term: int = 0
    plan_total: int = 0
    plan_from_votes: int = 0
    plan_term: int = 0
    plan_admin_term: int = 0  # of this term's plan, administration or exam topics
    meetings_month: int = 0  # held or scheduled in the last 30 days
    meetings_admin_month: int = 0  # of those, on administration or exams
    lessons_given_week: int = 0
    lessons_answered_week: int = 0
    lessons_given_term: int = 0
    lessons_answered_term: int = 0
    modules_completed_term: int = 0
    monitoring: Any = None  # MonitoringFigures; None if they could not be computed
    visits: Any = None  # VisitFigures (pendampingan this term); None if not computed
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
