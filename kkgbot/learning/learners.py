"""The learner's side of micro-learning: which lesson comes next, answers, completion.

Rules kept here so the schedule, `/materi` and the answer buttons all follow them:
- a person learns with one KKG, their first (`home_kkg`), so someone in two KKGs is not
  sent every lesson twice;
- the order is the KKG's work plan first (modules whose topic it adopted, in plan order),
  then every other module in the packs' default order, so nobody runs out while lessons
  remain;
- no pile-up: while the last two lessons given are both unanswered, no new one is given;
- the first answer to a question is the one that scores; later tries still explain;
- a module is complete when every one of its lessons has an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Kkg, Role
from kkgbot.learning.content import Lesson, Library, Module
from kkgbot.learning.coverage import lessons_for
from kkgbot.learning.library import library
from kkgbot.learning.models import Learner, LessonProgress, ModuleCompletion
from kkgbot.people.permissions import KKG_MEMBER_ROLES
from kkgbot.polls import workplan

PILE_UP = 2  # this many unanswered lessons in a row hold back the next one


class LessonError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Answered:
    lesson: Lesson
    index: int
    right: bool
    first_try: bool
    completed: Module | None  # the module this answer completed, if any
    module_correct: int  # first-try right answers in the module so far
    module_answered: int


async def home_kkg_ids(session: AsyncSession, person_ids: list[int]) -> dict[int, int]:
    """Each person's first KKG (by the order they joined): the one they learn with."""
    if not person_ids:
        return {}
    rows = await session.execute(
        select(Role.person_id, Role.kkg_id)
        .where(
            Role.person_id.in_(person_ids),
            Role.role.in_(KKG_MEMBER_ROLES),
            Role.kkg_id.is_not(None),
        )
        .order_by(Role.id)
    )
    homes: dict[int, int] = {}
    for person_id, kkg_id in rows:
        homes.setdefault(person_id, kkg_id)
    return homes


async def home_kkg(session: AsyncSession, person_id: int) -> Kkg | None:
    kkg_id = (await home_kkg_ids(session, [person_id])).get(person_id)
    return await session.get(Kkg, kkg_id) if kkg_id is not None else None


async def sequence(session: AsyncSession, kkg_id: int, lib: Library | None = None) -> list[Module]:
    """The modules in the order this KKG learns them: work plan first, then the rest."""
    lib = lib or library()
    modules = lib.modules()
    planned_topics = [e.topic_id for e in await workplan.work_plan(session, kkg_id) if e.topic_id]
    first: list[Module] = []
    for topic in planned_topics:
        # a topic without lessons brings the pack the catalogue names instead (coverage)
        first += [m for m in lessons_for(topic, lib).modules if m not in first]
    return first + [m for m in modules if m not in first]


async def given(session: AsyncSession, person_id: int) -> list[LessonProgress]:
    """Every lesson given to the person, oldest first."""
    rows = await session.scalars(
        select(LessonProgress)
        .where(LessonProgress.person_id == person_id)
        .order_by(LessonProgress.sent_at, LessonProgress.id)
    )
    return list(rows)


def held_back(rows: list[LessonProgress]) -> list[LessonProgress]:
    """The unanswered lessons that hold back a new one (oldest first), or [] when none do."""
    last = rows[-PILE_UP:]
    if len(last) == PILE_UP and all(r.answered_at is None for r in last):
        return last
    return []


def next_new(modules: list[Module], rows: list[LessonProgress]) -> Lesson | None:
    done = {r.lesson_id for r in rows}
    for module in modules:
        for lesson in module.lessons:
            if lesson.id not in done:
                return lesson
    return None


async def learner(session: AsyncSession, person_id: int, now: datetime) -> Learner:
    row = await session.get(Learner, person_id)
    if row is None:
        row = Learner(person_id=person_id, updated_at=now)
        session.add(row)
        await session.flush()
    return row


async def is_paused(session: AsyncSession, person_id: int) -> bool:
    row = await session.get(Learner, person_id)
    return row is not None and row.paused_at is not None


async def set_paused(session: AsyncSession, person_id: int, paused: bool, now: datetime) -> bool:
    """Pause or resume the person's schedule; False when it already was so."""
    row = await learner(session, person_id, now)
    if (row.paused_at is not None) == paused:
        return False
    row.paused_at = now if paused else None
    row.updated_at = now
    return True


