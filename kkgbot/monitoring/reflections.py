"""The post-meeting reflection: did you try it in class, how did students respond, what support.

Training without follow-up in the classroom rarely changes teaching, so every attendee is
asked shortly after a meeting and may answer late for 7 days (`reflection_followup` asks
and reminds; `support_requests` lists the support asked for to the koordinator). This
module is the report itself: its questions and buttons, and the answers.

The first two questions are standalone buttons (`a:rf:<meeting>:t:<0|1>`,
`a:rf:<meeting>:s:<1..5>`), so they still work days later; a teacher who has not tried
the practice yet is not asked how students responded.
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

OPEN_FOR = timedelta(days=7)
SCALE = (1, 2, 3, 4, 5)
MAX_SUPPORT = 500
NOTHING_WORDS = {"-", "tidak ada", "tidak", "nggak", "gak ada", "none", "nothing", "no", "n/a"}


class ReflectionError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def deadline(row: Reflection) -> datetime:
    return row.asked_at + OPEN_FOR


def is_open(row: Reflection, now: datetime) -> bool:
    return row.asked_at <= now < deadline(row)


# --- Texts and buttons ------------------------------------------------------------------


def meeting_label(meeting: Meeting, kkg: Kkg, lang: str) -> str:
    return i18n.t(lang, "monitoring.rf_meeting", title=meeting.title, when=short_when(
        meeting, kkg, lang))  # fmt: skip


def tried_question(meeting: Meeting, kkg: Kkg, lang: str, *, head: str | None = None) -> str:
    parts = [head] if head else []
    parts.append(i18n.t(lang, "monitoring.rf_intro", meeting=meeting_label(meeting, kkg, lang)))
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


# --- Answers ------------------------------------------------------------------------------


async def row_for(session: AsyncSession, meeting_id: int, person_id: int, now: datetime):
    """The person's open report for a meeting, or a reason why there is none."""
    row = await session.scalar(
        select(Reflection).where(
            Reflection.meeting_id == meeting_id, Reflection.person_id == person_id
        )
    )
    if row is None or row.asked_at > now:
        raise ReflectionError("monitoring.rf_not_yours")
    if now >= deadline(row):
        meeting = await session.get(Meeting, meeting_id)
        raise ReflectionError("monitoring.rf_closed", title=meeting.title if meeting else "")
    return row


async def set_tried(session, meeting_id: int, person_id: int, tried: bool, now) -> Reflection:
    row = await row_for(session, meeting_id, person_id, now)
    row.tried = tried
    if tried:
        if row.student_response is None:
            row.answered_at = None
    else:
        row.student_response = None
        row.answered_at = row.answered_at or now
    return row


async def set_students(session, meeting_id: int, person_id: int, score: int, now) -> Reflection:
    if score not in SCALE:
        raise ReflectionError("monitoring.rf_pick_scale")
    row = await row_for(session, meeting_id, person_id, now)
    if not row.tried:
        raise ReflectionError("monitoring.rf_tried_first")
    row.student_response = score
    row.answered_at = row.answered_at or now
    return row


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
    """Open reports still missing the required answers, oldest meeting first."""
    rows = await session.scalars(
        select(Reflection)
        .where(
            Reflection.person_id == person_id,
            Reflection.answered_at.is_(None),
            Reflection.asked_at <= now,
            Reflection.asked_at > now - OPEN_FOR,
        )
        .order_by(Reflection.asked_at, Reflection.id)
    )
    return list(rows)
