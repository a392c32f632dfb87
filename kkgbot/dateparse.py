"""Parse the meeting dates and times teachers type, in Indonesian or English.

dateparser alone is not safe for Indonesian: it silently drops the time in "besok jam
14.30", returns nothing for "Sabtu depan" or "lusa", and cannot tell "31 Februari" (a
mistake worth naming) from gibberish. So this module does the work it can do reliably
itself -- the clock time, time-of-day words, zone suffixes, relative days, day names and
ordinary date shapes -- and hands only what is left over to dateparser. Whatever path is
taken, the returned wall-clock time is checked against the time that was written, so a
wrong time is refused ("time_lost") instead of booked.

Nothing here reads the system clock: `now` comes from the bot's (possibly simulated) clock.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kkgbot import dateparse_words as words

MAX_INPUT_CHARS = 100  # longer text is not a date; also keeps dateparser's cost bounded

_DAY_RE = "|".join(sorted(words.WEEKDAYS, key=len, reverse=True))
_MONTH_RE = "|".join(sorted(words.MONTHS, key=len, reverse=True))
_AMPM = r"(?:\s*(?P<ampm>am|pm|a\.m\.?|p\.m\.?)(?![a-z]))?"
_PREFIX = r"(?:\bjam|\bpukul|\bpkl\.?|\bpk\.?|\bat|@)"
# Clock-time shapes, most specific first. The bare "09.00" shape refuses to touch digits,
# dots, colons or slashes on either side so that "5.12.2026" stays a date.
_TIME_PATTERNS = (
    re.compile(rf"(?:{_PREFIX}\s*)?\bsetengah\s*(?P<half>\d{{1,2}})(?!\d)"),
    re.compile(rf"{_PREFIX}\s*(?P<h>\d{{1,2}})(?:[.:](?P<m>\d{{2}}))?(?![\d.:]){_AMPM}"),
    re.compile(rf"(?<![\d.:/])(?P<h>\d{{1,2}})[.:](?P<m>\d{{2}})(?![\d.:/]){_AMPM}"),
    re.compile(r"\b(?P<h>\d{1,2})\s*(?P<ampm>am|pm|a\.m\.?|p\.m\.?)(?![a-z])"),
    re.compile(r"\b(?P<h>\d{1,2})(?=\s+(?:pagi|siang|sore|malam|subuh|petang)\b)"),
)
# "09.00 - 11.00", "09.00 s.d. selesai": a meeting is booked at its start time.
_RANGE_TAIL = re.compile(
    r"\s*(?:-|–|—|s\.?d\.?|s/d|sampai(?: dengan)?|hingga|to|until)\s*"
    r"(?:selesai|(?:jam|pukul|pkl\.?)?\s*\d{1,2}(?:[.:]\d{2})?(?:\s*(?:am|pm))?)"
)
_ZONE_RE = re.compile(r"\b(wita|wib|wit)\b")
_PERIOD_RE = re.compile(r"\b(" + "|".join(words.PERIODS) + r")\b")
_OFFSETS = (  # relative-day phrases; "lusa" before "besok" so "besok lusa" is one phrase
    (re.compile(r"\b(?:besok lusa|lusa|day after tomorrow)\b"), 2),
    (re.compile(r"\b(?:besok|besuk|tomorrow)\b"), 1),
    (re.compile(r"\b(?:hari ini|today|nanti)\b"), 0),
)
_IN_N_RE = re.compile(
    r"\b(\d{1,2}|se|satu|dua|tiga|empat|lima|enam|tujuh)\s*(hari|minggu|pekan)\s+lagi\b"
)
_NEXT_WEEK_RE = re.compile(r"\b(?:(?:minggu|pekan) depan|next week)\b")
_WEEKDAY_RE = re.compile(
    rf"\b(?:(?P<pre>next|this)\s+)?(?P<day>{_DAY_RE})(?:\s+(?P<post>depan|ini))?\b"
)
_MALAM_DAY_RE = re.compile(
    r"\bmalam (senin|selasa|rabu|kamis|jumat|jumaat|sabtu|minggu|ahad)( depan| ini)?\b"
)
_DATE_PATTERNS = (  # matched against the whole leftover text; day always before month
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}|\d{2}))?"),
    re.compile(rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?P<mn>{_MONTH_RE})\.?(?: (?P<y>\d{{4}}))?"),
    re.compile(rf"(?P<mn>{_MONTH_RE})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?: (?P<y>\d{{4}}))?"),
    re.compile(r"(?P<d>\d{1,2})"),  # "tanggal 5": the next 5th
)


@dataclass(frozen=True)
class ParsedWhen:
    """A moment the user wrote, in their zone and in UTC (what the database stores)."""

    local: datetime
    utc: datetime
    has_time: bool = True  # False only for date-only input accepted with require_time=False


class DateParseError(ValueError):
    """Why a text was refused; `reason` is a stable key the handlers translate.

    `understood` is the local time we did understand (for "past" and "outside_hours"),
    so the reply can say "Anda menulis Senin 09.00, itu sudah lewat" rather than just "no".
    """

    def __init__(self, reason: str, message: str, understood: datetime | None = None) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.understood = understood


def parse_when(
    text: str,
    *,
    now: datetime,
    tz: str,
    require_time: bool = True,
    earliest_hour: int = 5,
    latest_hour: int = 22,
    allow_past: bool = False,
) -> ParsedWhen:
    """Parse `text` as a meeting moment in zone `tz`, relative to the aware `now`.

    Accepted local times run from `earliest_hour`:00 up to and including `latest_hour`:00.
    Raises DateParseError with reason unparsed / impossible_date / time_lost / time_missing /
    outside_hours / past. Bad arguments (naive `now`, unknown zone) raise plain ValueError,
    since they are programming errors rather than user input.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = _zone(tz)
    s = _normalise(text)
    s, written_zone = _take_zone(s, zone)
    s, written = _take_time(s)
    s, period = _take_period(s)
    clock = _apply_period(written, period) if written is not None else None
    now_written = now.astimezone(written_zone)
    day = _resolve_date(s, now_written, clock)
    if clock is None:
        if require_time:
            raise DateParseError("time_missing", "no clock time was written")
        local = datetime.combine(day, time(0), zone)
        if day < now.astimezone(zone).date() and not allow_past:
            raise DateParseError("past", f"{day.isoformat()} has passed", local)
        return ParsedWhen(local=local, utc=local.astimezone(UTC), has_time=False)

    wall = datetime.combine(day, clock, written_zone)
    if wall.astimezone(UTC).astimezone(written_zone).replace(tzinfo=None) != wall.replace(
        tzinfo=None
    ):
        raise DateParseError("impossible_date", f"{wall:%Y-%m-%d %H:%M} does not exist (DST gap)")
    local = wall.astimezone(zone)
    if local.astimezone(written_zone).time() != clock:  # the one invariant that matters
        raise DateParseError("time_lost", f"wrote {clock:%H:%M}, understood {local:%H:%M}", local)
    minutes = local.hour * 60 + local.minute
    if not earliest_hour * 60 <= minutes <= latest_hour * 60:
        raise DateParseError("outside_hours", f"{local:%H:%M} is outside working hours", local)
    if local <= now and not allow_past:
        raise DateParseError("past", f"{local:%Y-%m-%d %H:%M} has passed", local)
    return ParsedWhen(local=local, utc=local.astimezone(UTC))


