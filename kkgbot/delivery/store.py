"""The dispatcher's reads and writes: claiming due rows under a lease, recording outcomes.

Claims are one short transaction: pick due ids (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
dispatchers share the load without taking the same row; SQLite has one writer), mark them
`sending` with a lease, and return plain snapshots. A dispatcher that dies mid-send leaves
its rows `sending`; once the lease runs out any dispatcher claims them again, so a crash
costs at most a duplicate of what was in flight, never a lost message.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kkgbot.channels.base import HELD, INVALID, RETRY_AFTER, SENT, UNREACHABLE, SendResult
from kkgbot.db.models import OutboxMessage, Person
from kkgbot.delivery import outbox
from kkgbot.delivery.lanes import in_lanes, lane_name
from kkgbot.delivery.reachability import mark_unreachable, unreachable_among
from kkgbot.settings import Settings

log = logging.getLogger(__name__)
O = OutboxMessage  # noqa: E741 (short, used in every query below)
CHUNK = 500


@dataclass
class Claimed:
    """A claimed row, detached from any session: what the sender needs and nothing more."""

    id: int
    person_id: int | None
    channel: str
    address: str
    kind: str
    priority: int
    payload: dict[str, Any]
    not_before: datetime
    attempts: int
    batch_id: str | None
    last_error: str | None
    via: str | None = None  # the bot or sender (None: the channel's default one)
    rate_limited: int = 0  # 429s met during this claim (retried in memory)
    lease_until: datetime | None = None  # as this dispatcher last wrote it
    # Who claimed it (outbox.claimed_by): another dispatcher that claims the row after our
    # lease ran out writes its own, and from then on we neither send nor record it.
    owner: str | None = None
    lost: bool = False  # another dispatcher took it: never send it from here

    def order(self) -> tuple[int, datetime, int]:
        return (self.priority, self.not_before, self.id)

    @property
    def lane(self) -> str:
        return lane_name(self.channel, self.via)


def new_owner() -> str:
    """An id for one dispatcher's claims (a process can run several, e.g. in tests)."""
    return uuid.uuid4().hex


COLUMNS = (
    O.id, O.person_id, O.channel, O.address, O.kind, O.priority, O.payload, O.not_before,
    O.attempts, O.batch_id, O.last_error, O.via,
)  # fmt: skip


def _claim_parts(lanes: list[str], now: datetime, replies_only: bool) -> list[tuple[Select, bool]]:
    """The due-id queries, stale leases first (they are the oldest), then each priority.

    One query per priority keeps each an index range scan on (status, priority, not_before),
    however many future rows wait (100,000 pending reminders cost nothing here).
    """
    reply = outbox.PRIORITY[outbox.REPLY]
    priorities = [reply] if replies_only else list(outbox.PRIORITIES)
    stale = select(O.id).where(O.status == outbox.SENDING, O.lease_until < now, in_lanes(lanes))
    if replies_only:
        stale = stale.where(O.priority == reply)
    parts = [(stale.order_by(O.priority, O.not_before, O.id), True)]
    for priority in priorities:
        due = select(O.id).where(
            O.status.in_(outbox.DUE_STATUSES),
            O.priority == priority,
            O.not_before <= now,
            in_lanes(lanes),
        )
        parts.append((due.order_by(O.not_before, O.id), False))
    return parts


async def claim(
    sessionmaker: async_sessionmaker[AsyncSession],
    lanes: list[str],
    now: datetime,
    limit: int,
    lease: timedelta,
    replies_only: bool = False,
    owner: str | None = None,
) -> tuple[list[Claimed], int]:
    """Claim up to `limit` due rows of `lanes`; returns (rows to send, rows stopped without a send).

    Each part is a single `UPDATE ... WHERE id IN (SELECT ... LIMIT n) RETURNING`: SQLite
    takes its write lock before reading, so two processes never claim the same row (a
    SELECT followed by an UPDATE would race there), and PostgreSQL skips rows another
    dispatcher has locked. Expired rows (past their misfire deadline) and bulk rows for
    unreachable people are settled here, in the same transaction, never reaching a channel.
    """
    if not lanes or limit <= 0:
        return [], 0
    owner = owner or new_owner()
    rows: list[Claimed] = []
    async with sessionmaker() as session, session.begin():
        postgres = session.bind.dialect.name == "postgresql"
        parts = _claim_parts(lanes, now, replies_only)
        if not await session.scalar(select(or_(*(ids.exists() for ids, _ in parts)))):
            return [], 0  # one read instead of an UPDATE per part: most polls find nothing
        for ids, stale in parts:
            if len(rows) >= limit:
                break
            ids = ids.limit(limit - len(rows))
            if postgres:  # a materialised CTE: a subquery was rerun per row after a VACUUM
                picked = ids.with_for_update(skip_locked=True).cte("picked")
                ids = select(picked.prefix_with("MATERIALIZED").c.id)
            where = [O.id.in_(ids.scalar_subquery())]
            if stale:  # re-check inside the UPDATE: another claim may have renewed it
                where.append(O.lease_until < now)
            result = await session.execute(
                update(O)
                .where(*where)
                .values(
                    status=outbox.SENDING,
                    attempts=O.attempts + 1,
                    lease_until=now + lease,
                    claimed_by=owner,
                    updated_at=now,
                )
                .returning(*COLUMNS)
                .execution_options(synchronize_session=False)
            )
            rows += [Claimed(*r, lease_until=now + lease, owner=owner) for r in result.all()]
        if not rows:
            return [], 0
        blocked = await unreachable_among(
            session, (r.person_id for r in rows if r.person_id and r.kind != outbox.REPLY)
        )
        keep: list[Claimed] = []
        stopped: list[dict[str, Any]] = []
        for row in rows:
            deadline = outbox.expires_at(row.payload)
            if deadline is not None and deadline <= now:
                reason = f"expired: not sent before {deadline.isoformat()}"
                stopped.append(_values(row, now, status=outbox.EXPIRED, last_error=reason))
            elif row.person_id in blocked and row.kind != outbox.REPLY:
                reason = "recipient unreachable"
                stopped.append(_values(row, now, status=outbox.UNREACHABLE, last_error=reason))
            else:
                keep.append(row)
        if stopped:
            await session.execute(update(O), stopped)
    keep.sort(key=Claimed.order)
    return keep, len(stopped)


