"""The dashboard's overview for a district of 500 KKGs: server time and page weight.

Data as in bench/digest.py (generated inside the database: 500 KKGs, 12,500 members, a
term of meetings, polls and lessons), then 12 weekly snapshot rows per KKG (the Monday
job's output; the newest week is taken by the job itself and timed as `snapshot_job_s`).
Measured in-process, without HTTP: loading the viewer's KKGs, `overview()` (newest
snapshot + 12-week trends, sorted, first page) and rendering the template, i.e. the
server time of GET /dasbor. The baseline recomputes the indicators on every view (what the
snapshots spare): `ratio_vs_live` says how many times faster the overview is.
The issue's bound: `overview_ms` at most 300 on PostgreSQL; the page under 200 KB.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text
from starlette.requests import Request

from bench.common import database
from bench.digest import generate
from kkgbot.db.engine import make_engine, make_sessionmaker
from kkgbot.db.models import Kkg
from kkgbot.digest import snapshots
from kkgbot.digest.indicators import NAMES, indicators
from kkgbot.web.dashboard.pages import env, translator

NOW = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # Tuesday 07:30 WITA
KKGS, MEMBERS, LESSONS = 500, 12_500, 10
LIMIT_MS = 300
PAGE_LIMIT_KB = 200
RUNS = 7


class _Viewer:
    person_id, name, language, csrf, session_id = 0, "Admin", "id", "x" * 32, 0


def _render(view, kecamatan: str | None = None) -> str:
    request = Request({"type": "http", "method": "GET", "path": "/dasbor", "headers": []})
    percent = set(NAMES) - {"meetings_30d", "absent_60d", "standards_score", "alerts"}
    return env.get_template("dashboard/overview.html").render(
        t=translator("id"), lang="id", request=request, view=view, names=NAMES,
        percent=percent, kecamatan=kecamatan, viewer=_Viewer(), is_admin=True,
    )  # fmt: skip


async def _copy_weeks(url: str) -> None:
    """Eleven earlier weeks from the newest snapshot, figures nudged so trends move."""
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            latest = (await session.scalars(select(snapshots.KkgWeekSnapshot))).all()
            for row in latest:
                for back in range(1, snapshots.TREND_WEEKS):
                    f = dict(row.figures)
                    rate = f.get("attendance_rate")
                    f["attendance_rate"] = None if rate is None else max(0.0, rate - 0.01 * back)
                    session.add(
                        snapshots.KkgWeekSnapshot(
                            kkg_id=row.kkg_id,
                            week=row.week - timedelta(weeks=back),
                            taken_at=row.taken_at,
                            figures=f,
                        )
                    )
    finally:
        await engine.dispose()


async def dashboard_bench(backend: str, kkgs: int = KKGS, members: int = MEMBERS) -> dict:
    from kkgbot.dashboard.overview import overview

    async with database(backend) as url:
        engine = make_engine(url)
        async with engine.begin() as conn:  # generate() makes one district per 200 KKGs
            for n in range(max(1, kkgs // 200) + 1, (kkgs - 1) // 200 + 2):
                await conn.execute(text(
                    f"INSERT INTO districts (id, name, timezone, created_at) VALUES "
                    f"({n}, 'Kabupaten {n}', 'Asia/Makassar', '2026-11-30 00:00:00')"))  # fmt: skip
        await engine.dispose()
        out: dict[str, float] = {"kkgs": kkgs}
        out.update(await generate(url, kkgs, members, LESSONS))
        engine = make_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE kkgs SET kecamatan = 'Kecamatan ' || (id % 12)"))
        sessionmaker = make_sessionmaker(engine)
        try:
            started = time.monotonic()
            async with sessionmaker() as session, session.begin():
                await snapshots.take(session, NOW)
            out["snapshot_job_s"] = round(time.monotonic() - started, 2)
            await _copy_weeks(url)
            if engine.dialect.name == "postgresql":
                async with engine.begin() as conn:
                    await conn.execute(text("ANALYZE"))

            async def one(sort: str, kecamatan: str | None = None) -> tuple[float, int]:
                started = time.monotonic()
                async with sessionmaker() as session:
                    scope = list(await session.scalars(select(Kkg).order_by(Kkg.name)))
                    view = await overview(
                        session, scope, NOW, sort=sort, descending=True, kecamatan=kecamatan
                    )
                    html = _render(view, kecamatan)
                return (time.monotonic() - started) * 1000, len(html.encode())

            await one("attendance_rate")  # warm: templates compiled, pools open
            times, size = [], 0
            for _ in range(RUNS):
                ms, size = await one("attendance_rate")
                times.append(ms)
            out["overview_ms"] = round(statistics.median(times), 1)
            out["overview_ms_max"] = round(max(times), 1)
            out["page_kb"] = round(size / 1024, 1)
            filtered = [(await one("standards_score", "Kecamatan 3"))[0] for _ in range(RUNS)]
            out["overview_filtered_ms"] = round(statistics.median(filtered), 1)
            live = []
            for _ in range(3):
                started = time.monotonic()
                async with sessionmaker() as session:
                    ids = list(await session.scalars(select(Kkg.id)))
                    await indicators(session, ids, NOW)
                live.append((time.monotonic() - started) * 1000)
            out["baseline_live_ms"] = round(statistics.median(live), 1)
            out["ratio_vs_live"] = round(out["baseline_live_ms"] / max(out["overview_ms"], 0.1), 1)
            out["limit_ms"] = LIMIT_MS
            out["within_limit"] = int(out["overview_ms"] <= LIMIT_MS)
            out["page_within_200kb"] = int(out["page_kb"] < PAGE_LIMIT_KB)
        finally:
            await engine.dispose()
    return out


def main() -> None:
    import argparse
    import asyncio

    parser = argparse.ArgumentParser(prog="python -m bench.dashboard")
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    for key, value in asyncio.run(dashboard_bench(args.backend)).items():
        print(f"bench.dashboard.{key} = {value}")


if __name__ == "__main__":
    main()
