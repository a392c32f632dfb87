"""The monthly pulse: "KKG membantu saya mempersiapkan pembelajaran", 1 to 5.

The policy brief's headline figure is the share of teachers who agree (4 or 5); fewer
than half did. Asked on the first Monday of each month at 19:00 in the KKG's zone, one
row per member and month; a member may answer (or change the answer) for 21 days, after
which the month's figure stands.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg, Person
from kkgbot.delivery.keys import idempotency_key
from kkgbot.messages import Choice, MessageKind
from kkgbot.monitoring.models import PulseAnswer
from kkgbot.people import messaging
from kkgbot.people.messaging import after_quiet_hours

SCALE = (1, 2, 3, 4, 5)
OPEN_FOR = timedelta(days=21)


class PulseError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def trigger(tz: str) -> CronTrigger:
    return CronTrigger(day="1st mon", hour=19, minute=0, timezone=tz)


def question(lang: str, kkg_name: str, note: str | None = None) -> str:
    parts = [note] if note else []
    parts.append(i18n.t(lang, "monitoring.pulse_question", kkg=kkg_name))
    return "\n\n".join(parts)


def choices(row_id: int, lang: str) -> list[Choice]:
    return [
        Choice.act(
            i18n.t(lang, f"monitoring.pulse_scale.{n}"),
            "pu",
            row_id,
            n,
            words=i18n.word_list(f"monitoring.pulse_scale.{n}")
            + i18n.word_list(f"monitoring.pulse_words.{n}"),
        )
        for n in SCALE
    ]


async def ask(session: AsyncSession, kkg: Kkg, slot: datetime, now: datetime) -> int:
    """Every member of the KKG gets the month's question once."""
    month = slot.astimezone(ZoneInfo(kkg.timezone)).date().replace(day=1)
    when = after_quiet_hours(now, kkg.timezone)
    existing = set(
        await session.scalars(
            select(PulseAnswer.person_id).where(
                PulseAnswer.kkg_id == kkg.id, PulseAnswer.month == month
            )
        )
    )
    onboarded = set(
        await session.scalars(
            select(Person.id).where(Person.onboarded_at.is_not(None), Person.erased_at.is_(None))
        )
    )
    sent = 0
    for recipient in await messaging.kkg_members(session, kkg.id):
        pid = recipient.person_id
        if pid in existing or pid not in onboarded:
            continue
        row = PulseAnswer(kkg_id=kkg.id, person_id=pid, month=month, asked_at=when)
        session.add(row)
        await session.flush()
        sent += await messaging.send(
            session,
            recipient,
            lambda lang: question(lang, kkg.name),
            key=idempotency_key("pulse", ("kkg", kkg.id), ("person", pid), month.isoformat()),
            now=now,
            choices=lambda lang, rid=row.id: choices(rid, lang),
            about=MessageKind.POLL,
        )
    return sent


async def answer(
    session: AsyncSession, row_id: int, person_id: int, score: int, now: datetime
) -> tuple[PulseAnswer, int | None]:
    """Records the score; returns the row and the previous score (None for a first answer)."""
    if score not in SCALE:
        raise PulseError("monitoring.pulse_pick")
    row = await session.get(PulseAnswer, row_id)
    if row is None or row.person_id != person_id or row.asked_at > now:
        raise PulseError("common.stale_button")
    if now >= row.asked_at + OPEN_FOR:
        raise PulseError("monitoring.pulse_closed")
    previous = row.score
    row.score, row.answered_at = score, now
    return row, previous


async def pending_for(session: AsyncSession, person_id: int, now: datetime) -> list[PulseAnswer]:
    rows = await session.scalars(
        select(PulseAnswer)
        .where(
            PulseAnswer.person_id == person_id,
            PulseAnswer.score.is_(None),
            PulseAnswer.asked_at <= now,
            PulseAnswer.asked_at > now - OPEN_FOR,
        )
        .order_by(PulseAnswer.asked_at)
    )
    return list(rows)


def month_of(row: PulseAnswer) -> date:
    return row.month