def describe_local(dt_local: datetime, lang: str = "id") -> str:
    """Say a moment back to the user, e.g. "Sabtu, 5 Desember 2026 pukul 09.00 WITA".

    Echoing the full date with the day name lets the user catch a misunderstanding
    ("Sabtu depan" meaning a different Saturday) before anything is booked.
    """
    if dt_local.tzinfo is None:
        raise ValueError("dt_local must be timezone-aware")
    zone = words.ZONE_ABBREVIATIONS.get(getattr(dt_local.tzinfo, "key", ""), "")
    if not zone:
        offset = dt_local.utcoffset() or timedelta(0)
        sign, total = (
            ("-" if offset < timedelta(0) else "+"),
            abs(int(offset.total_seconds())) // 60,
        )
        hours, mins = divmod(total, 60)
        zone = f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")
    if lang.lower().startswith("id"):
        day, month = (
            words.DAY_NAMES_ID[dt_local.weekday()],
            words.MONTH_NAMES_ID[dt_local.month - 1],
        )
        return f"{day}, {dt_local.day} {month} {dt_local.year} pukul {dt_local:%H.%M} {zone}"
    day, month = words.DAY_NAMES_EN[dt_local.weekday()], words.MONTH_NAMES_EN[dt_local.month - 1]
    return f"{day}, {dt_local.day} {month} {dt_local.year} at {dt_local:%H:%M} {zone}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def _unparsed(message: str) -> DateParseError:
    return DateParseError("unparsed", message)


