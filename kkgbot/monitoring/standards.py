"""The seven-standards self-assessment: a checklist in config/standards.yaml, once a term.

The brief found most KKGs far from the national standards and almost none monitored. The
koordinator answers each item Ya (2), Sebagian (1) or Belum (0), in as many sittings as
they like: every answer is a row at once, so a restart or a week's pause loses nothing.
Items the bot can judge from its own data (topics from a poll, attendance lists, minutes,
12 meetings a year) are offered pre-filled. A standard's score is its points over the
maximum, 0–100; the overall score is the mean of the seven, so each standard weighs the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import yamlfile
from kkgbot.db import audit
from kkgbot.db.models import Kkg, Role
from kkgbot.meetings.models import Attendance, Meeting
from kkgbot.monitoring.models import StandardsAnswer, StandardsAssessment
from kkgbot.people.permissions import GURU
from kkgbot.polls import workplan
from kkgbot.settings import CONFIG_DIR

YES, PARTLY, NO = 2, 1, 0
VALUES = (YES, PARTLY, NO)
MAX_NOTE = 300
TERM_MONTHS = (1, 7)  # asked in January and July
YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Item:
    id: str
    area: str
    text: str
    text_en: str
    auto: str | None
    number: int  # 1-based position in the whole checklist

    def label(self, lang: str) -> str:
        return self.text_en if lang == "en" and self.text_en else self.text


@dataclass(frozen=True)
class Area:
    id: str
    title: str
    title_en: str
    items: tuple[Item, ...]

    def label(self, lang: str) -> str:
        return self.title_en if lang == "en" and self.title_en else self.title


@dataclass(frozen=True)
class Checklist:
    areas: tuple[Area, ...]

    @property
    def items(self) -> list[Item]:
        return [item for area in self.areas for item in area.items]

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def area(self, area_id: str) -> Area | None:
        return next((a for a in self.areas if a.id == area_id), None)


def load(path: Path) -> Checklist:
    raw = yamlfile.load_file(path)
    areas, number, seen = [], 0, set()
    for a in raw["areas"]:
        items = []
        for i in a["items"]:
            number += 1
            if i["id"] in seen:
                raise ValueError(f"{path}: item id {i['id']} twice")
            seen.add(i["id"])
            items.append(
                Item(i["id"], a["id"], i["text"], i.get("text_en", ""), i.get("auto"), number)
            )
        areas.append(Area(a["id"], a["title"], a.get("title_en", ""), tuple(items)))
    return Checklist(tuple(areas))


@lru_cache
def checklist() -> Checklist:
    return load(CONFIG_DIR / "standards.yaml")


# --- Terms ----------------------------------------------------------------------------


def term_of(now: datetime, tz: str) -> str:
    """`2026-2` for July–December 2026, `2027-1` for January–June 2027."""
    local = now.astimezone(ZoneInfo(tz))
    return f"{local.year}-{1 if local.month < 7 else 2}"


# --- Pre-filled answers from the bot's own data ----------------------------------------


@dataclass(frozen=True)
class Suggestion:
    value: int
    key: str  # the catalogue text that says why
    params: dict = field(default_factory=dict)


async def _attendance_spread(session: AsyncSession, kkg_id: int, held) -> tuple[int, int]:
    """(members, members present at one meeting or more of the last 12 months)."""
    in_kkg = select(Role.person_id).where(Role.kkg_id == kkg_id, Role.role == GURU)
    members = int(await session.scalar(select(func.count()).select_from(in_kkg.subquery())) or 0)
    came = await session.scalar(
        select(func.count(func.distinct(Attendance.person_id)))
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(*held, Attendance.person_id.in_(in_kkg))
    )
    return members, int(came or 0)


def _spread(members: int, came: int) -> int:
    """Ya when four in five teachers came at least once, Sebagian for half, else Belum."""
    if members and came * 5 >= members * 4:
        return YES
    return PARTLY if members and came * 2 >= members else NO


def _share(part: int, whole: int) -> int:
    if whole and part >= whole:
        return YES
    return PARTLY if part else NO


async def suggestions(session: AsyncSession, kkg_id: int, now: datetime) -> dict[str, Suggestion]:
    held = (
        Meeting.kkg_id == kkg_id,
        Meeting.cancelled_at.is_(None),
        Meeting.starts_at <= now,
        Meeting.starts_at > now - YEAR,
    )
    meetings = int(await session.scalar(select(func.count(Meeting.id)).where(*held)) or 0)
    with_list = int(
        await session.scalar(
            select(func.count(func.distinct(Attendance.meeting_id)))
            .join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(*held)
        )
        or 0
    )
    with_notes = int(
        await session.scalar(
            select(func.count(Meeting.id)).where(
                *held, Meeting.notes_text.is_not(None) | Meeting.notes_file_id.is_not(None)
            )
        )
        or 0
    )
    share = await workplan.vote_share(session, kkg_id)
    members, came = await _attendance_spread(session, kkg_id, held)
    out = {
        # equal participation, from the attendance lists: members who came at least once
        "attendance_spread": Suggestion(
            _spread(members, came),
            "monitoring.sa_auto_spread",
            {"count": came, "total": members},
        ),
        "meetings_12": Suggestion(
            YES if meetings >= 12 else PARTLY if meetings >= 6 else NO,
            "monitoring.sa_auto_meetings",
            {"count": meetings},
        ),
        "attendance_recorded": Suggestion(
            _share(with_list, meetings),
            "monitoring.sa_auto_attendance",
            {"count": with_list, "total": meetings},
        ),
        "notulen_kept": Suggestion(
            _share(with_notes, meetings),
            "monitoring.sa_auto_notes",
            {"count": with_notes, "total": meetings},
        ),
        "workplan_from_poll": Suggestion(
            NO
            if not share.total
            else YES
            if share.from_votes * 2 >= share.total
            else _share(share.from_votes, share.total),
            "monitoring.sa_auto_plan",
            {"count": share.from_votes, "total": share.total},
        ),
    }
    return {item.id: out[item.auto] for item in checklist().items if item.auto in out}


# --- Assessments -------------------------------------------------------------------------


async def current(session: AsyncSession, kkg: Kkg, now: datetime) -> StandardsAssessment | None:
    return await session.scalar(
        select(StandardsAssessment).where(
            StandardsAssessment.kkg_id == kkg.id,
            StandardsAssessment.term == term_of(now, kkg.timezone),
        )
    )


async def open_or_start(
    session: AsyncSession, kkg: Kkg, person_id: int, now: datetime
) -> StandardsAssessment:
    row = await current(session, kkg, now)
    if row is None:
        row = StandardsAssessment(
            kkg_id=kkg.id, term=term_of(now, kkg.timezone), started_at=now, started_by_id=person_id
        )
        session.add(row)
        await session.flush()
        audit.record(session, at=now, action="standards.start", actor_person_id=person_id,
                     kkg_id=kkg.id, details={"term": row.term})  # fmt: skip
    return row


async def answers(session: AsyncSession, assessment_id: int) -> dict[str, StandardsAnswer]:
    rows = await session.scalars(
        select(StandardsAnswer).where(StandardsAnswer.assessment_id == assessment_id)
    )
    return {r.item_id: r for r in rows}


async def next_item(session: AsyncSession, assessment: StandardsAssessment) -> Item | None:
    done = await answers(session, assessment.id)
    return next((i for i in checklist().items if i.id not in done), None)


def clean_note(text: str | None) -> str | None:
    text = " ".join(str(text or "").split())
    if len(text) > MAX_NOTE:
        raise ValueError(MAX_NOTE)
    return text or None


async def save_answer(
    session: AsyncSession,
    assessment: StandardsAssessment,
    item: Item,
    value: int,
    note: str | None,
    person_id: int,
    now: datetime,
) -> bool:
    """Stores the answer; True when it completed the checklist (the score is then set)."""
    assert value in VALUES
    row = (await answers(session, assessment.id)).get(item.id)
    if row is None:
        session.add(
            StandardsAnswer(assessment_id=assessment.id, area=item.area, item_id=item.id,
                            value=value, note=note, answered_by_id=person_id, answered_at=now)
        )  # fmt: skip
    else:
        row.value, row.note, row.answered_by_id, row.answered_at = value, note, person_id, now
    await session.flush()
    if assessment.completed_at is None and await next_item(session, assessment) is None:
        assessment.completed_at = now
        assessment.score = (await result(session, assessment)).score
        audit.record(session, at=now, action="standards.complete", actor_person_id=person_id,
                     kkg_id=assessment.kkg_id, details={"score": assessment.score})  # fmt: skip
        return True
    return False


@dataclass(frozen=True)
class Result:
    answered: int
    total: int
    score: int | None  # 0..100, the mean of the standards answered
    by_area: dict[str, int]  # area id -> 0..100
    weakest: list[Item]


def _percent(points: int, answers: int) -> float:
    return 100 * points / (2 * answers)


def _round(value: float) -> int:
    """Half up, as a teacher rounds (62.5 -> 63), not Python's half to even."""
    return int(value + 0.5)


