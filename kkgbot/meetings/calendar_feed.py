"""Meetings as iCalendar: the `.ics` sent with each announcement, and a per-KKG feed.

Times carry the KKG's zone (TZID with a VTIMEZONE), so a phone set to another zone still
shows the meeting at the right moment; the UID stays the same across edits and SEQUENCE
grows, so calendars update the event instead of adding a second one. The feed lives at
`/calendar/<token>.ics` once the web server runs (issue 9): the token is random and long,
so the URL can be shared with members and not guessed by anyone else.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg
from kkgbot.meetings.models import CalendarFeed, Meeting
from kkgbot.meetings.service import ends_at

if TYPE_CHECKING:
    import icalendar

PRODID = "-//KKG Bot//kkgbot//ID"
FEED_PAST = timedelta(days=90)  # how far back the feed keeps meetings
ICS_MIME = "text/calendar"


def uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}@kkgbot"


def _calendar(name: str | None = None, method: str | None = None) -> icalendar.Calendar:
    import icalendar  # loaded for the first invitation or feed, not at the bot's start-up

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _event(
    meeting: Meeting, kkg: Kkg, lang: str, offsets_hours: list[float], now: datetime
) -> icalendar.Event:
    import icalendar

    zone = ZoneInfo(kkg.timezone)
    event = icalendar.Event()
    event.add("uid", uid(meeting))
    event.add("dtstamp", now)
    event.add("sequence", meeting.sequence)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", ends_at(meeting).astimezone(zone))
    event.add("summary", meeting.title)
    event.add("location", meeting.place)
    lines = [kkg.name]
    if meeting.agenda:
        lines.append(i18n.t(lang, "meetings.ics_agenda", agenda=meeting.agenda))
    if meeting.narasumber_name:
        lines.append(i18n.t(lang, "meetings.ics_narasumber", name=meeting.narasumber_name))
    event.add("description", "\n".join(lines))
    if meeting.place.startswith(("http://", "https://")):
        event.add("url", meeting.place)
    if meeting.cancelled_at is not None:
        event.add("status", "CANCELLED")
        return event
    event.add("status", "CONFIRMED")
    for hours in sorted(set(offsets_hours), reverse=True):
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", meeting.title)
        alarm.add("trigger", timedelta(hours=-hours))
        event.add_component(alarm)
    return event


def meeting_ics(
    meeting: Meeting, kkg: Kkg, *, lang: str, offsets_hours: list[float], now: datetime
) -> bytes:
    """One meeting (or its cancellation) as a file a phone calendar imports."""
    method = "CANCEL" if meeting.cancelled_at is not None else "PUBLISH"
    cal = _calendar(method=method)
    cal.add_component(_event(meeting, kkg, lang, offsets_hours, now))
    cal.add_missing_timezones()
    return cal.to_ical()


def ics_name(meeting: Meeting) -> str:
    return f"rapat-{meeting.id}.ics"


async def feed_token(session: AsyncSession, kkg_id: int, now: datetime) -> str:
    """The KKG's feed token, made on first use."""
    row = await session.get(CalendarFeed, kkg_id)
    if row is None:
        row = CalendarFeed(kkg_id=kkg_id, token=secrets.token_urlsafe(24), created_at=now)
        session.add(row)
        await session.flush()
    return row.token


async def renew_token(session: AsyncSession, kkg_id: int, now: datetime) -> str:
    """A new token for the KKG's feed (the old URL stops working), e.g. after it leaked."""
    row = await session.get(CalendarFeed, kkg_id)
    if row is None:
        return await feed_token(session, kkg_id, now)
    row.token, row.created_at = secrets.token_urlsafe(24), now
    await session.flush()
    return row.token


async def kkg_for_token(session: AsyncSession, token: str) -> Kkg | None:
    """The KKG a feed URL belongs to; None for an unknown token (the route answers 404)."""
    if not token or len(token) > 64:
        return None
    kkg_id = await session.scalar(select(CalendarFeed.kkg_id).where(CalendarFeed.token == token))
    return await session.get(Kkg, kkg_id) if kkg_id is not None else None


def feed_path(token: str) -> str:
    return f"/calendar/{token}.ics"


async def build_feed(
    session: AsyncSession, kkg: Kkg, *, now: datetime, offsets_hours: list[float], lang: str = "id"
) -> bytes:
    """The KKG's meetings from 90 days back onwards, cancelled ones marked CANCELLED."""
    cal = _calendar(name=kkg.name)
    cal.add("x-wr-timezone", kkg.timezone)
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    meetings = await session.scalars(
        select(Meeting)
        .where(Meeting.kkg_id == kkg.id, Meeting.starts_at >= now - FEED_PAST)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    for meeting in meetings:
        cal.add_component(_event(meeting, kkg, lang, offsets_hours, now))
    cal.add_missing_timezones()
    return cal.to_ical()
