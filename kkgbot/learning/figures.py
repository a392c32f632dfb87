"""Lesson completion figures per member and module, for a KKG and a period.

One function serves the weekly digest, the koordinator's and pengawas's view in
`/materi` and the export, so "completion" means the same thing everywhere: a module is
complete when every lesson in it has an answer; the score is first-try right answers.
Names are included because only the KKG's leadership and its pengawas see these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Person
from kkgbot.learning import learners as lessons
from kkgbot.learning.library import library
from kkgbot.learning.models import LessonProgress, ModuleCompletion
from kkgbot.people import messaging


@dataclass(frozen=True)
class ModuleFigure:
    """One member's standing in one module they have started, as of the period's end."""

    person_id: int
    name: str | None
    pack_id: str
    module_id: str
    module_title: str
    lessons: int  # in the module
    given: int
    answered: int
    correct: int  # first try
    answered_in_period: int
    completed_at: datetime | None
    completed_in_period: bool


@dataclass(frozen=True)
class MemberSummary:
    person_id: int
    name: str | None
    given: int
    answered: int
    correct: int
    modules_completed: int


@dataclass(frozen=True)
class CompletionReport:
    kkg_id: int
    start: datetime
    end: datetime
    learners: int  # onboarded members of the KKG
    figures: list[ModuleFigure]

    @property
    def lessons_answered_in_period(self) -> int:
        return sum(f.answered_in_period for f in self.figures)

    @property
    def modules_completed_in_period(self) -> int:
        return sum(f.completed_in_period for f in self.figures)

    @property
    def active_learners_in_period(self) -> int:
        return len({f.person_id for f in self.figures if f.answered_in_period})

    @property
    def answer_rate(self) -> float | None:
        """Answered / given, all time up to the end; None when nothing was given yet."""
        given = sum(f.given for f in self.figures)
        return sum(f.answered for f in self.figures) / given if given else None

    def members(self) -> list[MemberSummary]:
        out: dict[int, MemberSummary] = {}
        for f in self.figures:
            s = out.get(f.person_id) or MemberSummary(f.person_id, f.name, 0, 0, 0, 0)
            out[f.person_id] = MemberSummary(
                f.person_id,
                f.name,
                s.given + f.given,
                s.answered + f.answered,
                s.correct + f.correct,
                s.modules_completed + (f.completed_at is not None),
            )
        return sorted(out.values(), key=lambda s: ((s.name or "").casefold(), s.person_id))


async def completion_figures(
    session: AsyncSession, kkg_id: int, start: datetime, end: datetime
) -> CompletionReport:
    """Figures for the KKG's current members over [start, end); rows after `end` are ignored."""
    members = await messaging.kkg_members(session, kkg_id)
    ids = [m.person_id for m in members]
    people = dict(
        (
            await session.execute(
                select(Person.id, Person.name).where(
                    Person.id.in_(ids), Person.onboarded_at.is_not(None)
                )
            )
        ).all()
    )
    rows = list(
        await session.scalars(
            select(LessonProgress).where(
                LessonProgress.person_id.in_(people), LessonProgress.sent_at < end
            )
        )
    )
    done = {
        (c.person_id, c.module_id): c.completed_at
        for c in await session.scalars(
            select(ModuleCompletion).where(
                ModuleCompletion.person_id.in_(people), ModuleCompletion.completed_at < end
            )
        )
    }
    order = {m.id: n for n, m in enumerate(await lessons.sequence(session, kkg_id))}
    figures = []
    for (person_id, module_id), mine in sorted(
        _group(rows).items(), key=lambda kv: (kv[0][0], order.get(kv[0][1], 999))
    ):
        module = library().module(module_id)
        if module is None:  # a module since removed from the packs
            continue
        answered = [r for r in mine if r.answered_at is not None and r.answered_at < end]
        completed_at = done.get((person_id, module_id))
        figures.append(
            ModuleFigure(
                person_id=person_id,
                name=people.get(person_id),
                pack_id=module.pack_id,
                module_id=module_id,
                module_title=module.title,
                lessons=len(module.lessons),
                given=len(mine),
                answered=len(answered),
                correct=sum(1 for r in answered if r.correct),
                answered_in_period=sum(1 for r in answered if r.answered_at >= start),
                completed_at=completed_at,
                completed_in_period=completed_at is not None and completed_at >= start,
            )
        )
    return CompletionReport(kkg_id, start, end, len(people), figures)


def _group(rows: list[LessonProgress]) -> dict[tuple[int, str], list[LessonProgress]]:
    out: dict[tuple[int, str], list[LessonProgress]] = {}
    for row in rows:
        out.setdefault((row.person_id, row.module_id), []).append(row)
    return out
