"""Passing a member's message to the koordinator, and the answer back to the member.

Only a consented member's own words are passed on, at most a few a day (a chat app invites
long threads; the koordinator is one busy teacher). The koordinator answers through the bot
and the answer reaches the member on their own channel, through the outbox like every
message (on WhatsApp outside the 24-hour window by the template path).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg, Person
from kkgbot.delivery.keys import idempotency_key
from kkgbot.inbox.models import MemberMessage
from kkgbot.messages import Choice, MessageKind
from kkgbot.people import messaging, roles
from kkgbot.people.messaging import Recipient, text

PER_DAY = 5  # messages one member may pass on in 24 hours
MAX_TEXT = 1000
LIST_DAYS = 30


class InboxError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Waiting:
    message: MemberMessage
    sender: str
    kkg: str


async def receivers(session: AsyncSession, kkg_id: int, sender_id: int) -> list[Person]:
    """Who a message from this sender goes to: the KKG's koordinators; a koordinator's own
    message goes to the other koordinators and the KKG's pengawas."""
    koordinators = await roles.koordinators_of(session, kkg_id)
    out = [p for p in koordinators if p.id != sender_id]
    if any(p.id == sender_id for p in koordinators):
        out += [p for p in await roles.pengawas_of(session, kkg_id) if p.id != sender_id]
    return out


async def addressed_to(session: AsyncSession, kkg_id: int, sender_id: int) -> str:
    """ "koordinator" or "pengawas": what the offer calls the people who will read it."""
    mine = {p.id for p in await roles.koordinators_of(session, kkg_id)}
    return "pengawas" if sender_id in mine else "koordinator"


async def sent_today(session: AsyncSession, person_id: int, now: datetime) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(MemberMessage)
        .where(
            MemberMessage.person_id == person_id,
            MemberMessage.created_at > now - timedelta(days=1),
        )
    )


async def pass_on(
    session: AsyncSession, person: Person, kkg: Kkg, words: str, now: datetime
) -> int:
    """Store the message and tell the KKG's koordinators; returns how many were told."""
    if person.consent_at is None:
        raise InboxError("inbox.no_consent")
    if await sent_today(session, person.id, now) >= PER_DAY:
        raise InboxError("inbox.too_many", max=PER_DAY)
    message = MemberMessage(
        person_id=person.id, kkg_id=kkg.id, text=words[:MAX_TEXT], created_at=now
    )
    session.add(message)
    await session.flush()
    told = 0
    for koordinator in await receivers(session, kkg.id, person.id):
        told += await messaging.send(
            session,
            Recipient(koordinator.id, koordinator.language, kkg.timezone),
            text("inbox.to_koordinator", name=person.name or "—", kkg=kkg.name, text=message.text),
            key=idempotency_key("inbox", message.id, ("person", koordinator.id)),
            now=now,
            choices=lambda lang: [
                Choice.act(i18n.t(lang, "inbox.reply_button"), "msgreply", message.id)
            ],
            about=MessageKind.NOTICE,
        )
    return told


async def waiting_for(session: AsyncSession, koordinator_id: int, now: datetime) -> list[Waiting]:
    """Messages of the koordinator's KKGs not answered yet, oldest first (last 30 days)."""
    kkgs = await roles.kkgs_for(session, koordinator_id, "messages")
    if not kkgs:
        return []
    names = {k.id: k.name for k in kkgs}
    rows = await session.execute(
        select(MemberMessage, Person.name)
        .join(Person, Person.id == MemberMessage.person_id)
        .where(
            MemberMessage.kkg_id.in_(names),
            MemberMessage.answered_at.is_(None),
            MemberMessage.created_at > now - timedelta(days=LIST_DAYS),
            MemberMessage.text.is_not(None),
        )
        .order_by(MemberMessage.created_at)
        .limit(20)
    )
    return [Waiting(m, name or "—", names[m.kkg_id]) for m, name in rows]


async def for_answer(session: AsyncSession, message_id: int, koordinator_id: int) -> Waiting:
    """The message a koordinator may answer: one of their KKG's, from a member still here."""
    message = await session.get(MemberMessage, message_id)
    allowed = {k.id for k in await roles.kkgs_for(session, koordinator_id, "messages")}
    if message is None or message.kkg_id not in allowed or message.person_id is None:
        raise InboxError("inbox.not_found")
    sender = await session.get(Person, message.person_id)
    kkg = await session.get(Kkg, message.kkg_id)
    if sender is None or sender.erased_at is not None or kkg is None:
        raise InboxError("inbox.not_found")
    return Waiting(message, sender.name or "—", kkg.name)


async def answer(
    session: AsyncSession, message_id: int, koordinator: Person, words: str, now: datetime
) -> Waiting:
    found = await for_answer(session, message_id, koordinator.id)
    message = found.message
    sender = await session.get(Person, message.person_id)
    kkg = await session.get(Kkg, message.kkg_id)
    message.answered_at, message.answered_by_person_id = now, koordinator.id
    message.answer_text = words[:MAX_TEXT]
    await messaging.send(
        session,
        Recipient(sender.id, sender.language, kkg.timezone),
        text(
            "inbox.to_member",
            name=koordinator.name or "—",
            kkg=kkg.name,
            text=message.answer_text,
            asked=(message.text or "")[:120],
        ),
        key=idempotency_key("inbox-answer", message.id, int(now.timestamp())),
        now=now,
        quiet_exempt=True,  # an answer to the member's own question
        about=MessageKind.NOTICE,
    )
    return found


async def koordinator_kkgs(session: AsyncSession, person_id: int) -> list[Kkg]:
    """The KKGs in which the person's free text can reach a koordinator."""
    out = []
    for kkg in await roles.member_kkgs(session, person_id):
        if await receivers(session, kkg.id, person_id):
            out.append(kkg)
    return out
