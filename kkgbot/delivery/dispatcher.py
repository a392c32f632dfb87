"""Sends what the outbox holds, in order, and records what happened to each message.

Replies to a person's own message go before bulk (priority), due rows only (not_before),
one claim per row (status `sending` with a lease, so a crash mid-send is retried after the
lease, never lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kkgbot.channels.base import INVALID, RETRY, RETRY_AFTER, SENT, UNREACHABLE, Channel, Outgoing
from kkgbot.clock import Clock
from kkgbot.db.models import OutboxMessage, Person, StoredFile
from kkgbot.delivery import outbox
from kkgbot.engine.messages import Choice
from kkgbot.settings import Settings

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)


class Dispatcher:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        channels: dict[str, Channel],
        settings: Settings,
        clock: Clock,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.channels = channels
        self.settings = settings
        self.clock = clock
        self.wake = asyncio.Event()
        self._rng = random.Random()

    def notify(self) -> None:
        self.wake.set()

    async def claim(self, limit: int = 1) -> list[OutboxMessage]:
        now = self.clock.now()
        async with self.sessionmaker() as session, session.begin():
            query = (
                select(OutboxMessage)
                .where(
                    OutboxMessage.channel.in_(list(self.channels)),
                    OutboxMessage.not_before <= now,
                    or_(
                        OutboxMessage.status.in_((outbox.QUEUED, outbox.FAILED)),
                        (OutboxMessage.status == outbox.SENDING)
                        & (OutboxMessage.lease_until < now),
                    ),
                )
                .order_by(OutboxMessage.priority, OutboxMessage.not_before, OutboxMessage.id)
                .limit(limit)
            )
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(await session.scalars(query))
            for row in rows:
                row.status = outbox.SENDING
                row.attempts += 1
                row.lease_until = now + LEASE
                row.updated_at = now
            return rows

    async def _outgoing(self, row: OutboxMessage) -> Outgoing:
        payload = row.payload
        message = Outgoing(
            outbox_id=row.id,
            address=row.address,
            text=payload.get("text", ""),
            choices=[Choice(c["label"], c["data"]) for c in payload.get("choices", [])],
            kind=row.kind,
        )
        if payload.get("file_id") is not None:
            async with self.sessionmaker() as session:
                stored = await session.get(StoredFile, payload["file_id"])
            if stored is not None:
                message.file_name = payload.get("file_name") or stored.name
                message.file_mime = stored.mime
                message.file_data = stored.data
        return message

    async def send_one(self, row: OutboxMessage) -> str:
        channel = self.channels[row.channel]
        try:
            result = await channel.send(await self._outgoing(row))
        except Exception as exc:  # a bug or an unmapped error: retried with backoff, then dead
            log.exception("send failed outbox_id=%s channel=%s", row.id, row.channel)
            from kkgbot.channels.base import SendResult

            result = SendResult(RETRY, error=f"{type(exc).__name__}: {exc}"[:500])
        await self.record(row, result)
        return result.outcome

    async def record(self, row: OutboxMessage, result) -> None:
        now = self.clock.now()
        values: dict = {"updated_at": now, "lease_until": None}
        if result.outcome == SENT:
            values.update(status=outbox.SENT, sent_at=now, external_id=result.external_id)
        elif result.outcome == UNREACHABLE:
            values.update(status=outbox.UNREACHABLE, last_error=result.error)
        elif result.outcome == INVALID or row.attempts >= self.settings.max_attempts:
            values.update(status=outbox.DEAD, last_error=result.error)
        else:
            delay = (
                result.retry_after if result.outcome == RETRY_AFTER else self.backoff(row.attempts)
            )
            values.update(
                status=outbox.FAILED,
                last_error=result.error,
                not_before=now + timedelta(seconds=delay or 0),
            )
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row.id).values(**values)
            )
            if result.outcome == UNREACHABLE and row.person_id is not None:
                await mark_unreachable(session, row.person_id, row.channel, result.error, now)

    def backoff(self, attempts: int) -> float:
        """Exponential with full jitter, so many failed sends do not retry in step."""
        cap = min(
            self.settings.backoff_max_seconds, self.settings.backoff_base_seconds * 2**attempts
        )
        return self._rng.uniform(cap / 2, cap)

    async def drain(self, max_rounds: int = 100_000) -> int:
        """Send everything due now, one by one, in order; returns how many were tried."""
        done = 0
        for _ in range(max_rounds):
            rows = await self.claim(limit=1)
            if not rows:
                break
            await self.send_one(rows[0])
            done += 1
        return done

    async def run_forever(self, poll_seconds: float = 0.5) -> None:
        while True:
            self.wake.clear()
            try:
                await self.drain()
            except Exception:
                log.exception("dispatcher round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout=poll_seconds)


async def mark_unreachable(
    session: AsyncSession, person_id: int, channel: str, reason: str | None, now: datetime
) -> None:
    """A person who blocked the bot gets nothing more on that channel until they write again."""
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
            OutboxMessage.status.in_((outbox.QUEUED, outbox.FAILED)),
        )
        .values(status=outbox.UNREACHABLE, last_error="recipient unreachable", updated_at=now)
    )