def area_scores(points: dict[str, tuple[int, int]]) -> dict[str, int]:
    """area -> (sum of values, answers) into area -> 0..100."""
    return {a: _round(_percent(s, n)) for a, (s, n) in points.items() if n}


def overall(points: dict[str, tuple[int, int]]) -> int | None:
    """The mean of the standards' scores (unrounded), so each standard weighs the same."""
    shares = [_percent(s, n) for s, n in points.values() if n]
    return _round(sum(shares) / len(shares)) if shares else None


async def result(session: AsyncSession, assessment: StandardsAssessment) -> Result:
    done = await answers(session, assessment.id)
    points: dict[str, tuple[int, int]] = {}
    for row in done.values():
        s, n = points.get(row.area, (0, 0))
        points[row.area] = (s + row.value, n + 1)
    by_area = area_scores(points)
    items = checklist().items
    order = {i.id: i.number for i in items}
    weak = sorted(
        (r for r in done.values() if r.value < YES and r.item_id in order),
        key=lambda r: (r.value, order[r.item_id]),
    )
    weakest = [i for r in weak[:3] if (i := checklist().item(r.item_id)) is not None]
    return Result(len(done), len(items), overall(points), by_area, weakest)


async def latest(session: AsyncSession, kkg_id: int) -> StandardsAssessment | None:
    """The newest assessment of a KKG, finished or not (for the pengawas)."""
    return await session.scalar(
        select(StandardsAssessment)
        .where(StandardsAssessment.kkg_id == kkg_id)
        .order_by(StandardsAssessment.started_at.desc(), StandardsAssessment.id.desc())
        .limit(1)
    )
