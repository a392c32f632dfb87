"""Prometheus metrics: messages in and out per channel, outbox depth, dispatch latency,
scheduler lag.

Counters and the latency histogram are kept in memory as things happen (inbound events,
each send through a channel); sends made by the Telegram dispatcher process are reported
to this process over its pipe (`kkgbot/delivery/worker.py`) and counted here the same way.
The outbox figures are read from the database at each scrape, since the database is the
truth and several processes may share it: the rows per status from `outbox_counts`, a small
table kept by triggers (kkgbot/db/triggers.py), so that a scrape's cost does not grow with
the outbox; what is due now through the outbox's (status, priority, not_before) index,
which only reaches messages not yet sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kkgbot.channels.base import Channel, TimedChannel
from kkgbot.db.models import OutboxCount, OutboxMessage
from kkgbot.delivery import outbox
from kkgbot.messages import Inbound

CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.inbound = Counter(
            "kkgbot_messages_in", "Inbound events per channel", ["channel"], registry=r
        )
        self.outbound = Counter(
            "kkgbot_messages_out",
            "Send attempts per channel and outcome",
            ["channel", "outcome"],
            registry=r,
        )
        self.dispatch_seconds = Histogram(
            "kkgbot_dispatch_seconds",
            "Time one send through a channel took",
            ["channel"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
            registry=r,
        )
        self.outbox_rows = Gauge(
            "kkgbot_outbox_messages",
            "Outbox rows per channel and status",
            ["channel", "status"],
            registry=r,
        )
        self.outbox_depth = Gauge(
            "kkgbot_outbox_depth", "Messages due now and not yet sent", ["channel"], registry=r
        )
        self.oldest_due = Gauge(
            "kkgbot_outbox_oldest_due_seconds",
            "How long the oldest due message has waited",
            registry=r,
        )
        self.scheduler_lag = Gauge(
            "kkgbot_scheduler_lag_seconds", "How late the scheduler's tick is", registry=r
        )

    def counted(
        self, on_inbound: Callable[[Inbound], Awaitable[str | None]]
    ) -> Callable[[Inbound], Awaitable[str | None]]:
        """Wraps the router's handle so each inbound event is counted per channel (what it
        answers, a link for a group's button, goes back to the channel)."""

        async def handle(inbound: Inbound) -> str | None:
            self.inbound.labels(inbound.channel).inc()
            return await on_inbound(inbound)

        return handle

    def metered(self, channel: Channel) -> Channel:
        return TimedChannel(channel, self.observe_send)

    def observe_send(self, channel: str, outcome: str, seconds: float) -> None:
        """One send through a channel, in this process or reported by the dispatcher's."""
        self.dispatch_seconds.labels(channel).observe(seconds)
        self.outbound.labels(channel, outcome).inc()

    async def refresh(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        now: datetime,
        scheduler_lag: float | None,
    ) -> None:
        async with sessionmaker() as session:
            counts = await session.execute(
                select(OutboxCount.channel, OutboxCount.status, OutboxCount.n).where(
                    OutboxCount.n > 0
                )
            )
            self.outbox_rows.clear()
            for channel, status, n in counts:
                self.outbox_rows.labels(channel, status).set(n)
            due = await session.execute(
                select(OutboxMessage.channel, func.count(), func.min(OutboxMessage.not_before))
                .where(
                    OutboxMessage.status.in_(outbox.PENDING_STATUSES),
                    OutboxMessage.not_before <= now,
                )
                .group_by(OutboxMessage.channel)
            )
            self.outbox_depth.clear()
            oldest: datetime | None = None
            for channel, n, first in due:
                self.outbox_depth.labels(channel).set(n)
                if first is not None and (oldest is None or first < oldest):
                    oldest = first
        self.oldest_due.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        self.scheduler_lag.set(scheduler_lag or 0.0)

    def render(self) -> bytes:
        return generate_latest(self.registry)
