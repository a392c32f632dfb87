"""The weekly list of support teachers asked for in their reflections, to the koordinator:
a request typed after a meeting must reach someone who can act on it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg, Person
from kkgbot.delivery.keys import idempotency_key
from kkgbot.meetings.models import Meeting
from kkgbot.messages import MessageKind
from kkgbot.monitoring.models import Reflection
from kkgbot.people import messaging, roles
from kkgbot.people.messaging import Recipient


async def support_list(session: AsyncSession, kkg_id: int, *, since: datetime | None = None):
    """(name, meeting title, text) of support requests not yet listed (or since a moment)."""
    query = (
        select(Person.name, Meeting.title, Reflection.support_text, Reflection)
        .join(Person, Person.id == Reflection.person_id)
        .join(Meeting, Meeting.id == Reflection.meeting_id)
        .where(Reflection.kkg_id == kkg_id, Reflection.support_text.is_not(None))
        .order_by(Reflection.support_at, Reflection.id)
    )
    if since is None:
        query = query.where(Reflection.support_listed_at.is_(None))
    else:
        query = query.where(Reflection.support_at >= since)
    return list((await session.execute(query)).all())


async def send_support_list(session: AsyncSession, kkg: Kkg, slot: datetime, now: datetime) -> int:
    rows = await support_list(session, kkg.id)
    if not rows:
        return 0
    koordinators = await roles.koordinators_of(session, kkg.id)
    lines = [(name or "—", title, text) for name, title, text, _ in rows]
    sent = 0
    for person in koordinators:
        recipient = Recipient(person.id, person.language or i18n.DEFAULT, kkg.timezone)
        sent += await messaging.send(
            session,
            recipient,
            lambda lang: support_text(lang, kkg.name, lines),
            key=idempotency_key(
                "support-list",
                ("kkg", kkg.id),
                ("person", person.id),
                ("slot", slot.strftime("%Y%m%d")),
            ),  # fmt: skip
            now=now,
            about=MessageKind.POLL,
        )
    for *_, row in rows:
        row.support_listed_at = now
    return sent


def support_text(lang: str, kkg_name: str, lines: list[tuple[str, str, str]]) -> str:
    out = [i18n.t(lang, "monitoring.support_head", kkg=kkg_name, count=len(lines))]
    for name, title, text in lines:
        out.append(i18n.t(lang, "monitoring.support_line", name=name, title=title, text=text))
    out.append(i18n.t(lang, "monitoring.support_foot"))
    return "\n".join(out)
