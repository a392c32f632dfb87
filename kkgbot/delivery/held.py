"""Messages held back by WhatsApp's 24-hour window, released when the person writes again.

Outside the window a business may only send an approved template. The WhatsApp adapter
sends the template (it tells the person there is a message for them) and reports HELD; the
row waits as `held`. When the person answers, the router calls `requeue_held` in the
inbound's transaction, so the full content goes out right after their message has opened
the window again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import OutboxMessage
from kkgbot.delivery import outbox


async def requeue_held(session: AsyncSession, person_id: int, channel: str, now: datetime) -> int:
    """Make the person's held messages on `channel` due now; returns how many."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.person_id == person_id,
            OutboxMessage.channel == channel,
            OutboxMessage.status == outbox.HELD,
        )
        .values(
            status=outbox.QUEUED,
            not_before=now,
            attempts=0,
            external_id=None,
            lease_until=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
