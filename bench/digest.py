"""The supervisors' digest at district and national scale: figures, memory, rendering.

Data are generated inside the database with INSERT ... SELECT over a numbers table
(filled by `generate_series` on PostgreSQL, a recursive CTE on SQLite), so even the
national scale never passes through Python. Measured:
- `figures_all_s`: the figures of every KKG in one call (the admin's district version,
  or the whole country); `figures_round_s`: the same with inactive members' names, as the
  Monday job builds them once for all its digests; `figures_pengawas_s`: every pengawas's
  digest built on its own (what /ringkasan costs, 20 KKGs each; sampled at 200);
- `peak_mb`: Python's peak allocation while building them (tracemalloc), which must not
  follow the number of events;
- `render_s`: one pengawas's digest rendered as text, chart and spreadsheet; `render_first_s`
  the same when it is the process's first (the chart and spreadsheet libraries load then).

District (default): 200 KKGs, 5,000 members, one term of fortnightly meetings, a poll
each, 20 lessons a member. National (`python -m bench.digest --national [--scale F]`,
PostgreSQL only, a database of its own): 20,000 KKGs, 1.4 million members, ~20 million
events at scale 1.0; `--scale 0.1` runs a tenth of that and reports the growth.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import time
import tracemalloc
from datetime import UTC, datetime

from sqlalchemy import text

from bench.common import database
from kkgbot.db.engine import make_engine, make_sessionmaker
from kkgbot.digest import rounds as digest
from kkgbot.digest.figures import digest_figures
from kkgbot.digest.period import period_for

NOW = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
ZONE = "Asia/Makassar"
TERM = "2026-07-06 01:00:00"  # first meeting of the term (UTC)
KKGS_PER_PENGAWAS = 20
MEETINGS = 10  # fortnightly over the term so far
LESSONS = 20  # per member over the term
NATIONAL_LESSONS = 8  # 1.4 M members x 8 + attendance + votes = about 20 M events


def _ts(dialect: str, days_expr: str) -> str:
    if dialect == "sqlite":
        return f"datetime('{TERM}', '+' || ({days_expr}) || ' days')"
    return f"(timestamptz '{TERM}+00' + ({days_expr}) * interval '1 day')"


def _statements(dialect: str, kkgs: int, members: int, lessons: int) -> list[str]:
    per = members // kkgs
    now = "'2026-11-30 00:00:00'" if dialect == "sqlite" else "timestamptz '2026-11-30 00:00:00+00'"
    mod = "%"
    return [
        f"INSERT INTO districts (id, name, timezone, created_at) SELECT n, 'Kabupaten ' || n, "
        f"'{ZONE}', {now} FROM nums WHERE n <= {max(1, kkgs // 200)}",
        f"INSERT INTO kkgs (id, district_id, name, timezone, invite_code, created_at) "
        f"SELECT n, ((n - 1) / 200) + 1, 'KKG Gugus ' || n, '{ZONE}', 'K' || n, {now} "
        f"FROM nums WHERE n <= {kkgs}",
        f"INSERT INTO people (id, name, language, onboarded_at, consent_at, created_at) "
        f"SELECT n, 'Guru ' || n, 'id', {now}, {now}, {now} FROM nums WHERE n <= {members}",
        f"INSERT INTO roles (person_id, role, kkg_id, granted_at) "
        f"SELECT n, 'guru', ((n - 1) {mod} {kkgs}) + 1, {now} FROM nums WHERE n <= {members}",
        # one pengawas per 20 KKGs
        f"INSERT INTO people (id, name, language, onboarded_at, consent_at, created_at) "
        f"SELECT {members} + n, 'Pengawas ' || n, 'id', {now}, {now}, {now} FROM nums "
        f"WHERE n <= {kkgs // KKGS_PER_PENGAWAS}",
        f"INSERT INTO roles (person_id, role, kkg_id, granted_at) "
        f"SELECT {members} + ((n - 1) / {KKGS_PER_PENGAWAS}) + 1, 'pengawas', n, {now} "
        f"FROM nums WHERE n <= {kkgs}",
        f"INSERT INTO meetings (id, kkg_id, title, starts_at, duration_minutes, place, jp, "
        f"checkin_code, created_at, updated_at, timed_at, sequence) "
        f"SELECT (k.n - 1) * {MEETINGS} + m.n, k.n, 'Rapat ' || m.n, "
        f"{_ts(dialect, f'(m.n - 1) * 14 + (k.n {mod} 7)')}, 120, 'SD', 2, 'ABC234', {now}, "
        f"{now}, {now}, 0 FROM nums k, nums m WHERE k.n <= {kkgs} AND m.n <= {MEETINGS}",
        # about 60% of the KKG's members at each meeting, attendance slowly falling in some
        f"INSERT INTO meeting_attendance (meeting_id, person_id, checked_in_at, method, jp) "
        f"SELECT mt.id, mt.kkg_id + {kkgs} * j.n, mt.starts_at, 'code', 2 "
        f"FROM meetings mt, nums j WHERE j.n < {per} "
        f"AND ((j.n * 7 + mt.id * 3) {mod} 10) < 6",
        f"INSERT INTO polls (id, kkg_id, question, max_choices, deadline, created_at, closed_at) "
        f"SELECT n, n, 'Topik?', 2, {_ts(dialect, '30')}, {_ts(dialect, '20')}, "
        f"{_ts(dialect, '30')} FROM nums WHERE n <= {kkgs}",
        f"INSERT INTO poll_options (id, poll_id, position, label) "
        f"SELECT (p.n - 1) * 5 + o.n, p.n, o.n, 'Topik ' || o.n FROM nums p, nums o "
        f"WHERE p.n <= {kkgs} AND o.n <= 5",
        f"INSERT INTO poll_ballots (poll_id, person_id, submitted_at, updated_at) "
        f"SELECT k.n, k.n + {kkgs} * j.n, {_ts(dialect, '25')}, {_ts(dialect, '25')} "
        f"FROM nums k, nums j WHERE k.n <= {kkgs} AND j.n < {per} AND j.n {mod} 2 = 0",
        f"INSERT INTO poll_votes (ballot_id, option_id) "
        f"SELECT id, (poll_id - 1) * 5 + ((person_id / {kkgs}) {mod} 5) + 1 FROM poll_ballots "
        f"UNION ALL SELECT id, (poll_id - 1) * 5 + ((person_id / {kkgs} + 2) {mod} 5) + 1 "
        f"FROM poll_ballots",
        f"INSERT INTO work_plan_items (kkg_id, title, source, planned_month, created_at) "
        f"SELECT n, 'Topik 1', 'poll', '2026-11-01', {now} FROM nums "
        f"WHERE n <= {kkgs} AND n {mod} 3 <> 0",
        f"INSERT INTO lesson_progress (person_id, kkg_id, pack_id, module_id, lesson_id, "
        f"source, sent_at, attempts, answered_at, correct) "
        f"SELECT p.n, ((p.n - 1) {mod} {kkgs}) + 1, 'pack', 'modul', 'l' || l.n, 'schedule', "
        f"{_ts(dialect, 'l.n * 7 / 2')}, 1, "
        f"CASE WHEN (p.n + l.n) {mod} 3 <> 0 THEN {_ts(dialect, 'l.n * 7 / 2')} END, "
        f"CASE WHEN (p.n + l.n) {mod} 3 <> 0 THEN (p.n {mod} 2 = 0) END "
        f"FROM nums p, nums l WHERE p.n <= {members} AND l.n <= {lessons}",
    ]


async def generate(url: str, kkgs: int, members: int, lessons: int = LESSONS) -> dict[str, float]:
    engine = make_engine(url)
    dialect = engine.dialect.name
    started = time.monotonic()
    biggest = max(kkgs, members, 1000)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE nums (n INTEGER PRIMARY KEY)"))
            if dialect == "sqlite":
                await conn.execute(text(
                    f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {biggest}) "
                    "INSERT INTO nums SELECT n FROM g"))  # fmt: skip
            else:
                await conn.execute(text(f"INSERT INTO nums SELECT generate_series(1, {biggest})"))
            for sql in _statements(dialect, kkgs, members, lessons):
                await conn.execute(text(sql))
            await conn.execute(text("DROP TABLE nums"))
            if dialect == "postgresql":
                for table in ("people", "kkgs", "meetings", "polls", "poll_options", "districts"):
                    await conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"))  # fmt: skip
        if dialect == "postgresql":
            async with engine.begin() as conn:  # statistics are kept only when committed
                await conn.execute(text("ANALYZE"))
        async with engine.connect() as conn:
            counts = {}
            for table in ("meeting_attendance", "poll_votes", "lesson_progress", "meetings"):
                counts[table] = await conn.scalar(text(f"SELECT count(*) FROM {table}"))
    finally:
        await engine.dispose()
    events = counts["meeting_attendance"] + counts["poll_votes"] + counts["lesson_progress"]
    return {"events": events, "generate_s": round(time.monotonic() - started, 1)}


async def measure(url: str) -> dict[str, float]:
    engine = make_engine(url)
    sessionmaker = make_sessionmaker(engine)
    period = period_for(NOW, ZONE)
    out: dict[str, float] = {}
    try:
        async with sessionmaker() as session:
            ids = list(await session.scalars(text("SELECT id FROM kkgs ORDER BY id")))
            tracemalloc.start()
            started = time.monotonic()
            figures = await digest_figures(session, ids, period)
            out["figures_all_s"] = round(time.monotonic() - started, 2)
            out["peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
            tracemalloc.stop()
            out["kkgs"] = len(figures)
            pengawas = list(await session.scalars(text(
                "SELECT DISTINCT person_id FROM roles WHERE role = 'pengawas' ORDER BY 1")))  # fmt: skip
            started = time.monotonic()
            await digest_figures(session, ids, period, names=True)
            out["figures_round_s"] = round(time.monotonic() - started, 2)  # the Monday job
            started = time.monotonic()
            sample = pengawas[:200]  # at national scale a sample; the rate is what matters
            for pid in sample:
                scope = await digest.scope_of(session, pid)
                await digest_figures(session, scope.kkg_ids, period, names=True)
            spent = time.monotonic() - started
            out["pengawas"] = len(pengawas)
            out["figures_pengawas_s"] = round(spent * len(pengawas) / max(len(sample), 1), 2)
            scope = await digest.scope_of(session, pengawas[0])
            built = await digest.build(session, scope, NOW, ZONE, "id")
            started = time.monotonic()
            digest.render(built, "id")  # the process's first: loads matplotlib and openpyxl
            out["render_first_s"] = round(time.monotonic() - started, 3)
            started = time.monotonic()
            rendered = digest.render(built, "id")
            out["render_s"] = round(time.monotonic() - started, 3)
            out["render_kb"] = round((len(rendered.chart) + len(rendered.xlsx)) / 1024)
            started = time.monotonic()
            everything = await digest.build(
                session, digest.DigestScope(ids, ["semua"], names=False), NOW, ZONE, "id"
            )
            digest.render(everything, "id")
            out["render_all_s"] = round(time.monotonic() - started, 2)
    finally:
        await engine.dispose()
    out["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


async def digest_bench(
    backend: str, kkgs: int = 200, members: int = 5000, lessons: int = LESSONS
) -> dict[str, float]:
    async with database(backend) as url:
        figures = await generate(url, kkgs, members, lessons)
        figures.update(await measure(url))
    figures["members"] = members
    return figures


async def national(scale: float) -> None:
    """PostgreSQL only, in a database of its own; prints the district and national runs."""
    if not os.environ.get("KKGBOT_BENCH_POSTGRES_URL"):
        raise SystemExit("set KKGBOT_BENCH_POSTGRES_URL (PostgreSQL) for the national run")
    runs = [(200, 5000), (int(20_000 * scale), int(1_400_000 * scale))]
    results = []
    for kkgs, members in runs:
        result = await digest_bench("postgres", kkgs, members, NATIONAL_LESSONS)
        results.append(result)
        print(f"bench.digest_national.kkgs_{kkgs} = {result}", flush=True)
    small, big = results
    growth = big["events"] / small["events"]
    print(f"bench.digest_national.events_growth = {growth:.1f}x")
    print(
        f"bench.digest_national.time_growth = {big['figures_all_s'] / max(small['figures_all_s'], 0.01):.1f}x"
    )
    print(
        f"bench.digest_national.peak_mb_growth = {big['peak_mb'] / max(small['peak_mb'], 0.1):.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.digest")
    parser.add_argument("--national", action="store_true", help="PostgreSQL, national scale")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the national scale")
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.national:
        asyncio.run(national(args.scale))
    else:
        print(asyncio.run(digest_bench(args.backend)))


if __name__ == "__main__":
    main()
