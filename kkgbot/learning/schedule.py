"""A KKG's lesson times: default Tuesday and Thursday 19:00 local, changed by the koordinator.

Evenings suit teachers (after school and housework, before sleep) and two lessons a week
are spaced enough to be remembered yet few enough not to be muted. The times are kept as
a cron day list plus hour and minute in the KKG's own zone, and slots are computed with
APScheduler's CronTrigger against our clock, never its timers, so the console and the
tests run the very same due work by moving the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db import audit
from kkgbot.db.models import Kkg
from kkgbot.learning.models import LessonSchedule, LessonSchedulePeriod
from kkgbot.people.messaging import QUIET_END, QUIET_START
from kkgbot.scheduling.slots import next_slot, slots_between
from kkgbot.settings import ZONES

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_DAYS, DEFAULT_HOUR, DEFAULT_MINUTE = ("tue", "thu"), 19, 0
DAY_WORDS = {
    "senin": "mon",
    "sen": "mon",
    "monday": "mon",
    "mon": "mon",
    "selasa": "tue",
    "sel": "tue",
    "tuesday": "tue",
    "tue": "tue",
    "rabu": "wed",
    "rab": "wed",
    "wednesday": "wed",
    "wed": "wed",
    "kamis": "thu",
    "kam": "thu",
    "thursday": "thu",
    "thu": "thu",
    "jumat": "fri",
    "jum'at": "fri",
    "jum": "fri",
    "friday": "fri",
    "fri": "fri",
    "sabtu": "sat",
    "sab": "sat",
    "saturday": "sat",
    "sat": "sat",
    "minggu": "sun",
    "ahad": "sun",
    "min": "sun",
    "sunday": "sun",
    "sun": "sun",
}
FILLER = {"dan", "and", "&", "setiap", "tiap", "hari", "every", "each", "on"}


class ScheduleError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Slots:
    days: tuple[str, ...]
    hour: int
    minute: int

    def trigger(self, tz: str) -> CronTrigger:
        return CronTrigger(
            day_of_week=",".join(self.days), hour=self.hour, minute=self.minute, timezone=tz
        )

    def days_text(self, lang: str) -> str:
        """`Selasa dan Kamis`, `Senin, Rabu dan Jumat`."""
        names = [i18n.t(lang, f"learning.day.{d}") for d in self.days]
        if len(names) == 1:
            return names[0]
        return i18n.t(lang, "learning.day_list", first=", ".join(names[:-1]), last=names[-1])

    def describe(self, lang: str, tz: str) -> str:
        """`Selasa dan Kamis, pukul 19.00 WITA`."""
        return i18n.t(
            lang,
            "learning.slot",
            days=self.days_text(lang),
            time=self.clock(lang),
            zone=ZONES.get(tz, tz),
        )

    def clock(self, lang: str) -> str:
        sep = "." if lang == "id" else ":"
        return f"{self.hour:02d}{sep}{self.minute:02d}"

    @property
    def quiet(self) -> bool:
        """A slot in the quiet hours: its lessons wait until 06:00 (messaging.send)."""
        return self.hour >= QUIET_START or self.hour < QUIET_END


DEFAULT = Slots(DEFAULT_DAYS, DEFAULT_HOUR, DEFAULT_MINUTE)


def slots_of(row: LessonSchedule | None) -> Slots:
    if row is None:
        return DEFAULT
    days = tuple(d for d in row.days.split(",") if d in DAY_CODES)
    return Slots(days or DEFAULT_DAYS, row.hour, row.minute)


async def schedule_of(session: AsyncSession, kkg_id: int) -> Slots:
    return slots_of(await session.get(LessonSchedule, kkg_id))


def parse_days(text: str) -> tuple[str, ...]:
    """`Selasa, Kamis`, `senin dan rabu`, `Mon Wed Fri`: day codes in week order."""
    words = re.split(r"[\s,;/+]+", str(text).casefold().replace("’", "'"))
    found: set[str] = set()
    for word in words:
        if not word or word in FILLER:
            continue
        code = DAY_WORDS.get(word)
        if code is None:
            raise ScheduleError("learning.bad_days")
        found.add(code)
    if not found:
        raise ScheduleError("learning.bad_days")
    return tuple(d for d in DAY_CODES if d in found)


def parse_time(text: str) -> tuple[int, int]:
    """`19.00`, `19:30`, `jam 19`, `pukul 7.15`: hour and minute, 24-hour clock."""
    s = " ".join(str(text).casefold().split())
    s = re.sub(r"^(jam|pukul|pkl\.?|at)\s*", "", s)
    match = re.fullmatch(r"(\d{1,2})(?:[.:](\d{2}))?", s)
    if not match:
        raise ScheduleError("learning.bad_time")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        raise ScheduleError("learning.bad_time")
    return hour, minute


async def set_schedule(
    session: AsyncSession, *, kkg: Kkg, slots: Slots, actor_id: int | None, now: datetime
) -> None:
    """New times apply from now on: slots before `now` are not sent afterwards."""
    row = await session.get(LessonSchedule, kkg.id)
    if row is None:
        row = LessonSchedule(kkg_id=kkg.id, updated_at=now)
        session.add(row)
    row.days, row.hour, row.minute = ",".join(slots.days), slots.hour, slots.minute
    row.last_slot_at = max(row.last_slot_at or now, now)
    row.updated_at, row.updated_by_id = now, actor_id
    audit.record(
        session,
        at=now,
        action="lessons.schedule",
        actor_person_id=actor_id,
        kkg_id=kkg.id,
        details={"days": row.days, "hour": row.hour, "minute": row.minute},
    )
    await session.flush()


def anchor(kkg: Kkg, row: LessonSchedule | None) -> datetime:
    """Slots after this moment are due: the last one sent, or the KKG's creation."""
    return row.last_slot_at if row is not None and row.last_slot_at else kkg.created_at


