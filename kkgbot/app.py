"""Wiring: builds the storage, router, dispatcher and jobs for a given set of channels."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from handlers import build_registry
from kkgbot.broadcasts.jobs import broadcast_jobs
from kkgbot.channels.base import Channel
from kkgbot.clock import Clock, MovableClock
from kkgbot.db.engine import make_engine, make_sessionmaker
from kkgbot.db.migrate import upgrade
from kkgbot.db.writes import WriteCounter
from kkgbot.delivery.dispatcher import Dispatcher
from kkgbot.digest.group_week import group_week_jobs
from kkgbot.digest.jobs import digest_jobs
from kkgbot.digest.render_pool import DigestRenderer, default_workers
from kkgbot.digest.snapshots import snapshot_jobs
from kkgbot.engine.context import Links
from kkgbot.engine.router import Router
from kkgbot.groups import shares
from kkgbot.learning.jobs import lesson_jobs
from kkgbot.meetings.jobs import meeting_jobs
from kkgbot.monitoring.jobs import monitoring_jobs
from kkgbot.people.demo import seed_demo
from kkgbot.polls.jobs import poll_jobs
from kkgbot.privacy.jobs import privacy_jobs
from kkgbot.scheduling.jobs import Job, Jobs, housekeeping_jobs
from kkgbot.scheduling.simulated import advance
from kkgbot.settings import Settings
from kkgbot.visits.jobs import visit_jobs

log = logging.getLogger(__name__)


def all_jobs(settings: Settings, digest_renderer: DigestRenderer | None = None) -> list[Job]:
    """Every scheduled job of the bot, in one list: each feature adds its own line here."""
    jobs = list(housekeeping_jobs(settings))
    jobs += meeting_jobs(settings)
    jobs += poll_jobs(settings)
    jobs += lesson_jobs(settings)
    jobs += monitoring_jobs(settings)
    jobs += privacy_jobs(settings)
    jobs += broadcast_jobs(settings)
    jobs += digest_jobs(settings, digest_renderer)
    jobs += snapshot_jobs()
    jobs += group_week_jobs(settings)
    jobs += visit_jobs(settings)
    return jobs


def render_workers(settings: Settings, clock: Clock) -> int:
    """Worker processes for the digest's charts: none under a simulated clock (the console
    and scripted tests render inline, the same bytes in the same order), else the setting."""
    if isinstance(clock, MovableClock):
        return 0
    workers = settings.digest_render_workers
    return default_workers() if workers is None else workers


class App:
    """One bot instance: everything shares one engine, one clock and one registry."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        channels: dict[str, Channel] | None = None,
        engine: AsyncEngine | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.engine = engine or make_engine(settings.database_url)
        self.sessionmaker = make_sessionmaker(self.engine)
        self.registry = build_registry()
        self.links = Links()
        self.channels: dict[str, Channel] = dict(channels or {})
        self.dispatcher = Dispatcher(self.sessionmaker, self.channels, settings, clock)
        self.router = Router(
            self.sessionmaker,
            self.registry,
            settings,
            clock,
            links=self.links,
            on_enqueued=self.dispatcher.notify,
        )
        self.digest_renderer = DigestRenderer(render_workers(settings, clock))
        self.jobs = Jobs(self.sessionmaker, all_jobs(settings, self.digest_renderer))
        self.writes: WriteCounter | None = None  # made when a simulated clock first moves
        # the links koordinators get to share KKG news to a WhatsApp group need both
        shares.configure(settings.public_url, settings.twilio_whatsapp_from)

    def add_channel(self, channel: Channel) -> None:
        """Keyed by lane: a deployment with several bots adds one channel per bot."""
        self.channels[getattr(channel, "lane", channel.name)] = channel

    async def migrate(self) -> None:
        await upgrade(self.settings.database_url)

    async def seed_demo(self) -> bool:
        async with self.sessionmaker() as session, session.begin():
            return await seed_demo(session, self.clock.now())

    async def advance_to(self, target: datetime) -> None:
        """Move a simulated clock to `target`, running everything due on the way, in order."""
        assert isinstance(self.clock, MovableClock), "only a movable clock can be advanced"
        if self.writes is None:
            self.writes = WriteCounter(self.engine)
        await advance(self.jobs, self.dispatcher, self.clock, self.writes, target)

    async def close(self) -> None:
        from kkgbot.privacy import scrub

        await scrub.settled()  # an erasure's scrub under way finishes before the engine goes
        self.digest_renderer.close()
        await self.engine.dispose()