def _values(row: Claimed, now: datetime, **changes: Any) -> dict[str, Any]:
    """One row's new values; every dict has the same keys so updates run as one batch."""
    values: dict[str, Any] = {
        "id": row.id,
        "status": outbox.SENDING,
        "attempts": row.attempts,
        "not_before": row.not_before,
        "last_error": row.last_error,
        "lease_until": None,
        "claimed_by": None,
        "sent_at": None,
        "external_id": None,
        "updated_at": now,
    }
    values.update(changes)
    return values


# A channel's outcome -> the row's status, for outcomes that settle the row at once. Any
# other outcome (retry, retry_after) is a transient failure: backoff, then `dead`.
SETTLED: dict[str, str] = {
    SENT: outbox.SENT,
    UNREACHABLE: outbox.UNREACHABLE,  # blocked or gone: reachability stops their bulk
    INVALID: outbox.DEAD,  # the channel refused the request itself (400): never retried
    HELD: outbox.HELD,  # not sent, waiting for the person to write (WhatsApp 24-hour window)
}


@dataclass
class Outcome:
    row: Claimed
    result: SendResult
    at: datetime


def decide(
    outcome: Outcome, settings: Settings, rng: random.Random | None = None
) -> dict[str, Any]:
    """The row's next state after an attempt, per issue 3's failure rules.

    Sent -> `sent`. Blocked -> `unreachable`. A request the channel refused as invalid
    (400) -> `dead` at once. Anything transient (5xx, timeout, connection) -> `failed`, due
    again after exponential backoff with jitter, `dead` after `max_attempts` with the reason
    kept. A 429 left over after the in-memory retries goes back as `failed`, due after
    `retry_after`; it counts as an attempt, so nothing is retried forever.
    """
    row, result, now = outcome.row, outcome.result, outcome.at
    error = (result.error or "")[:1000] or None
    settled = SETTLED.get(result.outcome)
    if settled is not None:
        return _values(
            row,
            now,
            status=settled,
            sent_at=now if settled == outbox.SENT else None,
            external_id=result.external_id,
            last_error=row.last_error if settled == outbox.SENT else error,
        )
    if row.attempts >= settings.max_attempts:
        reason = f"gave up after {row.attempts} attempts: {error}"
        return _values(row, now, status=outbox.DEAD, last_error=reason[:1000])
    if result.outcome == RETRY_AFTER:
        delay = result.retry_after or 1.0
    else:
        delay = backoff(row.attempts, settings, rng or random)
    return _values(
        row,
        now,
        status=outbox.FAILED,
        last_error=error,
        not_before=max(now, row.not_before) + timedelta(seconds=delay),
    )


def backoff(attempts: int, settings: Settings, rng: random.Random | Any = random) -> float:
    """Exponential with jitter (half fixed, half random), so failed sends do not retry in
    step and hammer a recovering server together."""
    cap = min(settings.backoff_max_seconds, settings.backoff_base_seconds * 2 ** (attempts - 1))
    return rng.uniform(cap / 2, cap)


