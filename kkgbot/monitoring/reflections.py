"""The reflection on a meeting, in two moments: its questions, buttons and answers.

Training without follow-up in the classroom rarely changes teaching, and "have you tried
it?" asked an hour after a Saturday meeting can only be answered "not yet". So:
- right after the meeting (`reflection_followup` asks, an hour after its end): what the
  teacher will try (a practice listed for the meeting's topic in config/practices.yaml,
  or their own words) and how useful the meeting was (1-5), then optional support;
- after school days (`classroom_followup` asks, by default on the third school day at
  15:00): "tried it in class?" Yes -> students' response (1-5) and an optional photo of
  student work; Not yet -> what got in the way, asked once more five school days later.

Every answer is a standalone button (`a:rf:<meeting>:<stage>:<n>`), so it still works days
later: p = practice (0 = write your own), u = useful, t = tried, s = students, b = barrier.
Each moment stays open 7 days from when it was asked.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.notify import short_when
from kkgbot.messages import NO, YES, Choice
from kkgbot.monitoring.models import Reflection
from kkgbot.monitoring.practices import Practice, practices

OPEN_FOR = timedelta(days=7)
SCALE = (1, 2, 3, 4, 5)
MAX_SUPPORT = 500
MAX_PLAN = 300
NOTHING_WORDS = {"-", "tidak ada", "tidak", "nggak", "gak ada", "none", "nothing", "no", "n/a"}
BARRIERS = ("waktu", "bahan", "siswa", "paham", "lain")  # "lain": written in their words
OTHER = "lain"


class ReflectionError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def deadline(row: Reflection) -> datetime:
    return row.asked_at + OPEN_FOR


def followup_asked(row: Reflection) -> datetime | None:
    """When the current "tried it in class?" went out (the second ask, after "not yet")."""
    return row.followup_again_at or row.followup_at


def is_open(row: Reflection, now: datetime) -> bool:
    return row.asked_at <= now < deadline(row)


def followup_open(row: Reflection, now: datetime) -> bool:
    asked = followup_asked(row)
    return asked is not None and asked <= now < asked + OPEN_FOR


def meeting_practices(meeting: Meeting) -> tuple[Practice, ...]:
    return practices().for_topic(meeting.topic_id)


def plan_label(row: Reflection, lang: str) -> str | None:
    practice = practices().get(row.plan_practice)
    return practice.title(lang) if practice else row.plan_text


# --- Texts and buttons ------------------------------------------------------------------


def meeting_label(meeting: Meeting, kkg: Kkg, lang: str) -> str:
    return i18n.t(lang, "monitoring.rf_meeting", title=meeting.title, when=short_when(
        meeting, kkg, lang))  # fmt: skip


def plan_question(meeting: Meeting, kkg: Kkg, lang: str, *, head: str | None = None) -> str:
    parts = [head] if head else []
    parts.append(i18n.t(lang, "monitoring.rf_intro", meeting=meeting_label(meeting, kkg, lang)))
    key = "rf_q_plan" if meeting_practices(meeting) else "rf_q_plan_own"
    parts.append(i18n.t(lang, f"monitoring.{key}"))
    return "\n\n".join(parts)


def plan_choices(meeting: Meeting, lang: str) -> list[Choice]:
    out = [
        Choice.act(p.title(lang), "rf", meeting.id, "p", n, words=tuple(p.titles.values()))
        for n, p in enumerate(meeting_practices(meeting), start=1)
    ]
    out.append(
        Choice.act(
            i18n.t(lang, "monitoring.rf_plan_own"),
            "rf",
            meeting.id,
            "p",
            0,
            words=i18n.word_list("monitoring.rf_plan_own_words"),
        )  # fmt: skip
    )
    return out


def useful_choices(meeting_id: int, lang: str) -> list[Choice]:
    return [
        Choice.act(
            i18n.t(lang, f"monitoring.useful_scale.{n}"),
            "rf",
            meeting_id,
            "u",
            n,
            words=i18n.word_list(f"monitoring.useful_scale.{n}")
            + i18n.word_list(f"monitoring.useful_words.{n}"),
        )
        for n in SCALE
    ]


def tried_question(
    row: Reflection, meeting: Meeting, kkg: Kkg, lang: str, *, head: str | None = None
) -> str:
    parts = [head] if head else []
    label = meeting_label(meeting, kkg, lang)
    plan = plan_label(row, lang)
    key = "rf_followup_plan" if plan else "rf_followup"
    parts.append(i18n.t(lang, f"monitoring.{key}", meeting=label, plan=plan or ""))
    parts.append(i18n.t(lang, "monitoring.rf_q_tried"))
    return "\n\n".join(parts)


def tried_choices(meeting_id: int, lang: str) -> list[Choice]:
    return [
        Choice.act(
            i18n.t(lang, "monitoring.rf_yes"),
            "rf",
            meeting_id,
            "t",
            "1",
            meaning=YES,
            words=i18n.word_list("monitoring.rf_yes_words"),
        ),
        Choice.act(
            i18n.t(lang, "monitoring.rf_not_yet"),
            "rf",
            meeting_id,
            "t",
            "0",
            meaning=NO,
            words=i18n.word_list("monitoring.rf_not_yet_words"),
        ),
    ]


def students_choices(meeting_id: int, lang: str) -> list[Choice]:
    return [
        Choice.act(
            i18n.t(lang, f"monitoring.rf_scale.{n}"),
            "rf",
            meeting_id,
            "s",
            n,
            words=i18n.word_list(f"monitoring.rf_scale.{n}"),
        )
        for n in SCALE
    ]


def barrier_choices(meeting_id: int, lang: str) -> list[Choice]:
    return [
        Choice.act(
            i18n.t(lang, f"monitoring.rf_barrier.{code}"),
            "rf",
            meeting_id,
            "b",
            n,
            words=i18n.word_list(f"monitoring.rf_barrier_words.{code}"),
        )
        for n, code in enumerate(BARRIERS, start=1)
    ]


# --- Answers ------------------------------------------------------------------------------


async def _row(session: AsyncSession, meeting_id: int, person_id: int) -> Reflection:
    row = await session.scalar(
        select(Reflection).where(
            Reflection.meeting_id == meeting_id, Reflection.person_id == person_id
        )
    )
    if row is None:
        raise ReflectionError("monitoring.rf_not_yours")
    return row


async def _closed(session: AsyncSession, meeting_id: int) -> ReflectionError:
    meeting = await session.get(Meeting, meeting_id)
    return ReflectionError("monitoring.rf_closed", title=meeting.title if meeting else "")


async def row_for(session: AsyncSession, meeting_id: int, person_id: int, now: datetime):
    """The person's report for a meeting while its first moment is open, or why not."""
    row = await _row(session, meeting_id, person_id)
    if row.asked_at > now:
        raise ReflectionError("monitoring.rf_not_yours")
    if now >= deadline(row):
        raise await _closed(session, meeting_id)
    return row


