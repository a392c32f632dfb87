"""The calendar as data: national holidays from `holidays`, the rest from config/calendar.

`holidays` computes Indonesia's national holidays (lunar ones estimated for future
years); cuti bersama and semester breaks change by decree and by province, so they live in
one YAML file per year (`provisional: true`, with its source) that the district office
can read and correct without a programmer. A year without a file still has its national
holidays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import holidays

from kkgbot import yamlfile
from kkgbot.settings import CONFIG_DIR

CALENDAR_DIR = CONFIG_DIR / "calendar"
DEFAULT_PROVINCE = "default"

# The 38 provinces, as ids for `admin calendar province` and the data files' `provinces:`.
PROVINCES = (
    "aceh", "sumatera-utara", "sumatera-barat", "riau", "kepulauan-riau", "jambi",
    "sumatera-selatan", "bangka-belitung", "bengkulu", "lampung", "dki-jakarta", "banten",
    "jawa-barat", "jawa-tengah", "di-yogyakarta", "jawa-timur", "bali", "nusa-tenggara-barat",
    "nusa-tenggara-timur", "kalimantan-barat", "kalimantan-tengah", "kalimantan-selatan",
    "kalimantan-timur", "kalimantan-utara", "sulawesi-utara", "gorontalo", "sulawesi-tengah",
    "sulawesi-barat", "sulawesi-selatan", "sulawesi-tenggara", "maluku", "maluku-utara",
    "papua", "papua-barat", "papua-barat-daya", "papua-tengah", "papua-pegunungan",
    "papua-selatan",
)  # fmt: skip


@dataclass(frozen=True)
class YearData:
    year: int
    provisional: bool
    source: str
    cuti_bersama: dict[date, str]
    breaks: dict[str, tuple[tuple[date, date, str], ...]]  # province (or default) -> spans


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@lru_cache
def year_data(year: int, folder: Path = CALENDAR_DIR) -> YearData | None:
    path = folder / f"{year}.yaml"
    if not path.is_file():
        return None
    raw = yamlfile.load_file(path) or {}
    cuti = {_as_date(x["date"]): str(x["name"]) for x in raw.get("cuti_bersama") or []}
    spans = raw.get("semester_breaks") or {}

    def span_list(items) -> tuple[tuple[date, date, str], ...]:
        return tuple((_as_date(x["from"]), _as_date(x["to"]), str(x["name"])) for x in items or [])

    breaks = {DEFAULT_PROVINCE: span_list(spans.get("default"))}
    for province, items in (spans.get("provinces") or {}).items():
        breaks[str(province)] = span_list(items)
    return YearData(
        year, bool(raw.get("provisional", True)), str(raw.get("source", "")), cuti, breaks
    )


@lru_cache
def national(year: int, lang: str = "id") -> dict[date, str]:
    """Libur nasional of the year, named in Indonesian (or English)."""
    found = holidays.country_holidays(
        "ID", years=[year], language="id" if lang == "id" else "en_US"
    )
    return dict(found.items())


def data_days(start: date, end: date, province: str | None) -> dict[date, str]:
    """Every day off in [start, end] from the data: national, cuti bersama, breaks."""
    out: dict[date, str] = {}
    for year in range(start.year - 1, end.year + 1):
        data = year_data(year)
        if data is not None:
            spans = data.breaks.get(province or DEFAULT_PROVINCE)
            if spans is None:
                spans = data.breaks.get(DEFAULT_PROVINCE, ())
            for first, last, name in spans:
                day = max(first, start)
                while day <= min(last, end):
                    out[day] = name
                    day += timedelta(days=1)
            for day, name in data.cuti_bersama.items():
                if start <= day <= end:
                    out[day] = name
        if year >= start.year:
            for day, name in national(year).items():
                if start <= day <= end:
                    out[day] = name
    return out


@lru_cache(maxsize=64)
def days_of_year(year: int, province: str | None) -> dict[date, str]:
    return data_days(date(year, 1, 1), date(year, 12, 31), province)
