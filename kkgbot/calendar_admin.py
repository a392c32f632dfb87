"""`python bot.py admin calendar ...`: a district's or KKG's own days off and its province.

The district office knows its local holidays and its province's kalender pendidikan
better than any data file; these commands let it say so without a programmer.
"""

from __future__ import annotations

import argparse

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.people import kkgs
from kkgbot.school_calendar import days as calendar_days
from kkgbot.school_calendar.data import year_data
from kkgbot.school_calendar.days import CalendarError, Scope


async def _scope(session: AsyncSession, args: argparse.Namespace) -> Scope:
    if getattr(args, "kkg", None):
        kkg = await kkgs.find_kkg(session, args.kkg)
        if kkg is None:
            raise CalendarError("admin.kkg_not_found", kkg=args.kkg)
        return Scope(kkg.district_id, kkg)
    district_id = await calendar_days.find_district_id(session, args.district)
    if district_id is None:
        raise CalendarError("calendar.district_not_found", district=args.district)
    return Scope(district_id)


async def run(session: AsyncSession, args: argparse.Namespace, lang: str, now) -> int:
    """Prints the outcome; raises CalendarError for input the office should correct."""
    cmd = args.calendar_command
    if cmd == "province":
        district_id = await calendar_days.find_district_id(session, args.district)
        if district_id is None:
            raise CalendarError("calendar.district_not_found", district=args.district)
        await calendar_days.set_province(session, district_id, args.province, now)
        print(i18n.t(lang, "calendar.province_set", province=args.province.strip().casefold()))
        return 0
    if cmd == "week":  # counts the school days before "tried it in class?" (issue 18)
        kkg = (await _scope(session, args)).kkg
        assert kkg is not None
        kkg.school_week_days = args.days
        print(i18n.t(lang, "calendar.week_set", kkg=kkg.name, days=args.days))
        return 0
    scope = await _scope(session, args)
    where = scope.kkg.name if scope.kkg else args.district
    if cmd == "list":
        year = args.year or now.year
        for day in await calendar_days.list_days(session, scope, year):
            origin = i18n.t(lang, f"calendar.origin.{day.origin}")
            print(f"{day.day.isoformat()}  {day.name}  ({origin})")
        data = year_data(year)
        note = "calendar.list_provisional" if data and data.provisional else "calendar.list_no_file"
        print(i18n.t(lang, note, year=year, source=data.source if data else ""))
        return 0
    first = calendar_days.parse_day(args.date)
    last = calendar_days.parse_day(args.to) if args.to else None
    span = calendar_days.span(first, last)
    if cmd == "add":
        count = await calendar_days.add_days(session, scope, span, args.name, now)
        print(i18n.t(lang, "calendar.added", count=count, where=where))
    else:
        name = args.name or i18n.t(lang, "calendar.school_day")
        count = await calendar_days.remove_days(session, scope, span, name, now)
        print(i18n.t(lang, "calendar.removed", count=count, where=where))
    return 0
