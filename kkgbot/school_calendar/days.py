"""A district's or KKG's own days: added, removed (a school day after all), listed.

Used by the admin CLI (and the dashboard once it exists). A range is written day by day,
so a one-off correction inside a long break is just one more row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db import audit
from kkgbot.db.models import District, Kkg
from kkgbot.school_calendar import calendar
from kkgbot.school_calendar.data import PROVINCES, days_of_year
from kkgbot.school_calendar.models import CalendarDay, DistrictCalendar

MAX_SPAN_DAYS = 120
MAX_NAME = 120


class CalendarError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Scope:
    district_id: int
    kkg: Kkg | None = None  # None: the whole district

    def where(self):
        kkg_id = self.kkg.id if self.kkg else None
        if kkg_id is None:
            return (CalendarDay.district_id == self.district_id, CalendarDay.kkg_id.is_(None))
        return (CalendarDay.kkg_id == kkg_id,)


@dataclass(frozen=True)
class ListedDay:
    day: date
    name: str
    origin: str  # data | district | kkg | school (a data day made a school day)


def parse_day(text: str) -> date:
    """`2026-08-18` or `18-08-2026` / `18/8/2026`."""
    s = str(text).strip()
    try:
        if len(s) == 10 and s[4] == "-":
            return date.fromisoformat(s)
        parts = s.replace("/", "-").replace(".", "-").split("-")
        if len(parts) == 3 and len(parts[2]) == 4:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        pass
    raise CalendarError("calendar.bad_date", date=s[:20])


def span(first: date, last: date | None) -> list[date]:
    last = last or first
    if last < first:
        raise CalendarError("calendar.bad_span")
    if (last - first).days >= MAX_SPAN_DAYS:
        raise CalendarError("calendar.span_too_long", days=MAX_SPAN_DAYS)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def _clear(session: AsyncSession, scope: Scope, days: list[date]) -> None:
    await session.execute(delete(CalendarDay).where(*scope.where(), CalendarDay.day.in_(days)))


def _row(scope: Scope, day: date, off: bool, name: str, now: datetime) -> CalendarDay:
    return CalendarDay(
        district_id=scope.district_id,
        kkg_id=scope.kkg.id if scope.kkg else None,
        day=day,
        off=off,
        name=name,
        created_at=now,
    )


async def add_days(
    session: AsyncSession, scope: Scope, days: list[date], name: str, now: datetime
) -> int:
    name = " ".join(str(name).split())
    if not name or len(name) > MAX_NAME:
        raise CalendarError("calendar.bad_name", max=MAX_NAME)
    await _clear(session, scope, days)
    session.add_all(_row(scope, d, True, name, now) for d in days)
    _audit(session, scope, "calendar.add", days, now)
    await session.flush()
    return len(days)


async def remove_days(
    session: AsyncSession, scope: Scope, days: list[date], name: str, now: datetime
) -> int:
    """Each day becomes a school day here: own rows go, and a day still off above (data or
    district) gets a school-day row. Returns how many days were off before."""
    await _clear(session, scope, days)
    await session.flush()
    if scope.kkg is not None:
        above = await calendar.for_kkg(session, scope.kkg)
    else:
        above = await calendar.for_district(session, scope.district_id)
    changed = 0
    for day in days:
        if above.off(day) is not None:
            session.add(_row(scope, day, False, name, now))
            changed += 1
    _audit(session, scope, "calendar.remove", days, now)
    await session.flush()
    return changed


async def list_days(session: AsyncSession, scope: Scope, year: int) -> list[ListedDay]:
    """Every day off in the year for this scope, and the data days it turned back."""
    if scope.kkg is not None:
        cal = await calendar.for_kkg(session, scope.kkg)
    else:
        cal = await calendar.for_district(session, scope.district_id)
    out: dict[date, ListedDay] = {
        d: ListedDay(d, n, "data") for d, n in days_of_year(year, cal.province).items()
    }
    for origin, own in (("district", cal.district_days), ("kkg", cal.kkg_days)):
        for day, (off, name) in own.items():
            if day.year == year:
                out[day] = ListedDay(day, name, origin if off else "school")
    return [out[d] for d in sorted(out)]


async def set_province(session: AsyncSession, district_id: int, province: str, now) -> None:
    province = province.strip().casefold().replace(" ", "-")
    if province not in PROVINCES:
        raise CalendarError("calendar.bad_province", province=province)
    row = await session.get(DistrictCalendar, district_id)
    if row is None:
        row = DistrictCalendar(district_id=district_id, province=province, updated_at=now)
        session.add(row)
    row.province, row.updated_at = province, now
    await session.flush()


async def province_of(session: AsyncSession, district_id: int) -> str | None:
    row = await session.get(DistrictCalendar, district_id)
    return row.province if row else None


def _audit(session, scope: Scope, action: str, days: list[date], now: datetime) -> None:
    audit.record(
        session,
        at=now,
        action=action,
        actor="cli",
        kkg_id=scope.kkg.id if scope.kkg else None,
        details={"district": scope.district_id, "from": str(days[0]), "to": str(days[-1])},
    )


async def find_district_id(session: AsyncSession, text: str) -> int | None:
    wanted = " ".join(str(text).split()).casefold()
    for district in await session.scalars(select(District)):
        if district.name.casefold() == wanted or str(district.id) == wanted:
            return district.id
    return None
