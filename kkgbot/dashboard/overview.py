"""The overview: one row per KKG with the indicators, sortable, and a 12-week trend.

Current figures are the newest weekly snapshot (kkgbot/digest/snapshots.py); a KKG with
no snapshot yet (created this week) is computed live, so it never shows as empty. Sorting
and paging happen here, on plain rows (a district of 500 KKGs is one indexed read of one
row each); the 12-week trends are read for the page's 50 rows only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Kkg
from kkgbot.digest.indicators import NAMES, indicators, level
from kkgbot.digest.snapshots import history, latest

PAGE_SIZE = 50


@dataclass
class Row:
    kkg: Kkg
    figures: dict[str, Any]
    trend: dict[str, list[float | None]] = field(default_factory=dict)
    weeks: list[date] = field(default_factory=list)

    def level(self, name: str) -> str:
        return level(name, self.figures.get(name), self.figures)


@dataclass
class Overview:
    rows: list[Row]
    total: int
    page: int
    pages: int
    sort: str
    descending: bool
    kecamatan: list[str]  # the filter's choices


def _key(name: str, descending: bool):
    def key(row: Row):
        value = row.figures.get(name)
        missing = value is None
        # rows without data go last whichever way the column is sorted
        return (missing, -(value or 0) if descending else (value or 0), row.kkg.name.casefold())

    return key


async def overview(
    session: AsyncSession,
    kkgs: list[Kkg],
    now: datetime,
    *,
    sort: str = "name",
    descending: bool = False,
    kecamatan: str | None = None,
    page: int = 1,
) -> Overview:
    choices = sorted({k.kecamatan for k in kkgs if k.kecamatan}, key=str.casefold)
    shown = [k for k in kkgs if not kecamatan or k.kecamatan == kecamatan]
    current = await latest(session, [k.id for k in shown])
    missing = [k.id for k in shown if k.id not in current]
    if missing:
        current.update(await indicators(session, missing, now))
    rows = [Row(kkg, current.get(kkg.id, {})) for kkg in shown]
    if sort not in NAMES:
        sort = "name"
        rows.sort(key=lambda r: r.kkg.name.casefold(), reverse=descending)
    else:
        rows.sort(key=_key(sort, descending))
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    shown_rows = rows[start : start + PAGE_SIZE]
    # trends only for the rows on this page: 50 KKGs x 12 weeks, whatever the district's size
    past = await history(session, [r.kkg.id for r in shown_rows], now)
    for row in shown_rows:
        weeks = past.get(row.kkg.id) or []
        row.weeks = [w for w, _ in weeks]
        row.trend = {name: [f.get(name) for _, f in weeks] for name in NAMES}
    return Overview(shown_rows, len(rows), page, pages, sort, descending, choices)
