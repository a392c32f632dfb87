"""Rules every scheduled feature shares: recurring slots and misfires.

A scheduled job computes what is due from the database and the clock. These helpers keep
the decisions that make that safe the same everywhere (the key that makes a message happen
once is `kkgbot.delivery.keys`):
- the slots of a recurring schedule between two moments (`slots_between`), from an
  APScheduler `CronTrigger` evaluated against our clock, not APScheduler's timers;
- what to do with work found late (`Misfire`): send it anyway, or drop it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger


def slots_between(
    trigger: CronTrigger, after: datetime, until: datetime, limit: int = 1000
) -> list[datetime]:
    """The trigger's fire times in (after, until], oldest first (at most `limit`)."""
    out: list[datetime] = []
    previous: datetime | None = None
    probe = after + timedelta(microseconds=1)
    while len(out) < limit:
        when = trigger.get_next_fire_time(previous, probe)
        if when is None or when > until:
            break
        if when > after:
            out.append(when)
        previous, probe = when, when + timedelta(seconds=1)
    return out


def next_slot(trigger: CronTrigger, after: datetime) -> datetime | None:
    """The first fire time strictly after `after` (for a Job's `next_due`)."""
    return trigger.get_next_fire_time(None, after + timedelta(seconds=1))


@dataclass(frozen=True)
class Misfire:
    """What to do with work found after its time.

    `grace=None`: always still worth doing (a lesson, a digest: late is better than never).
    `grace=timedelta(...)`: drop it when found later than that (a reminder after the
    meeting began). `deadline` (e.g. the meeting's start) overrides: past it, always drop.
    Give the same deadline to the outbox row (`Draft.expires_at`), so a message that waits
    in the queue past it (a flood wait, an outage) is dropped there too.
    """

    grace: timedelta | None = None

    def still_useful(self, due: datetime, now: datetime, deadline: datetime | None = None) -> bool:
        if deadline is not None and now >= deadline:
            return False
        return self.grace is None or now - due <= self.grace


SEND_LATE = Misfire(None)
DROP_WHEN_LATE = Misfire(timedelta(0))
