"""Recording a classroom visit, telling the teacher the next step, and asking a week later.

A visitor records visits only for members of the KKGs where they hold a visiting role
(`visits.record`: koordinator, pengawas, narasumber); anyone else is refused with the
same reply whether or not the name exists elsewhere, so the scope leaks nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg, Person, Role
from kkgbot.delivery.keys import idempotency_key
from kkgbot.meetings.service import find_member_by_name
from kkgbot.messages import Choice, MessageKind
from kkgbot.monitoring.practices import Practice, practices
from kkgbot.people import messaging, roles
from kkgbot.people.messaging import Recipient
from kkgbot.people.permissions import GURU
from kkgbot.visits.models import Visit

ASK_AFTER = timedelta(days=7)
NO_VISIT_DAYS = 90
MAX_BACK_DAYS = 90
MAX_NEXT_STEP = 300
ANSWERS = ("done", "partly", "not")


class VisitError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


async def kkgs_for_visitor(session: AsyncSession, person_id: int) -> list[Kkg]:
    return await roles.kkgs_for(session, person_id, "visits.record")


async def teacher_in_scope(session: AsyncSession, visitor_id: int, kkg_id: int, name: str):
    """A member of the KKG (in the visitor's scope) by name, or VisitError."""
    if kkg_id not in {k.id for k in await kkgs_for_visitor(session, visitor_id)}:
        raise VisitError("visits.not_in_scope", name=name)
    person = await find_member_by_name(session, kkg_id, name)
    if person is None or person.id == visitor_id:
        raise VisitError("visits.not_in_scope", name=name)
    return person


def parse_day(text: str, now: datetime, tz: str) -> date:
    """`hari ini`, `kemarin`, `3/12`, `3/12/2026` or `2026-12-03`: not in the future, not
    more than 90 days back."""
    today = now.astimezone(ZoneInfo(tz)).date()
    words = " ".join(text.casefold().split())
    if words in ("hari ini", "today", "tadi", "ini"):
        day = today
    elif words in ("kemarin", "yesterday"):
        day = today - timedelta(days=1)
    elif m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", words):
        day = _date(int(m[1]), int(m[2]), int(m[3]))
    elif m := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?", words):
        day = _date(int(m[3] or today.year), int(m[2]), int(m[1]))
        if m[3] is None and day > today:
            day = _date(day.year - 1, day.month, day.day)
    else:
        raise VisitError("visits.bad_date")
    if day > today or day < today - timedelta(days=MAX_BACK_DAYS):
        raise VisitError("visits.date_range", days=MAX_BACK_DAYS)
    return day


def _date(y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except ValueError as bad:
        raise VisitError("visits.bad_date") from bad


def parse_observed(text: str, practice: Practice) -> list[bool]:
    """The numbers of the items seen (`1 3`, `1,2,3`), `semua` or `tidak ada`."""
    words = " ".join(text.casefold().split())
    count = len(practice.checklist)
    if words in ("semua", "all", "semuanya"):
        return [True] * count
    if words in ("tidak ada", "none", "-", "0", "belum ada"):
        return [False] * count
    numbers = [int(n) for n in re.findall(r"\d+", words)]
    if not numbers or re.sub(r"[\d\s,;.dan&and]", "", words):
        raise VisitError("visits.bad_checklist", count=count)
    if any(not 1 <= n <= count for n in numbers):
        raise VisitError("visits.bad_checklist", count=count)
    return [n + 1 in numbers for n in range(count)]


def clean_next_step(text: str) -> str:
    text = " ".join(str(text).split())
    if len(text) > MAX_NEXT_STEP:
        raise VisitError("visits.next_step_long", max=MAX_NEXT_STEP)
    if len(re.findall(r"\w", text)) < 5:
        raise VisitError("visits.next_step_words")
    return text


async def record_visit(
    session: AsyncSession,
    *,
    visitor: Person,
    kkg_id: int,
    teacher_id: int,
    day: date,
    practice_id: str,
    observed: list[bool],
    next_step: str,
    now: datetime,
) -> Visit:
    practice = practices().get(practice_id)
    teacher = await session.get(Person, teacher_id)
    kkg = await session.get(Kkg, kkg_id)
    if practice is None or teacher is None or kkg is None:
        raise VisitError("visits.gone")
    if kkg_id not in {k.id for k in await kkgs_for_visitor(session, visitor.id)}:
        raise VisitError("visits.not_in_scope", name=teacher.name or "")
    visit = Visit(kkg_id=kkg_id, teacher_id=teacher_id, visitor_id=visitor.id, visited_on=day,
                  practice_id=practice_id, observed=observed, next_step=next_step,
                  created_at=now, ask_at=now + ASK_AFTER)  # fmt: skip
    session.add(visit)
    await session.flush()
    recipient = Recipient(teacher.id, teacher.language or i18n.DEFAULT, kkg.timezone)
    await messaging.send(
        session,
        recipient,
        lambda lang: i18n.t(
            lang,
            "visits.to_teacher",
            visitor=visitor.name or "—",
            practice=practice.title(lang),
            step=next_step,
        ),  # fmt: skip
        key=idempotency_key("visit", ("visit", visit.id)),
        now=now,
        about=MessageKind.NOTICE,
    )
    return visit


def answer_choices(visit_id: int, lang: str) -> list[Choice]:
    return [
        Choice.act(
            i18n.t(lang, f"visits.answer.{a}"),
            "vs",
            visit_id,
            n,
            words=i18n.word_list(f"visits.answer_words.{a}"),
        )  # fmt: skip
        for n, a in enumerate(ANSWERS, start=1)
    ]


async def next_ask_due(session: AsyncSession, after: datetime) -> datetime | None:
    return await session.scalar(
        select(func.min(Visit.ask_at)).where(Visit.asked_at.is_(None), Visit.ask_at > after)
    )


async def ask_due(session: AsyncSession, now: datetime) -> int:
    """A week after the visit, the teacher is asked whether they took the next step."""
    sent = 0
    rows = await session.scalars(
        select(Visit).where(Visit.asked_at.is_(None), Visit.ask_at <= now).order_by(Visit.id)
    )
    for visit in list(rows):
        visit.asked_at = now
        teacher = await session.get(Person, visit.teacher_id)
        kkg = await session.get(Kkg, visit.kkg_id)
        if teacher is None or kkg is None or teacher.erased_at is not None:
            continue
        recipient = Recipient(teacher.id, teacher.language or i18n.DEFAULT, kkg.timezone)
        sent += await messaging.send(
            session,
            recipient,
            lambda lang, v=visit: i18n.t(lang, "visits.ask_step", step=v.next_step or "—"),
            key=idempotency_key("visit-step", ("visit", visit.id)),
            now=now,
            choices=lambda lang, v=visit: answer_choices(v.id, lang),
            about=MessageKind.POLL,
        )
    return sent


async def answer(session: AsyncSession, visit_id: int, person_id: int, n: int, now) -> str:
    visit = await session.get(Visit, visit_id)
    if visit is None or visit.teacher_id != person_id or visit.asked_at is None:
        raise VisitError("visits.not_yours")
    if not 1 <= n <= len(ANSWERS):
        raise VisitError("visits.pick_answer")
    visit.answer, visit.answered_at = ANSWERS[n - 1], now
    return visit.answer


@dataclass
class VisitFigures:
    visits: int = 0  # in the period
    teachers: int = 0  # gurus of the KKG
    unvisited_90: int = 0  # gurus with no visit in the last 90 days


async def visit_figures(
    session: AsyncSession, kkg_ids: list[int], start: datetime, end: datetime
) -> dict[int, VisitFigures]:
    out = {k: VisitFigures() for k in kkg_ids}
    if not kkg_ids:
        return out
    rows = await session.execute(
        select(Visit.kkg_id, func.count(Visit.id))
        .where(Visit.kkg_id.in_(kkg_ids), Visit.created_at >= start, Visit.created_at < end)
        .group_by(Visit.kkg_id)
    )
    for kkg_id, count in rows:
        out[kkg_id].visits = int(count)
    since = (end - timedelta(days=NO_VISIT_DAYS)).date()
    visited = (
        select(Visit.id)
        .where(
            Visit.kkg_id == Role.kkg_id,
            Visit.teacher_id == Role.person_id,
            Visit.visited_on >= since,
        )  # fmt: skip
        .exists()
    )
    rows = await session.execute(
        select(
            Role.kkg_id,
            func.count(Role.person_id),
            func.count(Role.person_id).filter(~visited),
        )
        .join(Person, Person.id == Role.person_id)
        .where(Role.kkg_id.in_(kkg_ids), Role.role == GURU, Person.erased_at.is_(None))
        .group_by(Role.kkg_id)
    )
    for kkg_id, teachers, unvisited in rows:
        out[kkg_id].teachers, out[kkg_id].unvisited_90 = int(teachers), int(unvisited)
    return out