async def record(
    sessionmaker: async_sessionmaker[AsyncSession],
    outcomes: list[Outcome],
    settings: Settings,
    rng: random.Random | None = None,
) -> None:
    """Write a batch of outcomes in one transaction (one round trip per batch under load)."""
    if not outcomes:
        return
    now = max(o.at for o in outcomes)
    async with sessionmaker() as session, session.begin():
        mine = await _still_ours(session, [o.row for o in outcomes])
        outcomes = [o for o in outcomes if o.row.id in mine]
        values = [decide(o, settings, rng) for o in outcomes]
        for start in range(0, len(values), CHUNK):
            await session.execute(update(O), values[start : start + CHUNK])
        for outcome in outcomes:
            row = outcome.row
            if outcome.result.outcome == UNREACHABLE and row.person_id is not None:
                await mark_unreachable(
                    session, row.person_id, row.channel, outcome.result.error, outcome.at
                )
        back = {
            o.row.person_id
            for o in outcomes
            if o.result.outcome == SENT and o.row.kind == outbox.REPLY and o.row.person_id
        }
        if back:
            # A reply got through to someone marked unreachable: they are back.
            await session.execute(
                update(Person)
                .where(Person.id.in_(sorted(back)), Person.unreachable_at.is_not(None))
                .values(unreachable_at=None, unreachable_reason=None)
            )
    log.debug("recorded %d outcomes up to %s", len(outcomes), now.isoformat())


async def _still_ours(session: AsyncSession, rows: list[Claimed]) -> set[int]:
    """The ids among `rows` still `sending` under our claim (locked on PostgreSQL).

    A dispatcher that stalled past its lease may finish a send after another one claimed
    the row and settled it: writing our late outcome over theirs could turn their `sent`
    into `failed` and queue a third copy, and giving the row back would do the same.
    """
    found: set[int] = set()
    postgres = session.bind.dialect.name == "postgresql"
    by_owner: dict[str | None, list[int]] = {}
    for row in rows:
        by_owner.setdefault(row.owner, []).append(row.id)
    for owner, ids in by_owner.items():
        for start in range(0, len(ids), CHUNK):
            query = select(O.id).where(
                O.id.in_(ids[start : start + CHUNK]),
                O.status == outbox.SENDING,
                O.claimed_by.is_(None) if owner is None else O.claimed_by == owner,
            )
            if postgres:
                query = query.with_for_update()
            found.update(await session.scalars(query))
    if len(found) < len(rows):
        lost = sorted({r.id for r in rows} - found)[:20]
        log.info(
            "%d rows are no longer ours (another dispatcher took them): %s",
            len(rows) - len(found),
            lost,
        )
    return found


async def renew(
    sessionmaker: async_sessionmaker[AsyncSession],
    held: list[Claimed],
    now: datetime,
    lease: timedelta,
) -> None:
    """Extend the leases this dispatcher still holds, so nobody else takes them.

    Only rows still under our claim: after our lease ran out (a starved loop, a database
    that was away) another dispatcher may have claimed the row, and extending its lease
    would make us both think the row is ours. Rows we lost are marked `lost`.
    """
    by_owner: dict[str | None, list[int]] = {}
    for row in held:
        by_owner.setdefault(row.owner, []).append(row.id)
    kept: set[int] = set()
    async with sessionmaker() as session, session.begin():
        for owner, ids in by_owner.items():
            for start in range(0, len(ids), CHUNK):
                result = await session.execute(
                    update(O)
                    .where(
                        O.id.in_(ids[start : start + CHUNK]),
                        O.status == outbox.SENDING,
                        O.claimed_by == owner,
                    )
                    .values(lease_until=now + lease)
                    .returning(O.id)
                    .execution_options(synchronize_session=False)
                )
                kept.update(result.scalars())
    for row in held:
        if row.id in kept:
            row.lease_until = now + lease
        else:
            row.lost = True  # taken by another dispatcher, or already recorded


async def retake(
    sessionmaker: async_sessionmaker[AsyncSession], row: Claimed, now: datetime, lease: timedelta
) -> bool:
    """Just before a send whose lease ran out: extend it if nobody took the row meanwhile."""
    async with sessionmaker() as session, session.begin():
        result = await session.execute(
            update(O)
            .where(O.id == row.id, O.status == outbox.SENDING, O.claimed_by == row.owner)
            .values(lease_until=now + lease)
            .returning(O.id)
            .execution_options(synchronize_session=False)
        )
        if result.first() is None:
            row.lost = True
            return False
    row.lease_until = now + lease
    return True


async def release(
    sessionmaker: async_sessionmaker[AsyncSession], rows: list[Claimed], now: datetime
) -> None:
    """Give back claimed rows that were never sent (a clean shutdown), for anyone to take."""
    if not rows:
        return
    async with sessionmaker() as session, session.begin():
        mine = await _still_ours(session, rows)
        values = [
            _values(r, now, status=outbox.QUEUED, attempts=max(0, r.attempts - 1))
            for r in rows
            if r.id in mine
        ]
        for start in range(0, len(values), CHUNK):
            await session.execute(update(O), values[start : start + CHUNK])
