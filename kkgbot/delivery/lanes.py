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
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kkgbot.db.models import LaneLease, OutboxMessage
from kkgbot.db.upsert import insert_new

log = logging.getLogger(__name__)
SEPARATOR = ":"
PRESENCE = "@"  # `@<channel>:<owner>`: a dispatcher alive, sending on that channel's lanes
FORGET = timedelta(hours=1)  # presence rows of dispatchers gone this long are deleted


def lane_name(channel: str, via: str | None) -> str:
    return channel if not via else f"{channel}{SEPARATOR}{via}"


def lane_parts(lane: str) -> tuple[str, str | None]:
    """`telegram:north` -> ("telegram", "north"); `telegram` -> ("telegram", None)."""
    channel, _, via = lane.partition(SEPARATOR)
    return channel, via or None


def in_lanes(lanes: list[str]) -> ColumnElement[bool]:
    """Outbox rows of these lanes: `telegram` is the default bot's (no `via`), `telegram:x`
    bot x's."""
    conditions = []
    for lane in sorted(set(lanes)):
        channel, via = lane_parts(lane)
        is_via = OutboxMessage.via.is_(None) if via is None else OutboxMessage.via == via
        conditions.append(and_(OutboxMessage.channel == channel, is_via))
    return or_(*conditions)


async def hold(
    sessionmaker: async_sessionmaker[AsyncSession],
    lanes: Iterable[str],
    owner: str,
    now: datetime,
    lease: timedelta,
) -> tuple[set[str], set[str]]:
    """Renew our leases among `lanes`, and take free or expired ones up to our fair share;
    returns (the lanes we own, those above our share that we should hand over).

    Each dispatcher also keeps a presence row (`@<channel>:<owner>`, one per channel it
    sends on), so that all count how many are alive and share the lanes out: with four bots
    and two processes, each sends on two. One short transaction; on PostgreSQL a
    concurrent taker waits for our row lock and then sees the lane owned, so two never both
    win a lane.
    """
    wanted = sorted(set(lanes))
    if not wanted:
        return set(), set()
    until = now + lease
    kinds = sorted({lane_parts(lane)[0] for lane in wanted})
    async with sessionmaker() as session, session.begin():
        here = [f"{PRESENCE}{kind}:{owner}" for kind in kinds]
        for lane in here:
            await insert_new(session, LaneLease, _row(lane, owner, until), ["lane"])
        mine = set(
            await _renew(session, [*here, *wanted], LaneLease.owner == owner, owner, until)
        ) - set(here)
        alive = await session.scalars(
            select(LaneLease.lane).where(
                LaneLease.lane.startswith(PRESENCE), LaneLease.expires_at >= now
            )
        )
        dispatchers = Counter(lane[1:].rpartition(":")[0] for lane in alive)
        excess: set[str] = set()
        for kind in kinds:
            of_kind = [lane for lane in wanted if lane_parts(lane)[0] == kind]
            share = -(-len(of_kind) // max(1, dispatchers[kind]))
            ours = sorted(lane for lane in of_kind if lane in mine)
            excess.update(ours[share:])
            room = share - len(ours)
            for lane in of_kind:
                if room <= 0:
                    break
                if lane in mine:
                    continue
                await insert_new(session, LaneLease, _row(lane, owner, until), ["lane"])
                free = or_(LaneLease.owner == owner, LaneLease.expires_at < now)
                if await _renew(session, [lane], free, owner, until):
                    mine.add(lane)
                    room -= 1
        # presence rows of dispatchers long gone
        await session.execute(
            delete(LaneLease).where(
                LaneLease.lane.startswith(PRESENCE), LaneLease.expires_at < now - FORGET
            )
        )
        return mine, excess


def _row(lane: str, owner: str, until: datetime) -> dict[str, object]:
    return {"lane": lane, "owner": owner, "expires_at": until}


async def _renew(session: AsyncSession, lanes: list[str], condition, owner: str, until) -> list:
    result = await session.execute(
        update(LaneLease)
        .where(LaneLease.lane.in_(lanes), condition)
        .values(owner=owner, expires_at=until)
        .returning(LaneLease.lane)
        .execution_options(synchronize_session=False)
    )
    return list(result.scalars())


async def let_go(
    sessionmaker: async_sessionmaker[AsyncSession],
    lanes: Iterable[str],
    owner: str,
    present: bool = True,
) -> None:
    """Give lanes back (a clean stop, or a lane handed to a newcomer), so another process
    takes them at once; at a stop (`present=False`) our presence goes too."""
    gone = LaneLease.lane.in_(sorted(set(lanes)))
    if not present:
        gone = or_(gone, LaneLease.lane.startswith(PRESENCE))
    async with sessionmaker() as session, session.begin():
        await session.execute(delete(LaneLease).where(gone, LaneLease.owner == owner))


class Ownership:
    """The lanes one dispatcher owns, kept up to date by `refresh` (its renew loop).

    A lane above our share (another dispatcher started) is handed over in two steps: first
    we stop claiming for it, then, once nothing of it is held here any more (`busy`), we
    give its lease back. Handing it over at once would let the newcomer send beside the
    rows still queued here, above the bot's limit for a moment.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        owner: str,
        seconds: float,
        busy: Callable[[str], bool] = lambda _lane: False,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.busy = busy
        self.owner = owner
        self.lease = timedelta(seconds=seconds)
        self.every = max(0.2, seconds / 3)
        self.owned: set[str] = set()
        self.dropped: set[str] = set()  # lanes the last refresh stopped us claiming for
        self._renewed: datetime | None = None

    async def refresh(self, wanted: Iterable[str], now: datetime) -> set[str]:
        """Renew what we own, take what is free; returns the lanes newly taken."""
        try:
            owned, excess = await hold(self.sessionmaker, wanted, self.owner, now, self.lease)
            handed = {lane for lane in excess if not self.busy(lane)}
            if handed:
                await let_go(self.sessionmaker, handed, self.owner)
                log.info("lanes %s handed over (owner %s)", sorted(handed), self.owner)
            owned -= excess
        except Exception:
            # The database is away: keep sending on what we own until our leases would have
            # run out; after that another process may have taken them.
            log.exception("renewing lane leases failed")
            if self._renewed is None or now >= self._renewed + self.lease:
                self.dropped, self.owned = self.owned, set()
            return set()
        self._renewed = now
        gained, lost = owned - self.owned, self.owned - owned
        if gained or lost:
            log.info("lanes taken %s, lost %s (owner %s)", sorted(gained), sorted(lost), self.owner)
        self.owned, self.dropped = owned, lost
        return gained

    async def release(self) -> None:
        owned, self.owned = self.owned, set()
        try:
            await let_go(self.sessionmaker, owned, self.owner, present=False)
        except Exception:
            log.exception("could not give back lanes %s; they expire", sorted(owned))