def _normalise(text: str) -> str:
    """Lower-case ASCII with single spaces; drops emoji, apostrophes and punctuation noise."""
    if not isinstance(text, str) or len(text) > MAX_INPUT_CHARS:
        raise _unparsed("empty or too long to be a date")
    s = unicodedata.normalize("NFKC", text).lower()
    s = re.sub(r"['’‘`]", "", s)  # jum'at -> jumat
    s = s.replace("tonight", "today night")
    s = re.sub(r"(\d)t(\d)", r"\1 \2", s)  # ISO 2026-12-05T09:00
    s = re.sub(r"(\d)(wita|wib|wit)\b", r"\1 \2", s)  # "09.00WIB"
    s = re.sub(r"[^a-z0-9./:@\-–—\s]", " ", s)
    s = _MALAM_DAY_RE.sub(_malam_day, s)
    s = re.sub(r"\s+", " ", s).strip(" .-")
    if not re.search(r"[a-z0-9]", s):
        raise _unparsed("no letters or digits")
    return s


def _malam_day(m: re.Match[str]) -> str:
    """ "malam Minggu" is Saturday night: rewrite it as "sabtu malam" (keeping "depan")."""
    previous = words.DAY_NAMES_ID[(words.WEEKDAYS[m.group(1)] - 1) % 7].lower()
    return f"{previous}{m.group(2) or ''} malam"


def _take_zone(s: str, default: ZoneInfo) -> tuple[str, ZoneInfo]:
    found = {m.group(1) for m in _ZONE_RE.finditer(s)}
    if len(found) > 1:
        raise _unparsed("more than one zone written")
    if not found:
        return s, default
    return _ZONE_RE.sub(" ", s), ZoneInfo(words.WRITTEN_ZONES[found.pop()])


def _take_time(s: str) -> tuple[str, tuple[int, int, str | None] | None]:
    """Cut the clock time out of `s`; return the rest and (hour, minute, am/pm) as written."""
    for pattern in _TIME_PATTERNS:
        m = pattern.search(s)
        if m is None:
            continue
        g = m.groupdict()
        if g.get("half") is not None:  # "setengah 10" is half past nine
            hour, minute = int(g["half"]) - 1, 30
        else:
            hour, minute = int(g["h"]), int(g.get("m") or 0)
        ampm = (g.get("ampm") or "")[:1] or None
        end = m.end()
        tail = _RANGE_TAIL.match(s, end)
        if tail:
            end = tail.end()
        rest = f"{s[: m.start()]} {s[end:]}"
        if any(p.search(rest) for p in _TIME_PATTERNS):
            raise _unparsed("more than one time written")
        return rest, (hour, minute, ampm)
    return s, None


def _take_period(s: str) -> tuple[str, str | None]:
    found = {words.PERIODS[m.group(1)] for m in _PERIOD_RE.finditer(s)}
    if len(found) > 1:
        raise _unparsed("contradicting time-of-day words")
    return _PERIOD_RE.sub(" ", s), (found.pop() if found else None)


def _apply_period(written: tuple[int, int, str | None], period: str | None) -> time:
    """Turn a written 12-hour time plus am/pm or pagi/siang/sore/malam into a 24-hour time.

    Indonesian "jam 2 siang" is 14:00 but "jam 11 siang" is 11:00, and "jam 2 malam" is
    02:00; a bare "jam 2" is taken literally (02:00) so that working-hour checks catch it
    rather than us guessing the afternoon.
    """
    hour, minute, ampm = written
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise DateParseError("impossible_date", f"{hour}:{minute:02d} is not a clock time")
    if ampm is not None:
        if hour > 12 or hour == 0:
            raise DateParseError("impossible_date", f"{hour} {ampm}m is not a clock time")
        hour = hour % 12 + (12 if ampm == "p" else 0)
    elif period is not None and hour <= 12:
        if period == "siang" and 1 <= hour <= 6 or period == "sore" and hour < 12:
            hour += 12
        elif period == "malam":
            hour = 0 if hour == 12 else hour if hour <= 4 else hour + 12
    return time(hour, minute)


def clock_with_period(hour: int, minute: int, period: str) -> time:
    """ "3 siang" -> 15:00, "3 pm" -> 15:00: the same reading as a start time, for the
    end of a range."""
    if period in ("am", "pm"):
        return _apply_period((hour, minute, period[0]), None)
    return _apply_period((hour, minute, None), period)


