"""Recurring meetings: the rules teachers use ("every 2nd Saturday", "every Wednesday").

The rule is offered from the first date the koordinator wrote, so nobody has to spell a
rule out: 12 December 2026 is the second Saturday, hence "every second Saturday of the
month". Occurrences are computed with dateutil's rrule in the KKG's local wall time, so
09:00 stays 09:00 whatever the UTC offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday

WEEKLY_KIND, MONTHLY_KIND = "weekly", "monthly"
HORIZON = relativedelta(months=3)  # occurrences exist this far ahead


@dataclass(frozen=True)
class Rule:
    kind: str  # weekly | monthly
    weekday: int  # 0 = Monday
    nth: int | None  # monthly: 1..4, or -1 for the last such day of the month
    local_time: time

    @property
    def key(self) -> str:
        """A stable value for a choice button, e.g. `monthly:5:2`."""
        return f"{self.kind}:{self.weekday}:{self.nth or 0}"

    @classmethod
    def from_key(cls, key: str, local_time: time) -> Rule:
        kind, day, nth = key.split(":")
        if kind not in (WEEKLY_KIND, MONTHLY_KIND):
            raise ValueError(key)
        return cls(kind, int(day), int(nth) or None, local_time)


def rules_for(start_local: datetime) -> list[Rule]:
    """The rules a first date fits: weekly, the nth weekday, and "last" in a month's last week."""
    day, clock = start_local.weekday(), start_local.time().replace(second=0, microsecond=0)
    nth = (start_local.day - 1) // 7 + 1
    rules = [Rule(WEEKLY_KIND, day, None, clock)]
    if nth <= 4:
        rules.append(Rule(MONTHLY_KIND, day, nth, clock))
    if (start_local + relativedelta(days=7)).month != start_local.month:
        rules.append(Rule(MONTHLY_KIND, day, -1, clock))
    return rules


def occurrences(
    rule: Rule, zone: str, first_local: datetime, after: datetime, until: datetime
) -> list[datetime]:
    """UTC starts of the rule's occurrences, from `first_local` on, in (after, until]."""
    tz = ZoneInfo(zone)
    by = weekday(rule.weekday, rule.nth) if rule.kind == MONTHLY_KIND else weekday(rule.weekday)
    freq = MONTHLY if rule.kind == MONTHLY_KIND else WEEKLY
    start = first_local.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
    out = []
    for naive in rrule(
        freq,
        dtstart=start,
        byweekday=by,
        byhour=rule.local_time.hour,
        byminute=rule.local_time.minute,
        bysecond=0,
    ):
        moment = naive.replace(tzinfo=tz).astimezone(UTC)
        if moment > until:
            break
        if moment > after:
            out.append(moment)
    return out
