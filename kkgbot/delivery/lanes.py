"""Lanes: one per bot or WhatsApp sender, each paced on its own and owned by one process.

A bot's limit (about 30 messages a second on Telegram) belongs to its token, so one
national bot caps a lesson push; several bots (one per district) send side by side, each
in its own lane named after the channel and the bot: `telegram` for the default bot,
`telegram:<bot>` for the others, `whatsapp:<sender>` likewise.

Pacing lives in the memory of the process that sends. With several `bot.py run`
processes on one database, each lane is owned by one of them at a time through a lease in
`lane_leases`: a dispatcher claims outbox rows only for the lanes it owns, so N processes
together never exceed a bot's limit. The owner renews its leases every third of their
length; if it dies, another process takes the lane when the lease runs out. Rows the dead
owner had claimed come back when their own (row) lease runs out, as before: nothing is
lost, only a send that was on the wire may go twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kkgbot.db.models import LaneLease
from kkgbot.db.upsert import insert_new

log = logging.getLogger(__name__)
SEPARATOR = ":"


def lane_name(channel: str, via: str | None) -> str:
    return channel if not via else f"{channel}{SEPARATOR}{via}"


def lane_parts(lane: str) -> tuple[str, str | None]:
    """`telegram:north` -> ("telegram", "north"); `telegram` -> ("telegram", None)."""
    channel, _, via = lane.partition(SEPARATOR)
    return channel, via or None


async def hold(
    sessionmaker: async_sessionmaker[AsyncSession],
    lanes: Iterable[str],
    owner: str,
    now: datetime,
    lease: timedelta,
) -> set[str]:
    """Take or renew the leases of `lanes` that are free, expired or already ours; returns
    the lanes we own now. One short transaction: on PostgreSQL a concurrent taker waits for
    our row lock and then sees the lane owned, so two never both win."""
    wanted = sorted(set(lanes))
    if not wanted:
        return set()
    until = now + lease
    async with sessionmaker() as session, session.begin():
        for lane in wanted:
            values = {"lane": lane, "owner": owner, "expires_at": until}
            await insert_new(session, LaneLease, values, ["lane"])
        result = await session.execute(
            update(LaneLease)
            .where(
                LaneLease.lane.in_(wanted),
                or_(LaneLease.owner == owner, LaneLease.expires_at < now),
            )
            .values(owner=owner, expires_at=until)
            .returning(LaneLease.lane)
            .execution_options(synchronize_session=False)
        )
        return set(result.scalars())


async def let_go(
    sessionmaker: async_sessionmaker[AsyncSession], lanes: Iterable[str], owner: str
) -> None:
    """Give our lanes back at a clean stop, so another process takes them at once."""
    wanted = sorted(set(lanes))
    if not wanted:
        return
    async with sessionmaker() as session, session.begin():
        await session.execute(
            delete(LaneLease).where(LaneLease.lane.in_(wanted), LaneLease.owner == owner)
        )


class Ownership:
    """The lanes one dispatcher owns, kept up to date by `refresh` (its renew loop)."""

    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], owner: str, seconds: float
    ) -> None:
        self.sessionmaker = sessionmaker
        self.owner = owner
        self.lease = timedelta(seconds=seconds)
        self.every = max(0.2, seconds / 3)
        self.owned: set[str] = set()
        self._renewed: datetime | None = None

    async def refresh(self, wanted: Iterable[str], now: datetime) -> set[str]:
        """Renew what we own, take what is free; returns the lanes newly taken."""
        try:
            owned = await hold(self.sessionmaker, wanted, self.owner, now, self.lease)
        except Exception:
            # The database is away: keep sending on what we own until our leases would have
            # run out; after that another process may have taken them.
            log.exception("renewing lane leases failed")
            if self._renewed is None or now >= self._renewed + self.lease:
                self.owned = set()
            return set()
        self._renewed = now
        gained, lost = owned - self.owned, self.owned - owned
        if gained or lost:
            log.info("lanes taken %s, lost %s (owner %s)", sorted(gained), sorted(lost), self.owner)
        self.owned = owned
        return gained

    async def release(self) -> None:
        owned, self.owned = self.owned, set()
        try:
            await let_go(self.sessionmaker, owned, self.owner)
        except Exception:
            log.exception("could not give back lanes %s; they expire", sorted(owned))
