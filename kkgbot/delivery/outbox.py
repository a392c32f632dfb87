"""Writing messages to the outbox, in the caller's transaction.

A message is a row before it is anything else, so a crash after a state change can never
lose the reply, and a retried job can never send twice: the idempotency key is unique.

Statuses: `queued` (waiting for its time), `sending` (claimed by a dispatcher under a
lease), `failed` (an attempt failed, it will be retried at `not_before`), `sent` (the
channel accepted it), `delivered` (the channel reported delivery, WhatsApp only), `dead`
(given up, the reason in `last_error`), `unreachable` (the person blocked the bot) and
`expired` (it stopped making sense before it could be sent, e.g. a reminder for a meeting
that has begun). Only the first three are pending.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import OutboxMessage
from kkgbot.db.upsert import insert_new, insert_new_rows
from kkgbot.delivery import questions
from kkgbot.delivery.keys import MAX_KEY
from kkgbot.messages import Choice, MessageKind

REPLY, BULK = "reply", "bulk"
PRIORITY = {REPLY: 0, BULK: 10}
# Bulk with a deadline (a meeting reminder) goes before other bulk. Behind a backlog of
# announcements and ballots (429 pauses make one), a reminder would reach its deadline and
# be dropped: the soak lost most of its reminders that way.
TIMELY = 5
PRIORITIES = (PRIORITY[REPLY], TIMELY, PRIORITY[BULK])
QUEUED, SENDING, SENT, DELIVERED, FAILED, DEAD = (
    "queued",
    "sending",
    "sent",
    "delivered",
    "failed",
    "dead",
)
UNREACHABLE = "unreachable"  # stopped because the person blocked the bot or cannot be reached
HELD = "held"  # not sent: waits for the person to write (WhatsApp's 24-hour window)
EXPIRED = "expired"  # dropped unsent: past its `expires_at` (see Draft.expires_at)
PENDING_STATUSES = (QUEUED, SENDING, FAILED)
DUE_STATUSES = (QUEUED, FAILED)
FINAL_STATUSES = (SENT, DELIVERED, DEAD, UNREACHABLE, EXPIRED)

# The misfire deadline lives in the payload rather than in a column: the dispatcher only
# reads it for rows it has already claimed, so no query needs it indexed.
EXPIRES_AT = "_expires_at"
ABOUT = "_about"  # the MessageKind


@dataclass
class Draft:
    """One message to write: where to, what, and the key that makes it happen once.

    `expires_at` is the misfire rule of work that stops making sense: a reminder for a
    meeting sets it to the meeting's start, and the dispatcher drops the message (status
    `expired`) instead of sending it late. Leave it None for work that is still worth
    sending late (a lesson, a digest).
    """

    channel: str
    address: str
    text: str
    key: str
    person_id: int | None = None
    choices: list[Choice] = field(default_factory=list)
    file_id: int | None = None
    file_name: str | None = None
    kind: str = REPLY
    not_before: datetime | None = None
    batch_id: str | None = None
    expires_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # what the message is (MessageKind): a reply, a reminder, a poll... the channel may
    # need it (WhatsApp announces each kind with its own template outside the window)
    about: str | None = None
    prompt: str | None = None  # the question line to remember, when not in `text`
    closes_at: datetime | None = None  # when its question stops taking answers
    via: str | None = None  # the bot or sender to send through (None: the default one)

    def payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        out[ABOUT] = self.about or (MessageKind.REPLY if self.kind == REPLY else MessageKind.NOTICE)
        if self.choices:
            out["choices"] = [c.stored() for c in self.choices]
        if self.file_id is not None:
            out["file_id"] = self.file_id
            out["file_name"] = self.file_name
        if self.expires_at is not None:
            out[EXPIRES_AT] = self.expires_at.isoformat()
        out.update(self.extra)
        return out


def expires_at(payload: dict[str, Any]) -> datetime | None:
    """The misfire deadline stored by `Draft.payload`, if any."""
    value = payload.get(EXPIRES_AT)
    return datetime.fromisoformat(value) if value else None


def priority_of(draft: Draft) -> int:
    if draft.kind == BULK and draft.expires_at is not None:
        return TIMELY
    return PRIORITY[draft.kind]


async def enqueue(session: AsyncSession, draft: Draft, now: datetime) -> bool:
    """Insert the message unless its key exists; True when it was new."""
    inserted = await insert_new(session, OutboxMessage, _row(draft, now), ["idempotency_key"])
    if inserted:
        await _remember(session, draft, now)
    return inserted


async def enqueue_all(session: AsyncSession, drafts: list[Draft], now: datetime) -> int:
    """`enqueue` for the replies to one message, in one INSERT: a round trip a message,
    not one a reply. Returns how many were new."""
    if len(drafts) == 1:
        return int(await enqueue(session, drafts[0], now))
    rows = [_row(d, now) for d in drafts]
    new = await insert_new_rows(
        session, OutboxMessage, rows, ["idempotency_key"], "idempotency_key"
    )
    for draft in drafts:
        if draft.key in new:
            await _remember(session, draft, now)
    return len(new)


def _row(draft: Draft, now: datetime) -> dict[str, Any]:
    if len(draft.key) > MAX_KEY:
        raise ValueError(f"idempotency key longer than {MAX_KEY} characters: {draft.key[:60]}...")
    return dict(
        person_id=draft.person_id,
        channel=draft.channel,
        via=draft.via,
        address=draft.address,
        kind=draft.kind,
        priority=priority_of(draft),
        payload=draft.payload(),
        not_before=draft.not_before or now,
        idempotency_key=draft.key,
        status=QUEUED,
        attempts=0,
        batch_id=draft.batch_id,
        created_at=now,
        updated_at=now,
    )


async def _remember(session: AsyncSession, draft: Draft, now: datetime) -> None:
    if draft.choices and draft.person_id is not None:
        # Typed answers are matched against every question still open, not only the last.
        await questions.remember(
            session,
            draft.person_id,
            draft.text,
            draft.choices,
            draft.not_before or now,
            prompt=draft.prompt,
            reply=draft.kind == REPLY,
            closes_at=draft.closes_at or draft.expires_at,
        )


async def pending_for(session: AsyncSession, person_id: int) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(
        OutboxMessage.person_id == person_id, OutboxMessage.status.in_(PENDING_STATUSES)
    )
    return list(await session.scalars(query))
