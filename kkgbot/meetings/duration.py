"""How long a meeting lasts: read from what a koordinator writes, and kept inside the day.

Teachers write durations many ways ("90 menit", "1,5 jam", "2 jam 30 menit") or give the
end right after the start ("09.00-11.30"). Everything is turned into whole minutes here,
so the schedule and edit conversations, the one-line command and the tests agree. A
meeting must end by 22:00 in the KKG's zone on the day it starts: members travel home
after it, and reminders and check-in assume one evening at most.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from kkgbot.dateparse import clock_with_period
from kkgbot.meetings.service import MeetingError

MIN_MINUTES = 30
MAX_MINUTES = 8 * 60  # a full workshop day; "13 jam" is a typo, not a meeting
CHOICES = (60, 120, 180, 240)  # the buttons: 1 jam .. 4 jam
LATEST_END = time(22, 0)

_NUMBER_WORDS = {
    "satu": "1",
    "dua": "2",
    "tiga": "3",
    "empat": "4",
    "lima": "5",
    "enam": "6",
    "tujuh": "7",
    "delapan": "8",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
}
_HOURS = r"(?:jam|j|hours?|hrs?|h)"
_MINUTES = r"(?:menit|mnt|m|minutes?|mins?)"
_SHAPE = re.compile(
    rf"^(?:(?P<h>\d{{1,4}}(?:\.\d{{1,3}})?)\s*{_HOURS})?\s*(?:(?P<m>\d{{1,5}})\s*{_MINUTES})?$"
)
_TO = r"(?:-|–|—|s\.?d\.?|s/d|sampai|hingga|to|until)"
_RANGE = re.compile(
    # the start: "jam 9", "pukul 9.30" or a clock time "09.00" (not the tail of a date)
    r"(?:\b(?:jam|pukul|pkl\.?|at)\s*(?P<h1>\d{1,2})(?:[.:](?P<m1>\d{2}))?"
    r"|(?<![\d.:/-])(?P<h1c>\d{1,2})[.:](?P<m1c>\d{2}))"
    # then "-", "s.d.", "sampai" ... and the end, with its part of the day if written
    rf"\s*{_TO}\s*(?:(?:jam|pukul)\s*)?(?P<h2>\d{{1,2}})(?:[.:](?P<m2>\d{{2}}))?"
    r"\s*(?P<period>pagi|siang|sore|malam|am|pm)?\s*(?:wib|wita|wit)?\s*$",
    re.IGNORECASE,
)


def _normalise(text: str) -> str:
    words = " ".join(str(text).casefold().replace(",", ".").split())
    numbers = "|".join(["\\d+", *_NUMBER_WORDS])
    words = re.sub(
        rf"\b({numbers}) setengah\b", lambda m: f"{_NUMBER_WORDS.get(m[1], m[1])}.5", words
    )
    words = re.sub(r"\bsetengah\b|\bhalf an?\b|\bhalf\b", "0.5", words)
    words = re.sub(r"\b[a-z]+\b", lambda m: _NUMBER_WORDS.get(m[0], m[0]), words)
    words = re.sub(r"\b(dan|and|lebih)\b", " ", words)
    return " ".join(words.split())


def check_minutes(minutes: int) -> int:
    if minutes < MIN_MINUTES:
        raise MeetingError("meetings.duration_too_short", min=MIN_MINUTES)
    if minutes > MAX_MINUTES:
        raise MeetingError("meetings.duration_too_long", max=MAX_MINUTES // 60)
    return minutes


def parse_duration(text: str | int) -> int:
    """Minutes from "90 menit", "1,5 jam", "2 jam 30 menit", "2 hours" or a button's value.

    A bare number is hours up to 8 ("2") and minutes from 30 ("90"); anything else is
    refused with an example rather than guessed.
    """
    if isinstance(text, int):
        return check_minutes(text)
    words = _normalise(text)
    if re.fullmatch(r"\d{1,5}(?:\.\d{1,3})?", words):
        number = float(words)
        if number <= MAX_MINUTES // 60:
            return check_minutes(round(number * 60))
        if number >= MIN_MINUTES and number.is_integer():
            return check_minutes(int(number))
        raise MeetingError("meetings.duration_invalid")
    found = _SHAPE.match(words) if words else None
    if found is None or not (found["h"] or found["m"]):
        raise MeetingError("meetings.duration_invalid")
    minutes = round(float(found["h"] or 0) * 60) + int(found["m"] or 0)
    return check_minutes(minutes)


def split_range(text: str) -> tuple[str, tuple[int, int] | None]:
    """ "2026-12-05 09:00-11:30" -> ("2026-12-05 09:00", (11, 30)); no range -> (text, None).

    "jam 1-3 siang" -> ("jam 1:00 siang", (15, 0)): a part of the day written once, after
    the end, is meant for both times, as people say it.
    """
    text = str(text)
    found = _RANGE.search(text)
    if found is None:
        return text, None
    hour, minute = found["h1"] or found["h1c"], found["m1"] or found["m1c"] or "00"
    period = (found["period"] or "").casefold()
    if period in ("am", "pm") and not 1 <= int(found["h2"]) <= 12:
        raise MeetingError("meetings.duration_end_invalid")  # "at 9-13 pm"
    start_text = text[: found.start()] + f"{hour}:{minute}" + (f" {period}" if period else "")
    end = int(found["h2"]), int(found["m2"] or 0)
    if period and 0 <= end[0] <= 12 and 0 <= end[1] <= 59:
        clock = clock_with_period(*end, period)
        end = clock.hour, clock.minute
    return start_text, end


def minutes_until(start: datetime, end_clock: tuple[int, int], zone: str) -> int:
    """The length of a meeting from its start to an end time on the same local day."""
    hour, minute = end_clock
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise MeetingError("meetings.duration_end_invalid")
    start_local = start.astimezone(ZoneInfo(zone))
    end_local = start_local.replace(hour=hour, minute=minute)
    afternoon = end_local + timedelta(hours=12)
    if (
        end_local <= start_local
        and hour < 12
        and start_local < afternoon <= start_local + (timedelta(minutes=MAX_MINUTES))
    ):
        end_local = afternoon  # "13.00-15" written "13.00-3": an end on the 12-hour clock
    if end_local <= start_local:
        raise MeetingError("meetings.duration_end_before_start")
    return check_minutes(int((end_local - start_local).total_seconds() // 60))


def check_end(start: datetime, minutes: int, zone: str) -> None:
    """The end stays on the start's day and no later than 22:00 in the KKG's zone."""
    start_local = start.astimezone(ZoneInfo(zone))
    end_local = (start + timedelta(minutes=minutes)).astimezone(ZoneInfo(zone))
    latest = start_local.replace(
        hour=LATEST_END.hour, minute=LATEST_END.minute, second=0, microsecond=0
    )
    if end_local > latest:
        raise MeetingError(
            "meetings.duration_ends_too_late",
            end=f"{end_local:%H.%M}",
            start=f"{start_local:%H.%M}",
            minutes=minutes,
        )


def duration_text(minutes: int, lang: str) -> str:
    """ "2 jam 30 menit" / "2 hours 30 minutes": for a button, a summary and a notice."""
    hours, rest = divmod(minutes, 60)
    if lang == "id":
        parts = ([f"{hours} jam"] if hours else []) + ([f"{rest} menit"] if rest else [])
    else:
        plural = {True: "s", False: ""}
        parts = ([f"{hours} hour{plural[hours != 1]}"] if hours else []) + (
            [f"{rest} minute{plural[rest != 1]}"] if rest else []
        )
    return " ".join(parts)