def period_slots(period: LessonSchedulePeriod) -> Slots:
    days = tuple(d for d in period.days.split(",") if d in DAY_CODES)
    return Slots(days or DEFAULT_DAYS, period.hour, period.minute)


def in_period(when: datetime, tz: str, period: LessonSchedulePeriod | None) -> bool:
    if period is None:
        return False
    return period.starts_on <= when.astimezone(ZoneInfo(tz)).date() <= period.ends_on


def _period_start(period: LessonSchedulePeriod, tz: str) -> datetime:
    return datetime.combine(period.starts_on, datetime.min.time(), tzinfo=ZoneInfo(tz))


def next_after(
    kkg: Kkg,
    row: LessonSchedule | None,
    after: datetime,
    period: LessonSchedulePeriod | None = None,
) -> datetime | None:
    """The first slot after `after`: the usual times outside the dated period, its own inside."""
    tz = kkg.timezone
    start = max(after, anchor(kkg, row))
    usual = next_slot(slots_of(row).trigger(tz), start)
    if period is None:
        return usual
    for _ in range(200):  # a period is at most MAX_PERIOD_DAYS long
        if usual is None or not in_period(usual, tz, period):
            break
        usual = next_slot(slots_of(row).trigger(tz), usual)
    special_trigger = period_slots(period).trigger(tz)
    special = next_slot(
        special_trigger, max(start, _period_start(period, tz) - timedelta(seconds=2))
    )
    if special is not None and not in_period(special, tz, period):
        special = None
    return min((t for t in (usual, special) if t is not None), default=None)


def latest_due(
    kkg: Kkg,
    row: LessonSchedule | None,
    now: datetime,
    period: LessonSchedulePeriod | None = None,
) -> datetime | None:
    """The newest slot in (anchor, now], if any: missed slots collapse into one."""
    tz = kkg.timezone
    start = anchor(kkg, row)
    first = next_after(kkg, row, start, period)
    if first is None or first > now:
        return None
    # Every weekly schedule has a slot in any 7 days, so a week back is enough to look.
    since = max(start, now - timedelta(days=8))
    found = [
        t
        for t in slots_between(slots_of(row).trigger(tz), since, now)
        if not in_period(t, tz, period)
    ]
    if period is not None:
        found += [
            t
            for t in slots_between(period_slots(period).trigger(tz), since, now)
            if in_period(t, tz, period)
        ]
    return max(found) if found else first
