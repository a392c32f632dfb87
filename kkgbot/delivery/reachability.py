"""Who can be reached: a person who blocked the bot gets nothing more until they write again.

Telegram answers 403 to a person who blocked the bot or deleted their account; sending to
them again only earns the bot a worse standing. Their queued messages stop (status
`unreachable`, reported in delivery summaries), and bulk messages written for them later
are stopped by the dispatcher without a send. Replies are still tried: a reply exists
because the person just wrote, which is the proof they are back.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import OutboxMessage, Person
from kkgbot.delivery import outbox


async def mark_unreachable(
    session: AsyncSession, person_id: int, channel: str, reason: str | None, now: datetime
) -> None:
    """Mark the person and stop their queued messages on that channel."""
    await session.execute(
        update(Person)
        .where(Person.id == person_id)
        .values(unreachable_at=now, unreachable_reason=(reason or "")[:200])
    )
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.person_id == person_id,
            OutboxMessage.channel == channel,
            OutboxMessage.status.in_(outbox.DUE_STATUSES),
        )
        .values(status=outbox.UNREACHABLE, last_error="recipient unreachable", updated_at=now)
    )


async def mark_reachable(session: AsyncSession, person_id: int) -> bool:
    """The person wrote to the bot again: bulk messages reach them again from now on.

    Call it from the inbound path (the router), in the inbound's transaction. Messages
    that were stopped while they were unreachable stay stopped (they were reported as such);
    True when the person had been unreachable.
    """
    result = await session.execute(
        update(Person)
        .where(Person.id == person_id, Person.unreachable_at.is_not(None))
        .values(unreachable_at=None, unreachable_reason=None)
    )
    return bool(result.rowcount)


async def unreachable_among(session: AsyncSession, person_ids: Iterable[int]) -> set[int]:
    ids = sorted(set(person_ids))
    if not ids:
        return set()
    query = select(Person.id).where(Person.id.in_(ids), Person.unreachable_at.is_not(None))
    return set(await session.scalars(query))
