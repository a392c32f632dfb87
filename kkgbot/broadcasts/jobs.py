"""Broadcasts set for later go out at their time; senders get their delivery summary."""

from __future__ import annotations

from kkgbot.broadcasts import service as broadcasts
from kkgbot.scheduling.jobs import Job
from kkgbot.settings import Settings


def broadcast_jobs(settings: Settings) -> list[Job]:
    return [Job("broadcasts", broadcasts.next_due, broadcasts.run_due)]
