"""A week after a classroom visit, the teacher is asked about the agreed next step."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.scheduling.jobs import Job
from kkgbot.settings import Settings
from kkgbot.visits import service

log = logging.getLogger(__name__)


def visit_jobs(settings: Settings) -> list[Job]:
    async def run(session: AsyncSession, now: datetime) -> None:
        count = await service.ask_due(session, now)
        if count:
            log.info("visit next steps asked: %d", count)

    return [Job("visit_next_steps", service.next_ask_due, run)]
