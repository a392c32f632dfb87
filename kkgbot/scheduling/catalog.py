"""Every scheduled job of the bot, in one list: each feature adds its own line here."""

from __future__ import annotations

from kkgbot.broadcasts.jobs import broadcast_jobs
from kkgbot.digest.jobs import digest_jobs
from kkgbot.learning.jobs import lesson_jobs
from kkgbot.meetings.jobs import meeting_jobs
from kkgbot.monitoring.jobs import monitoring_jobs
from kkgbot.polls.jobs import poll_jobs
from kkgbot.privacy.jobs import privacy_jobs
from kkgbot.scheduling.jobs import Job, housekeeping_jobs
from kkgbot.settings import Settings


def all_jobs(settings: Settings) -> list[Job]:
    jobs = list(housekeeping_jobs(settings))
    jobs += meeting_jobs(settings)
    jobs += poll_jobs(settings)
    jobs += lesson_jobs(settings)
    jobs += monitoring_jobs(settings)
    jobs += privacy_jobs(settings)
    jobs += broadcast_jobs(settings)
    jobs += digest_jobs(settings)
    return jobs
