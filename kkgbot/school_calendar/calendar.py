"""Is this a school day here? One answer for every job that should keep school time.

Rules (documented in the README, "School calendar"):
- a day is off when it is a national holiday, a cuti bersama, inside its province's
  break (the default estimate when the district has not named its province), or a day the
  district or KKG added; a day the district or KKG removed is a school day after all,
  and a KKG's own rows win over its district's;
- Sundays are not "off" for this purpose (a KKG that chose Sunday lessons keeps them), but
  work moved off a holiday is moved to the next day that is neither off nor a Sunday.

What each job does with an off day: lessons at a slot are skipped (the next slot comes in
a few days and the sequence continues; nothing is lost); the monthly pulse, reflection
questions and reminders, and the weekly digest move to the same time on the next school
day (a month's figure or a week's report should not be lost to a holiday).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Kkg
from kkgbot.school_calendar.data import days_of_year
from kkgbot.school_calendar.models import CalendarDay, DistrictCalendar

SUNDAY = 6
MAX_SHIFT_DAYS = 60  # a long break plus margin; past it, the work is done anyway


@dataclass(frozen=True)
class SchoolCalendar:
    province: str | None = None
    district_days: dict[date, tuple[bool, str]] = field(default_factory=dict)
    kkg_days: dict[date, tuple[bool, str]] = field(default_factory=dict)

    def off(self, day: date) -> str | None:
        """The name of the holiday or break `day` falls in, or None on a school day."""
        for own in (self.kkg_days, self.district_days):
            if day in own:
                is_off, name = own[day]
                return name if is_off else None
        return days_of_year(day.year, self.province).get(day)

    def next_school_day(self, day: date) -> date:
        """`day` itself if it is not off; else the next day neither off nor a Sunday."""
        if self.off(day) is None:
            return day
        for _ in range(MAX_SHIFT_DAYS):
            day += timedelta(days=1)
            if day.weekday() != SUNDAY and self.off(day) is None:
                return day
        return day

    def shift(self, when: datetime, tz: str) -> datetime:
        """The same local time on the next school day, when `when` falls on a day off."""
        zone = ZoneInfo(tz)
        local = when.astimezone(zone)
        day = self.next_school_day(local.date())
        if day == local.date():
            return when
        moved = datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone)
        return moved.astimezone(when.tzinfo)

    def off_on(self, when: datetime, tz: str) -> str | None:
        return self.off(when.astimezone(ZoneInfo(tz)).date())


def _days(rows) -> dict[date, tuple[bool, str]]:
    return {r.day: (r.off, r.name) for r in rows}


async def for_district(session: AsyncSession, district_id: int | None) -> SchoolCalendar:
    if district_id is None:
        return SchoolCalendar()
    setting = await session.get(DistrictCalendar, district_id)
    rows = await session.scalars(
        select(CalendarDay).where(
            CalendarDay.district_id == district_id, CalendarDay.kkg_id.is_(None)
        )
    )
    return SchoolCalendar(setting.province if setting else None, _days(rows))


async def for_kkg(session: AsyncSession, kkg: Kkg) -> SchoolCalendar:
    district = await for_district(session, kkg.district_id)
    rows = await session.scalars(select(CalendarDay).where(CalendarDay.kkg_id == kkg.id))
    return SchoolCalendar(district.province, district.district_days, _days(rows))


class Calendars:
    """Calendars by KKG id, each loaded once per job run."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._kkgs: dict[int, SchoolCalendar] = {}
        self._districts: dict[int | None, SchoolCalendar] = {}

    async def kkg(self, kkg: Kkg) -> SchoolCalendar:
        if kkg.id not in self._kkgs:
            self._kkgs[kkg.id] = await for_kkg(self.session, kkg)
        return self._kkgs[kkg.id]

    async def district(self, district_id: int | None) -> SchoolCalendar:
        if district_id not in self._districts:
            self._districts[district_id] = await for_district(self.session, district_id)
        return self._districts[district_id]
