"""What became of a batch (a broadcast, a digest round): the sender's delivery summary.

Any feature that writes many messages gives them one `batch_id` (Draft.batch_id) and
calls `summarise` to tell the sender how it went: sent, failed, unreachable, pending.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import OutboxMessage
from kkgbot.delivery import outbox


@dataclass
class DeliverySummary:
    batch_id: str
    total: int = 0
    sent: int = 0  # accepted by the channel (delivered ones included)
    delivered: int = 0  # the channel confirmed delivery (WhatsApp status callbacks)
    failed: int = 0  # given up (dead) or dropped because it came too late (expired)
    unreachable: int = 0  # the person blocked the bot or cannot be reached
    pending: int = 0  # queued, being sent, or waiting for a retry
    unreachable_people: list[int] = field(default_factory=list)
    failed_people: list[int] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)  # last error of failed ones -> count

    @property
    def finished(self) -> bool:
        return self.pending == 0


async def summarise(session: AsyncSession, batch_id: str) -> DeliverySummary:
    summary = DeliverySummary(batch_id)
    counts = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.batch_id == batch_id)
        .group_by(OutboxMessage.status)
    )
    for status, n in counts:
        summary.total += n
        if status in (outbox.SENT, outbox.DELIVERED):
            summary.sent += n
            if status == outbox.DELIVERED:
                summary.delivered += n
        elif status in (outbox.DEAD, outbox.EXPIRED):
            summary.failed += n
        elif status == outbox.UNREACHABLE:
            summary.unreachable += n
        else:
            summary.pending += n
    if summary.failed or summary.unreachable:
        rows = await session.execute(
            select(OutboxMessage.status, OutboxMessage.person_id, OutboxMessage.last_error)
            .where(
                OutboxMessage.batch_id == batch_id,
                OutboxMessage.status.in_((outbox.DEAD, outbox.EXPIRED, outbox.UNREACHABLE)),
            )
            .order_by(OutboxMessage.id)
        )
        for status, person_id, error in rows:
            if status == outbox.UNREACHABLE:
                if person_id is not None:
                    summary.unreachable_people.append(person_id)
                continue
            if person_id is not None:
                summary.failed_people.append(person_id)
            reason = (error or "unknown")[:120]
            summary.errors[reason] = summary.errors.get(reason, 0) + 1
    return summary