def _resolve_date(s: str, now: datetime, clock: time | None) -> date:
    """Find the calendar day in what is left after the time was cut out."""
    original, today = re.sub(r"\s+", " ", s).strip(), now.date()
    offset: int | None = None
    for pattern, days in _OFFSETS:
        if pattern.search(s):
            if offset is not None:
                raise _unparsed("two relative days written")
            offset, s = days, pattern.sub(" ", s)
    if m := _IN_N_RE.search(s):
        n = int(m.group(1)) if m.group(1).isdigit() else words.NUMBER_WORDS[m.group(1)]
        offset = (offset or 0) + n * (1 if m.group(2) == "hari" else 7)
        s = _IN_N_RE.sub(" ", s)
    next_week = False
    if m := _NEXT_WEEK_RE.search(s):
        rest = f"{s[: m.start()]} {s[m.end() :]}"
        # "Rabu minggu depan" is a day next week; a lone "Minggu depan" is next Sunday.
        if m.group(0) != "minggu depan" or _WEEKDAY_RE.search(rest):
            next_week, s = True, rest
    weekday, mode = None, "this"
    days_found = list(_WEEKDAY_RE.finditer(s))
    if len({words.WEEKDAYS[d.group("day")] for d in days_found}) > 1:
        raise _unparsed("two different day names")
    if days_found:
        d = days_found[0]
        weekday = words.WEEKDAYS[d.group("day")]
        mode = "next" if d.group("pre") == "next" or d.group("post") == "depan" else "this"
        s = _WEEKDAY_RE.sub(" ", s)
    rest = " ".join(w for w in s.split() if w not in words.FILLERS)

    if rest:
        day = _absolute_date(rest, today)
        if day is None:
            return _dateparser_date(original, now, clock)
    elif next_week:
        if weekday is None:
            raise _unparsed("next week, but which day?")
        day = today - timedelta(days=today.weekday() - 7 - weekday)
    elif offset is not None:
        day = today + timedelta(days=offset)
    elif weekday is not None:
        ahead = (weekday - today.weekday()) % 7
        if ahead == 0 and (mode == "next" or (clock is not None and clock <= now.time())):
            ahead = 7  # "Sabtu jam 9" said on Saturday at 10:00 means next Saturday
        day = today + timedelta(days=ahead)
    else:
        day = today  # only a time was written: today at that time
    if weekday is not None and day.weekday() != weekday:
        raise DateParseError("impossible_date", f"{day.isoformat()} is not that day of the week")
    if offset is not None and day != today + timedelta(days=offset) or next_week and rest:
        raise DateParseError("impossible_date", "relative day contradicts the date")
    return day


def _absolute_date(text: str, today: date) -> date | None:
    """Match the usual date shapes (day first); None if `text` is not one of them.

    A missing year means the next such date (this year or next); a missing month, the
    next such day of the month. Impossible dates are named, not passed on to dateparser.
    """
    for pattern in _DATE_PATTERNS:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        g = m.groupdict()
        day_n = int(g["d"])
        if g.get("mn") or g.get("m"):
            month = words.MONTHS[g["mn"]] if g.get("mn") else int(g["m"])
            if g.get("y"):
                year = int(g["y"]) + (2000 if len(g["y"]) == 2 else 0)
            else:
                year = today.year + (1 if (month, day_n) < (today.month, today.day) else 0)
        else:
            year, month = today.year, today.month
            if day_n < today.day:
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        try:
            return date(year, month, day_n)
        except ValueError:
            raise DateParseError(
                "impossible_date", f"{day_n}/{month}/{year} does not exist"
            ) from None
    return None


def _dateparser_date(text: str, now: datetime, clock: time | None) -> date:
    """Last resort for phrasings we do not model ("dalam 3 hari", "in 2 weeks").

    The written time goes in too, in the one shape dateparser reliably reads (HH:MM), and
    what comes back must carry that same time -- otherwise dateparser has misread the phrase.
    """
    import dateparser  # imported here: slow to load, and most inputs never need it

    query = f"{text} {clock:%H:%M}" if clock is not None else text
    settings = {
        "TIMEZONE": str(now.tzinfo),
        "RETURN_AS_TIMEZONE_AWARE": True,
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
    }
    try:
        result = dateparser.parse(query, languages=["id", "en"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        result = None
    if result is None or abs(result.year - now.year) > 2:  # "99" is not the year 2099
        raise _unparsed(f"cannot read a date in {text!r}")
    result = result.astimezone(now.tzinfo)
    if clock is not None and (result.hour, result.minute) != (clock.hour, clock.minute):
        raise DateParseError(
            "time_lost", f"wrote {clock:%H:%M}, dateparser gave {result:%H:%M}", result
        )
    return result.date()