async def give(
    session: AsyncSession,
    *,
    person_id: int,
    kkg_id: int | None,
    lesson: Lesson,
    source: str,
    now: datetime,
) -> LessonProgress:
    """Record that the person has the lesson (once: a second call returns the same row)."""
    row = await session.scalar(
        select(LessonProgress).where(
            LessonProgress.person_id == person_id, LessonProgress.lesson_id == lesson.id
        )
    )
    if row is None:
        row = LessonProgress(
            person_id=person_id,
            kkg_id=kkg_id,
            pack_id=lesson.pack_id,
            module_id=lesson.module_id,
            lesson_id=lesson.id,
            source=source,
            sent_at=now,
            attempts=0,
        )
        session.add(row)
        await session.flush()
    return row


async def progress_row(
    session: AsyncSession, person_id: int, lesson_id: str
) -> LessonProgress | None:
    return await session.scalar(
        select(LessonProgress).where(
            LessonProgress.person_id == person_id, LessonProgress.lesson_id == lesson_id
        )
    )


async def answer(
    session: AsyncSession, *, person_id: int, lesson_id: str, index: int, now: datetime
) -> Answered:
    """Record a press on a check-question option; raises LessonError for a stale one."""
    lesson = library().lesson(lesson_id)
    if lesson is None:
        raise LessonError("learning.lesson_gone")
    if not 0 <= index < len(lesson.options):
        raise LessonError("common.stale_button")
    row = await progress_row(session, person_id, lesson_id)
    if row is None:  # never given to this person (an old button after /hapusdata, a forward)
        raise LessonError("common.stale_button")
    first_try = row.answered_at is None
    row.attempts = (row.attempts or 0) + 1
    if first_try:
        row.first_option, row.correct, row.answered_at = index, index == lesson.right_index, now
    await session.flush()
    module = library().module(lesson.module_id)
    assert module is not None
    rows = await session.scalars(
        select(LessonProgress).where(
            LessonProgress.person_id == person_id,
            LessonProgress.module_id == module.id,
            LessonProgress.answered_at.is_not(None),
        )
    )
    answered = {r.lesson_id: bool(r.correct) for r in rows}
    ids = {x.id for x in module.lessons}
    correct = sum(1 for k, v in answered.items() if v and k in ids)
    done = len(ids & answered.keys())
    completed = None
    if first_try and done == len(ids):
        completed = await _complete(session, person_id, row.kkg_id, module, correct, now)
    return Answered(lesson, index, index == lesson.right_index, first_try, completed, correct, done)


async def _complete(
    session: AsyncSession,
    person_id: int,
    kkg_id: int | None,
    module: Module,
    correct: int,
    now: datetime,
) -> Module | None:
    exists = await session.scalar(
        select(ModuleCompletion.id).where(
            ModuleCompletion.person_id == person_id,
            ModuleCompletion.pack_id == module.pack_id,
            ModuleCompletion.module_id == module.id,
        )
    )
    if exists is not None:
        return None
    session.add(
        ModuleCompletion(
            person_id=person_id,
            kkg_id=kkg_id,
            pack_id=module.pack_id,
            module_id=module.id,
            lessons=len(module.lessons),
            correct=correct,
            completed_at=now,
        )
    )
    await session.flush()
    return module


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    answered: int
    correct: int
    completed: bool


async def progress(session: AsyncSession, person_id: int, kkg_id: int) -> list[ModuleProgress]:
    """Per module, in the KKG's order: lessons answered, first-try right, completed."""
    rows = await given(session, person_id)
    completed = set(
        await session.scalars(
            select(ModuleCompletion.module_id).where(ModuleCompletion.person_id == person_id)
        )
    )
    out = []
    for module in await sequence(session, kkg_id):
        mine = [r for r in rows if r.module_id == module.id and r.answered_at is not None]
        ids = {x.id for x in module.lessons}
        mine = [r for r in mine if r.lesson_id in ids]
        out.append(
            ModuleProgress(
                module, len(mine), sum(1 for r in mine if r.correct), module.id in completed
            )
        )
    return out