async def followup_row_for(session: AsyncSession, meeting_id: int, person_id: int, now):
    """The person's report while "tried it in class?" is open, or why not."""
    row = await _row(session, meeting_id, person_id)
    asked = followup_asked(row)
    if asked is None or asked > now:
        raise ReflectionError("monitoring.rf_tried_later")
    if not followup_open(row, now):
        raise await _closed(session, meeting_id)
    return row


async def current_row(session: AsyncSession, meeting_id: int, person_id: int, now):
    """The report for `a:rf:<meeting>` (from /laporan): the follow-up when it is open."""
    row = await _row(session, meeting_id, person_id)
    if followup_open(row, now):
        return row
    return await row_for(session, meeting_id, person_id, now)


def _answered_first(row: Reflection, now: datetime) -> None:
    if row.useful is not None and (row.plan_practice or row.plan_text):
        row.answered_at = row.answered_at or now


async def set_plan(session, meeting_id: int, person_id: int, choice: int, now) -> Reflection:
    """A listed practice by its number; 0 means the teacher will write it (`set_plan_text`)."""
    row = await row_for(session, meeting_id, person_id, now)
    if choice == 0:
        return row
    meeting = await session.get(Meeting, meeting_id)
    listed = meeting_practices(meeting) if meeting else ()
    if not 1 <= choice <= len(listed):
        raise ReflectionError("monitoring.rf_pick_plan")
    row.plan_practice, row.plan_text = listed[choice - 1].id, None
    _answered_first(row, now)
    return row


