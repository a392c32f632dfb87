"""Every scheduled job of the bot, in one list: each feature adds its own line here."""

from __future__ import annotations

from kkgbot.scheduling.jobs import Job, housekeeping_jobs
from kkgbot.settings import Settings


def all_jobs(settings: Settings) -> list[Job]:
    jobs = list(housekeeping_jobs(settings))
    return jobs
