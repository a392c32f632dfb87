"""Broadcasts set for later that have not gone out yet: listing them and calling one off.

A sender sees and cancels their own; an admin also those that reach a KKG of their
district (a koordinator who is away cannot stop a wrong message otherwise). Cancelling
and the job that queues a due broadcast both change the row only where it is still
untouched (`queued_at` and `cancelled_at` empty), in one UPDATE each, so whichever
commits first wins and the other sees it: a cancelled broadcast is never queued, also
after a restart, and one already queued is never reported as cancelled. Once queued it is
refused with its time: its messages are in the outbox and partly on phones already.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.broadcasts.models import Broadcast
from kkgbot.broadcasts.service import BroadcastError, scope_of
from kkgbot.db import audit
from kkgbot.db.models import Kkg, Person

SNIPPET = 40


@dataclass(frozen=True)
class Scheduled:
    """One broadcast waiting for its time, as the list shows it."""

    id: int
    send_at: datetime
    timezone: str  # of its first KKG, the zone the sender chose the time in
    scope_label: str
    snippet: str
    sender_name: str
    own: bool


def snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1] + "…"


async def _admin_kkg_ids(session: AsyncSession, person_id: int) -> set[int]:
    scope = await scope_of(session, person_id)
    districts = {d.id for d in scope.admin_districts}
    return {k.id for k in scope.kkgs if k.district_id in districts}


async def _may_cancel(session: AsyncSession, row: Broadcast, person_id: int) -> bool:
    if row.sender_person_id == person_id:
        return True
    return bool(set(row.kkg_ids) & await _admin_kkg_ids(session, person_id))


async def waiting_for(session: AsyncSession, person_id: int) -> list[Scheduled]:
    """Not yet queued, not cancelled, that this person may cancel; the soonest first."""
    rows = await session.scalars(
        select(Broadcast)
        .where(Broadcast.queued_at.is_(None), Broadcast.cancelled_at.is_(None))
        .order_by(Broadcast.send_at, Broadcast.id)
    )
    admin_of = await _admin_kkg_ids(session, person_id)
    found = []
    for row in rows:
        own = row.sender_person_id == person_id
        if not own and not set(row.kkg_ids) & admin_of:
            continue
        first = await session.get(Kkg, row.kkg_ids[0]) if row.kkg_ids else None
        sender = await session.get(Person, row.sender_person_id) if row.sender_person_id else None
        found.append(
            Scheduled(
                id=row.id,
                send_at=row.send_at,
                timezone=first.timezone if first else "Asia/Makassar",
                scope_label=row.scope_label,
                snippet=snippet(row.text),
                sender_name=(sender.name if sender else None) or "—",
                own=own,
            )
        )
    return found


async def cancel(
    session: AsyncSession, broadcast_id: int, *, person_id: int, now: datetime
) -> Broadcast:
    """Call off a broadcast that has not gone out; refused with the reason otherwise."""
    row = await session.get(Broadcast, broadcast_id)
    if row is None or not await _may_cancel(session, row, person_id):
        raise BroadcastError("broadcast.cancel_unknown")
    done = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.queued_at.is_(None),
            Broadcast.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(row)
    if done.rowcount != 1:
        if row.cancelled_at is not None:
            raise BroadcastError("broadcast.cancel_already")
        raise BroadcastError("broadcast.cancel_too_late", count=row.recipients or 0)
    audit.record(
        session,
        at=now,
        action="broadcast.cancel",
        actor_person_id=person_id,
        kkg_id=row.kkg_ids[0] if len(row.kkg_ids) == 1 else None,
        details={"broadcast": row.id, "send_at": row.send_at.isoformat(), "kkgs": row.kkg_ids},
    )
    return row