def clean_plan(text: str) -> str:
    text = " ".join(str(text).split())
    if len(text) > MAX_PLAN:
        raise ReflectionError("monitoring.rf_plan_long", max=MAX_PLAN)
    if len(re.findall(r"\w", text)) < 5:
        raise ReflectionError("monitoring.rf_plan_words")
    return text


async def set_plan_text(session, meeting_id: int, person_id: int, text: str, now) -> Reflection:
    row = await row_for(session, meeting_id, person_id, now)
    row.plan_practice, row.plan_text = None, clean_plan(text)
    _answered_first(row, now)
    return row


async def set_useful(session, meeting_id: int, person_id: int, score: int, now) -> Reflection:
    if score not in SCALE:
        raise ReflectionError("monitoring.rf_pick_useful")
    row = await row_for(session, meeting_id, person_id, now)
    row.useful = score
    _answered_first(row, now)
    return row


async def set_tried(session, meeting_id: int, person_id: int, tried: bool, now) -> Reflection:
    row = await followup_row_for(session, meeting_id, person_id, now)
    row.tried, row.tried_at = tried, now
    if tried:
        row.barrier = row.barrier_text = None
    else:
        row.student_response = None
    return row


async def set_students(session, meeting_id: int, person_id: int, score: int, now) -> Reflection:
    if score not in SCALE:
        raise ReflectionError("monitoring.rf_pick_scale")
    row = await followup_row_for(session, meeting_id, person_id, now)
    if not row.tried:
        raise ReflectionError("monitoring.rf_tried_first")
    row.student_response = score
    return row


async def set_barrier(session, meeting_id: int, person_id: int, choice: int, now) -> Reflection:
    if not 1 <= choice <= len(BARRIERS):
        raise ReflectionError("monitoring.rf_pick_barrier")
    row = await followup_row_for(session, meeting_id, person_id, now)
    if row.tried is not False:
        raise ReflectionError("monitoring.rf_not_yet_first")
    row.barrier = BARRIERS[choice - 1]
    if row.barrier != OTHER:
        row.barrier_text = None
    return row


async def set_barrier_text(session, meeting_id: int, person_id: int, text: str, now) -> None:
    row = await followup_row_for(session, meeting_id, person_id, now)
    row.barrier, row.barrier_text = OTHER, clean_plan(text)


def clean_support(text: str) -> str | None:
    """The support request as typed, or None for "nothing" (`-`, `tidak ada`)."""
    text = " ".join(str(text).split())
    if len(text) > MAX_SUPPORT:
        raise ReflectionError("monitoring.rf_support_long", max=MAX_SUPPORT)
    if text.casefold().strip(".! ") in NOTHING_WORDS:
        return None
    if len(re.findall(r"\w", text)) < 3:
        raise ReflectionError("monitoring.rf_support_words")
    return text


async def set_support(session, meeting_id: int, person_id: int, text: str | None, now) -> None:
    row = await row_for(session, meeting_id, person_id, now)
    if text:
        row.support_text, row.support_at, row.support_listed_at = text, now, None


async def pending_for(session: AsyncSession, person_id: int, now: datetime) -> list[Reflection]:
    """Open reports still missing answers (either moment), oldest meeting first."""
    rows = await session.scalars(
        select(Reflection)
        .where(
            Reflection.person_id == person_id,
            Reflection.followup_at.is_not(None) | Reflection.answered_at.is_(None),
            Reflection.asked_at <= now,
        )
        .order_by(Reflection.asked_at, Reflection.id)
    )
    out = []
    for row in rows:
        if followup_open(row, now):
            if row.tried_at is None or (row.tried and row.student_response is None):
                out.append(row)
        elif row.answered_at is None and is_open(row, now):
            out.append(row)
    return out
