"""`python -m bench.metrics [ROWS]`: what one /metrics scrape costs with a large outbox.

Fills a fresh database with ROWS outbox rows (default 500,000: mostly sent and delivered,
a thousand still queued), then times the scrape as the bot does it now (`Metrics.refresh`:
the `outbox_counts` summary kept by triggers, plus the due messages through the outbox's
status index) against the old query (COUNT(*) GROUP BY channel, status over the whole
outbox), side by side. SQLite always; PostgreSQL too when KKGBOT_BENCH_POSTGRES_URL is set.
Bounded: ROWS rows once, then 20 scrapes of each kind.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from bench.common import database
from kkgbot.db.engine import make_engine, make_sessionmaker
from kkgbot.db.models import OutboxMessage
from kkgbot.web.metrics import Metrics

SCRAPES = 20
NOW = datetime(2026, 12, 1, tzinfo=UTC)


async def fill(url: str, rows: int) -> None:
    engine = make_engine(url)
    statuses = ["sent"] * 6 + ["delivered"] * 3 + ["dead"]
    try:
        for start in range(0, rows, 10_000):
            chunk = []
            for i in range(start, min(rows, start + 10_000)):
                queued = i >= rows - 1000
                chunk.append(
                    {
                        "channel": "telegram" if i % 3 else "whatsapp",
                        "address": str(700_000 + i % 5000),
                        "kind": "bulk",
                        "priority": 2,
                        "payload": {"text": "Pengingat rapat KKG besok pukul 13.00"},
                        "not_before": NOW - timedelta(seconds=rows - i),
                        "idempotency_key": f"bench-{i}",
                        "status": "queued" if queued else statuses[i % len(statuses)],
                        "attempts": 0 if queued else 1,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                )
            async with engine.begin() as conn:
                await conn.execute(insert(OutboxMessage), chunk)
        if engine.dialect.name == "postgresql":  # as autovacuum would after 500k inserts
            async with engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.exec_driver_sql("ANALYZE outbox")
    finally:
        await engine.dispose()


async def timed(run) -> float:
    """Median milliseconds of SCRAPES runs."""
    spent = []
    for _ in range(SCRAPES):
        started = time.perf_counter()
        await run()
        spent.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(spent), 2)


async def scrape_bench(backend: str, rows: int = 500_000) -> dict[str, float]:
    async with database(backend) as url:
        await fill(url, rows)
        engine = make_engine(url)
        sessionmaker = make_sessionmaker(engine)
        metrics = Metrics()

        async def now_scrape() -> None:
            await metrics.refresh(sessionmaker, NOW, 0.0)
            metrics.render()

        async def old_scrape() -> None:
            async with sessionmaker() as session:
                query = select(OutboxMessage.channel, OutboxMessage.status, func.count())
                await session.execute(query.group_by(OutboxMessage.channel, OutboxMessage.status))
            await now_scrape()  # the rest of the scrape is the same

        try:
            await now_scrape()  # warm both: the first run reads the pages from disk
            await old_scrape()
            scrape_ms = await timed(now_scrape)
            baseline_ms = await timed(old_scrape)
            queued = metrics.outbox_rows.labels("telegram", "queued")._value.get()
        finally:
            await engine.dispose()
    return {
        "outbox_rows": rows,
        "scrape_ms": scrape_ms,
        "group_by_scrape_ms": baseline_ms,
        "ratio_group_by_vs_scrape": round(baseline_ms / scrape_ms, 1) if scrape_ms else 0,
        "queued_seen": int(queued),
    }


async def main(rows: int) -> None:
    from bench.__main__ import print_block

    backends = ["sqlite"] + (["postgres"] if os.environ.get("KKGBOT_BENCH_POSTGRES_URL") else [])
    for backend in backends:
        started = time.monotonic()
        figures = await scrape_bench(backend, rows)
        figures["bench_seconds"] = round(time.monotonic() - started, 1)
        print_block("metrics" + ("" if backend == "sqlite" else "_pg"), figures)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500_000))
