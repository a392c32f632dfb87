"""Tests for kkgbot.dateparse: what teachers type, and what we must refuse.

Base clock: Tuesday 2026-12-01 08:00 WITA (Asia/Makassar), as in the field notes.
"""

from __future__ import annotations

import time as systime
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from kkgbot.dateparse import DateParseError, ParsedWhen, describe_local, parse_when

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"


def at(tz: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(tz))


NOW = at(WITA, 2026, 12, 1, 8, 0)  # a Tuesday


def wall(result: ParsedWhen) -> tuple[int, int, int, int, int]:
    local = result.local
    return (local.year, local.month, local.day, local.hour, local.minute)


ACCEPTED = [
    # absolute dates
    ("5 Desember 2026 09.00", (2026, 12, 5, 9, 0)),
    ("5 Desember 2026 pukul 09.00", (2026, 12, 5, 9, 0)),
    ("5 Des 2026 jam 9", (2026, 12, 5, 9, 0)),
    ("Senin, 7 Desember 2026 pukul 08.00", (2026, 12, 7, 8, 0)),
    ("2026-12-05 09:00", (2026, 12, 5, 9, 0)),
    ("2026-12-05T09:00", (2026, 12, 5, 9, 0)),
    ("05/12/2026 09:00", (2026, 12, 5, 9, 0)),
    ("5-12-2026 09.00", (2026, 12, 5, 9, 0)),
    ("5/12/26 09.00", (2026, 12, 5, 9, 0)),
    ("5/12 09.00", (2026, 12, 5, 9, 0)),
    ("30/11 09.00", (2027, 11, 30, 9, 0)),  # already passed this year -> next year
    ("1/12 10.00", (2026, 12, 1, 10, 0)),  # today, later
    ("tanggal 5 jam 9", (2026, 12, 5, 9, 0)),
    ("tgl 5 Desember jam 9", (2026, 12, 5, 9, 0)),
    ("Sabtu, 5-12-2026 pkl. 09.00 WITA", (2026, 12, 5, 9, 0)),
    # relative days
    ("besok 14:30", (2026, 12, 2, 14, 30)),
    ("besok jam 14.30", (2026, 12, 2, 14, 30)),
    ("jam 9 besok", (2026, 12, 2, 9, 0)),
    ("lusa jam 10", (2026, 12, 3, 10, 0)),
    ("hari ini jam 15", (2026, 12, 1, 15, 0)),
    ("jam 15", (2026, 12, 1, 15, 0)),
    ("3 hari lagi jam 14.30", (2026, 12, 4, 14, 30)),
    ("seminggu lagi jam 9", (2026, 12, 8, 9, 0)),
    ("rapat besok jam 9 ya", (2026, 12, 2, 9, 0)),
    # day names
    ("Sabtu depan jam 9", (2026, 12, 5, 9, 0)),
    ("Sabtu depan 09.00", (2026, 12, 5, 9, 0)),
    ("sabtu jam 9", (2026, 12, 5, 9, 0)),
    ("minggu depan Rabu jam 13.00", (2026, 12, 9, 13, 0)),
    ("Rabu minggu depan jam 13.00", (2026, 12, 9, 13, 0)),
    ("Senin jam 9", (2026, 12, 7, 9, 0)),
    ("Selasa jam 9", (2026, 12, 1, 9, 0)),  # today, still ahead
    ("Selasa jam 7", (2026, 12, 8, 7, 0)),  # today's 07:00 has gone: next Tuesday
    ("Rabu jam 9", (2026, 12, 2, 9, 0)),
    ("Kamis jam 9", (2026, 12, 3, 9, 0)),
    ("Jumat jam 9", (2026, 12, 4, 9, 0)),
    ("Jum'at jam 9", (2026, 12, 4, 9, 0)),
    ("Jum’at jam 9", (2026, 12, 4, 9, 0)),
    ("Minggu jam 9", (2026, 12, 6, 9, 0)),
    ("Ahad jam 9", (2026, 12, 6, 9, 0)),
    ("Minggu depan jam 9", (2026, 12, 6, 9, 0)),  # lone "Minggu depan" = next Sunday
    ("malam minggu jam 7", (2026, 12, 5, 19, 0)),  # Saturday night
    # time-of-day words and shapes
    ("besok jam 9 pagi", (2026, 12, 2, 9, 0)),
    ("besok jam 2 siang", (2026, 12, 2, 14, 0)),
    ("besok jam 11 siang", (2026, 12, 2, 11, 0)),
    ("besok jam 4 sore", (2026, 12, 2, 16, 0)),
    ("besok jam 7 malam", (2026, 12, 2, 19, 0)),
    ("besok jam 12 siang", (2026, 12, 2, 12, 0)),
    ("besok pagi jam 9", (2026, 12, 2, 9, 0)),
    ("nanti sore jam 4", (2026, 12, 1, 16, 0)),
    ("besok 10 pagi", (2026, 12, 2, 10, 0)),
    ("jam setengah 10 besok", (2026, 12, 2, 9, 30)),
    ("besok 09.00-11.00 WITA", (2026, 12, 2, 9, 0)),
    ("besok pukul 09.00 s.d. selesai", (2026, 12, 2, 9, 0)),
    # written zones (tz is WITA)
    ("besok pukul 08.30 WITA", (2026, 12, 2, 8, 30)),
    ("besok pukul 08.30 WIB", (2026, 12, 2, 9, 30)),
    ("besok pukul 08.30 WIT", (2026, 12, 2, 7, 30)),
    ("besok 08.30WIB", (2026, 12, 2, 9, 30)),
    # months
    ("5 Jan 2027 jam 9", (2027, 1, 5, 9, 0)),
    ("5 Pebruari 2027 jam 9", (2027, 2, 5, 9, 0)),
    ("5 Agu 2027 jam 9", (2027, 8, 5, 9, 0)),
    ("5 Agt 2027 jam 9", (2027, 8, 5, 9, 0)),
    ("5 Agustus 2027 jam 9", (2027, 8, 5, 9, 0)),
    ("5 Okt 2027 jam 9", (2027, 10, 5, 9, 0)),
    ("5 Nop 2027 jam 9", (2027, 11, 5, 9, 0)),
    ("5 Nov 2027 jam 9", (2027, 11, 5, 9, 0)),
    ("29 Februari 2028 jam 9", (2028, 2, 29, 9, 0)),
    # English
    ("tomorrow 2:30 pm", (2026, 12, 2, 14, 30)),
    ("tomorrow at 9am", (2026, 12, 2, 9, 0)),
    ("tonight 7pm", (2026, 12, 1, 19, 0)),
    ("next Saturday 9:00", (2026, 12, 5, 9, 0)),
    ("next week Wednesday 13:00", (2026, 12, 9, 13, 0)),
    ("December 5 2026 09:00", (2026, 12, 5, 9, 0)),
    ("December 5, 2026 at 9:00 AM", (2026, 12, 5, 9, 0)),
    ("5th December 2026 9am", (2026, 12, 5, 9, 0)),
    # left to dateparser, time carried through and checked
    ("dalam 3 hari 14:30", (2026, 12, 4, 14, 30)),
    ("in 2 weeks 10:00", (2026, 12, 15, 10, 0)),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted(text: str, expected: tuple[int, ...]) -> None:
    result = parse_when(text, now=NOW, tz=WITA)
    assert wall(result) == expected
    assert result.local.tzinfo is not None and str(result.local.tzinfo) == WITA
    assert result.utc == result.local and result.utc.tzinfo is UTC
    assert result.has_time


@pytest.mark.parametrize(
    ("now", "tz", "text", "expected"),
    [
        # from Saturday 2026-12-05 10:00 WIB
        (at(WIB, 2026, 12, 5, 10), WIB, "sabtu jam 9", (2026, 12, 12, 9, 0)),
        (at(WIB, 2026, 12, 5, 10), WIB, "sabtu jam 11", (2026, 12, 5, 11, 0)),
        (at(WIB, 2026, 12, 5, 10), WIB, "Sabtu depan jam 11", (2026, 12, 12, 11, 0)),
        (at(WIB, 2026, 12, 5, 10), WIB, "minggu depan rabu jam 10", (2026, 12, 9, 10, 0)),
        (at(WIB, 2026, 12, 5, 10), WIB, "Minggu jam 9", (2026, 12, 6, 9, 0)),
        (at(WIB, 2026, 12, 5, 10), WIB, "next saturday 9:00", (2026, 12, 12, 9, 0)),
        # year rollover from Wednesday 2026-12-30 09:00 WIT
        (at(WIT, 2026, 12, 30, 9), WIT, "besok jam 9", (2026, 12, 31, 9, 0)),
        (at(WIT, 2026, 12, 30, 9), WIT, "lusa jam 9", (2027, 1, 1, 9, 0)),
        (at(WIT, 2026, 12, 30, 9), WIT, "5/1 09.00", (2027, 1, 5, 9, 0)),
        (at(WIT, 2026, 12, 30, 9), WIT, "5 Januari jam 9", (2027, 1, 5, 9, 0)),
        (at(WIT, 2026, 12, 30, 9), WIT, "tanggal 2 jam 9", (2027, 1, 2, 9, 0)),
        (at(WIT, 2026, 12, 30, 9), WIT, "Senin depan jam 9", (2027, 1, 4, 9, 0)),
        # `now` given in UTC: "besok" is still the user's tomorrow (UTC is still Nov 30 here)
        (datetime(2026, 11, 30, 23, 30, tzinfo=UTC), WIT, "besok jam 9", (2026, 12, 2, 9, 0)),
        (datetime(2026, 11, 30, 23, 30, tzinfo=UTC), WIB, "besok jam 9", (2026, 12, 2, 9, 0)),
    ],
)
def test_other_bases_and_zones(
    now: datetime, tz: str, text: str, expected: tuple[int, ...]
) -> None:
    assert wall(parse_when(text, now=now, tz=tz)) == expected


@pytest.mark.parametrize(("tz", "utc_hour"), [(WIB, 2), (WITA, 1), (WIT, 0)])
def test_each_zone_converts_to_utc(tz: str, utc_hour: int) -> None:
    result = parse_when("5 Desember 2026 09.00", now=NOW, tz=tz)
    assert (result.local.hour, result.local.utcoffset().total_seconds() / 3600) == (9, 9 - utc_hour)
    assert result.utc == datetime(2026, 12, 5, utc_hour, 0, tzinfo=UTC)
    assert result.utc.tzinfo is UTC


def test_written_zone_differs_from_tz() -> None:
    result = parse_when("besok jam 9 WIT", now=NOW, tz=WIB)
    assert wall(result) == (2026, 12, 2, 7, 0)
    assert result.utc == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


REFUSED = [
    ("31 Februari 2027 09:00", "impossible_date"),
    ("29 Februari 2027 09:00", "impossible_date"),
    ("31/11 09.00", "impossible_date"),
    ("5/13 jam 9", "impossible_date"),
    ("Senin, 8 Desember 2026 jam 9", "impossible_date"),  # 8 Dec 2026 is a Tuesday
    ("besok Kamis jam 9", "impossible_date"),  # tomorrow is Wednesday
    ("jam 25", "impossible_date"),
    ("besok jam 24", "impossible_date"),
    ("besok jam 9.75", "impossible_date"),
    ("", "unparsed"),
    ("   ", "unparsed"),
    ("asdfgh", "unparsed"),
    ("lorem ipsum dolor", "unparsed"),
    ("🙂🙂🙂", "unparsed"),
    ("qwerty jam 9", "unparsed"),
    ("besok jam 9 jam 10", "unparsed"),
    ("sabtu minggu jam 9", "unparsed"),
    ("besok jam 9 WIB WIT", "unparsed"),
    ("pekan depan jam 9", "unparsed"),  # next week, but which day?
    ("besok jam 9 " + "a" * 200, "unparsed"),
    ("kemarin jam 9", "past"),
    ("hari ini jam 7", "past"),
    ("hari ini jam 8", "past"),  # exactly now is not in the future
    ("1/12/2026 07.00", "past"),
    ("5/12/2025 09.00", "past"),
    ("besok", "time_missing"),
    ("Sabtu depan", "time_missing"),
    ("5 Desember 2026", "time_missing"),
    ("besok pagi", "time_missing"),
    ("besok jam 4", "outside_hours"),
    ("besok 04.59", "outside_hours"),
    ("besok jam 22.01", "outside_hours"),
    ("jam 2 besok", "outside_hours"),  # bare "jam 2" is 02:00; we do not guess 14:00
    ("besok jam 12 malam", "outside_hours"),
    ("tomorrow noon 14:30", "time_lost"),  # dateparser answers 08:00 for this phrase
]


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_refused(text: str, reason: str) -> None:
    with pytest.raises(DateParseError) as info:
        parse_when(text, now=NOW, tz=WITA)
    assert info.value.reason == reason
    assert isinstance(info.value, ValueError)


def test_huge_input_is_refused_fast() -> None:
    started = systime.perf_counter()
    with pytest.raises(DateParseError) as info:
        parse_when("besok jam 9 " * 1000, now=NOW, tz=WITA)
    assert info.value.reason == "unparsed"
    assert systime.perf_counter() - started < 0.05


def test_hour_bounds_are_inclusive_and_configurable() -> None:
    assert wall(parse_when("besok jam 22", now=NOW, tz=WITA))[3:] == (22, 0)
    assert wall(parse_when("besok jam 5", now=NOW, tz=WITA))[3:] == (5, 0)
    assert wall(parse_when("besok jam 4", now=NOW, tz=WITA, earliest_hour=4))[3:] == (4, 0)
    with pytest.raises(DateParseError, match="outside_hours"):
        parse_when("besok jam 19", now=NOW, tz=WITA, latest_hour=18)


def test_outside_hours_is_judged_in_tz_not_written_zone() -> None:
    # 21:30 WIB is 23:30 WIT: fine where it was written, too late for a WIT group.
    with pytest.raises(DateParseError) as info:
        parse_when("besok jam 21.30 WIB", now=NOW, tz=WIT)
    assert info.value.reason == "outside_hours"
    assert info.value.understood == at(WIT, 2026, 12, 2, 23, 30)


def test_past_error_carries_what_was_understood() -> None:
    with pytest.raises(DateParseError) as info:
        parse_when("hari ini jam 7", now=NOW, tz=WITA)
    assert info.value.understood == at(WITA, 2026, 12, 1, 7, 0)


def test_allow_past() -> None:
    result = parse_when("kemarin jam 9", now=NOW, tz=WITA, allow_past=True)
    assert wall(result) == (2026, 11, 30, 9, 0)


def test_date_only_when_time_not_required() -> None:
    result = parse_when("5 Desember 2026", now=NOW, tz=WITA, require_time=False)
    assert wall(result) == (2026, 12, 5, 0, 0) and not result.has_time
    assert parse_when("hari ini", now=NOW, tz=WITA, require_time=False).local.day == 1
    with pytest.raises(DateParseError, match="past"):
        parse_when("kemarin", now=NOW, tz=WITA, require_time=False)


def test_nonexistent_local_time_in_dst_zone() -> None:
    # 02:30 on 29 March 2026 does not exist in Amsterdam (clocks jump 02:00 -> 03:00).
    base = at("Europe/Amsterdam", 2026, 3, 1, 8, 0)
    with pytest.raises(DateParseError, match="impossible_date"):
        parse_when("29 Maret 2026 jam 2.30", now=base, tz="Europe/Amsterdam", earliest_hour=0)


def test_bad_arguments_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        parse_when("besok jam 9", now=datetime(2026, 12, 1, 8), tz=WITA)
    with pytest.raises(ValueError):
        parse_when("besok jam 9", now=NOW, tz="Mars/Olympus_Mons")


@pytest.mark.parametrize(
    ("dt", "lang", "expected"),
    [
        (at(WITA, 2026, 12, 5, 9), "id", "Sabtu, 5 Desember 2026 pukul 09.00 WITA"),
        (at(WITA, 2026, 12, 5, 9), "en", "Saturday, 5 December 2026 at 09:00 WITA"),
        (at(WIB, 2027, 8, 16, 13, 30), "id", "Senin, 16 Agustus 2027 pukul 13.30 WIB"),
        (at(WIT, 2027, 1, 3, 7, 5), "id", "Minggu, 3 Januari 2027 pukul 07.05 WIT"),
        (at("Asia/Pontianak", 2026, 12, 4, 9), "en", "Friday, 4 December 2026 at 09:00 WIB"),
        (at("Europe/Amsterdam", 2026, 12, 4, 9), "en", "Friday, 4 December 2026 at 09:00 UTC+1"),
        (at("Asia/Kolkata", 2026, 12, 4, 9), "id", "Jumat, 4 Desember 2026 pukul 09.00 UTC+5:30"),
        (at("America/New_York", 2026, 12, 4, 9), "en", "Friday, 4 December 2026 at 09:00 UTC-5"),
    ],
)
def test_describe_local(dt: datetime, lang: str, expected: str) -> None:
    assert describe_local(dt, lang) == expected


def test_describe_round_trips_through_parse() -> None:
    result = parse_when("Sabtu depan jam 9", now=NOW, tz=WITA)
    text = describe_local(result.local, "id")
    assert parse_when(text, now=NOW, tz=WITA) == result
    assert parse_when(describe_local(result.local, "en"), now=NOW, tz=WITA) == result


def test_describe_local_needs_aware_datetime() -> None:
    with pytest.raises(ValueError):
        describe_local(datetime(2026, 12, 5, 9), "id")
