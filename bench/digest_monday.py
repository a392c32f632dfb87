"""The Monday digest round at scale on PostgreSQL, and members' replies while it runs.

`python -m bench.digest_monday [--kkgs N]` (also `python -m bench --only digest_monday`):
N KKGs (default 2,000; 70 members each, one pengawas per 20 KKGs, a term of meetings,
polls and lessons, built by bench.digest's generator), then the Monday job of
kkgbot/digest/jobs.py run once with its charts and workbooks in the worker pool
(`seconds`), while members send `/bantuan` through `app.router.handle` at a steady rate;
each reply's latency runs from the moment it was due to be sent to its commit in the
outbox, so a stalled event loop counts in full (`reply_p99_ms`). Side by side in the same
process: the replies with no job running (`idle_reply_p99_ms`), and the same round again
with everything rendered inline on the event loop, as before issue 21 (`inline_*`); the
cost of one supervisor's chart drawn now (Pillow) and as before (matplotlib):
`chart_ms`, `chart_ms_matplotlib`. `seconds_per_20000_kkgs` scales `seconds` linearly
(the figures' queries and the renders both grow with the KKGs). Goals (issue 21): at
most 120 s per 20,000 KKGs, reply p99 under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
from datetime import UTC, datetime
from unittest import mock

from sqlalchemy import func, select, text

from bench.chart_before import matplotlib_bar_chart_png
from bench.common import database, percentile
from bench.digest import NATIONAL_LESSONS, generate
from kkgbot.app import App
from kkgbot.clock import SystemClock
from kkgbot.digest import render as digest_render
from kkgbot.digest import rounds as digest
from kkgbot.digest.models import DigestRound
from kkgbot.digest.render_pool import DigestRenderer, default_workers
from kkgbot.messages import Inbound
from kkgbot.settings import Settings

MONDAY = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # 08:00 WITA: the 07:00 slot is due
MEMBERS_PER_KKG = 70  # 1.4 million teachers in 20,000 KKGs
TALKERS = 2000  # members who write during the round
RATE = 10.0  # their messages a second, steady
IN_FLIGHT = 8  # handled at once at most (a web server's workers); the rest wait their turn


class Replies:
    """Members' messages at a steady rate until stopped; latency from when each was due."""

    def __init__(self, app: App, tag: str) -> None:
        self.app, self.tag = app, tag
        self.latencies: list[float] = []
        self.lags: list[float] = []
        self.tasks: set[asyncio.Task] = set()
        self.stop = asyncio.Event()
        self.slots = asyncio.Semaphore(IN_FLIGHT)

    async def one(self, n: int, due: float) -> None:
        address = f"bench{1 + n % TALKERS}"
        async with self.slots:
            await self.app.router.handle(
                Inbound("telegram", address, text="/bantuan", external_id=f"{self.tag}-{n}")
            )
        self.latencies.append(time.perf_counter() - due)

    async def watch_loop(self) -> None:
        """How late a 10 ms sleep wakes: the event loop's own stalls, apart from the database
        and the other processes on the machine that also slow the replies."""
        while not self.stop.is_set():
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            self.lags.append(time.perf_counter() - before - 0.01)

    async def run(self) -> None:
        watcher = asyncio.create_task(self.watch_loop())
        start, n = time.perf_counter(), 0
        while not self.stop.is_set():
            due = start + n / RATE
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            task = asyncio.create_task(self.one(n, due))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            n += 1
        await asyncio.gather(*self.tasks, watcher)

    def figures(self, prefix: str) -> dict[str, float]:
        ms = [x * 1000 for x in self.latencies]
        return {
            f"{prefix}replies": len(ms),
            f"{prefix}reply_p50_ms": round(percentile(ms, 0.5), 1),
            f"{prefix}reply_p99_ms": round(percentile(ms, 0.99), 1),
            f"{prefix}reply_max_ms": round(max(ms, default=float("nan")), 1),
            f"{prefix}loop_lag_p99_ms": round(percentile([x * 1000 for x in self.lags], 0.99), 1),
            f"{prefix}loop_lag_max_ms": round(max(self.lags, default=float("nan")) * 1000, 1),
        }


async def with_replies(app: App, tag: str, work) -> tuple[float, Replies]:
    replies = Replies(app, tag)
    talking = asyncio.create_task(replies.run())
    await asyncio.sleep(1.0)  # the replies settle before the work starts
    started = time.perf_counter()
    try:
        await work()
        seconds = time.perf_counter() - started
    finally:  # the members stop writing before the database goes, even after a failure
        replies.stop.set()
        await talking
    return seconds, replies


async def monday_round(app: App, renderer: DigestRenderer) -> None:
    from kkgbot.digest.jobs import digest_jobs

    (job,) = digest_jobs(app.settings, renderer)
    async with app.sessionmaker() as session, session.begin():
        await job.run(session, MONDAY)


async def forget_round(app: App) -> None:
    """Undo a round so that the same Monday can be run again (the inline comparison)."""
    async with app.sessionmaker() as session, session.begin():
        await session.execute(text("DELETE FROM digest_rounds"))
        await session.execute(text("DELETE FROM outbox WHERE idempotency_key LIKE 'digest:%'"))
        await session.execute(text("DELETE FROM files WHERE name LIKE 'ringkasan-%'"))


async def chart_costs(app: App) -> dict[str, float]:
    """One supervisor's chart (20 KKGs), drawn now and as before; and the whole render."""
    async with app.sessionmaker() as session:
        pid = await session.scalar(text("SELECT min(person_id) FROM roles WHERE role = 'pengawas'"))
        scope = await digest.scope_of(session, pid)
        built = await digest.build(session, scope, MONDAY, "Asia/Makassar", "id")
    captured: dict = {}
    with mock.patch.object(digest_render, "bar_chart_png", lambda **kw: captured.update(kw)):
        digest_render.digest_chart(built, "id")
    out = {}
    for name, draw in (("chart_ms", digest_render.bar_chart_png),
                       ("chart_ms_matplotlib", matplotlib_bar_chart_png)):  # fmt: skip
        draw(**captured)  # the first loads fonts
        started = time.perf_counter()
        for _ in range(10):
            draw(**captured)
        out[name] = round((time.perf_counter() - started) * 100, 1)
    digest.render(built, "id")
    started = time.perf_counter()
    for _ in range(10):
        digest.render(built, "id")
    out["render_ms"] = round((time.perf_counter() - started) * 100, 1)
    return out


async def digest_monday(kkgs: int = 2000, inline: bool = True) -> dict[str, float]:
    if not os.environ.get("KKGBOT_BENCH_POSTGRES_URL"):
        return {"skipped": "set KKGBOT_BENCH_POSTGRES_URL (PostgreSQL)"}
    async with database("postgres") as url:
        built = await generate(url, kkgs, kkgs * MEMBERS_PER_KKG, NATIONAL_LESSONS)
        settings = Settings().model_copy(update={"database_url": url})
        app = App(settings, SystemClock())
        pool = DigestRenderer(settings.digest_render_workers or default_workers())
        out: dict[str, float] = {"kkgs": kkgs}
        try:
            async with app.sessionmaker() as session, session.begin():
                await session.execute(text(
                    "INSERT INTO identities (person_id, channel, address, created_at) "
                    f"SELECT id, 'telegram', 'bench' || id, now() FROM people WHERE id <= {TALKERS}"
                ))  # fmt: skip
            started = time.perf_counter()
            await pool.start()  # once per process lifetime, not per round
            out["pool_start_s"] = round(time.perf_counter() - started, 1)
            _, idle = await with_replies(app, "idle", lambda: asyncio.sleep(5))
            seconds, during = await with_replies(app, "pool", lambda: monday_round(app, pool))
            async with app.sessionmaker() as session:
                out["pengawas"] = await session.scalar(select(func.count(DigestRound.id)))
            out["workers"] = pool.workers
            out["seconds"] = round(seconds, 1)
            out["seconds_per_20000_kkgs"] = round(seconds * 20_000 / kkgs, 1)
            out.update(during.figures(""))
            out.update(idle.figures("idle_"))
            if inline:
                await forget_round(app)
                inline_s, stalled = await with_replies(
                    app, "inline", lambda: monday_round(app, DigestRenderer(0))
                )
                out["inline_seconds"] = round(inline_s, 1)
                out.update(stalled.figures("inline_"))
            out.update(await chart_costs(app))
            out["events"] = built["events"]
        finally:
            pool.close()
            await app.close()
    return out


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("kkgbot.digest").setLevel(logging.INFO)  # the round's phases
    parser = argparse.ArgumentParser(prog="python -m bench.digest_monday")
    parser.add_argument("--kkgs", type=int, default=2000)
    parser.add_argument("--no-inline", action="store_true", help="skip the inline comparison")
    args = parser.parse_args()
    figures = asyncio.run(digest_monday(args.kkgs, inline=not args.no_inline))
    for key, value in figures.items():
        print(f"bench.digest_monday.{key} = {value}", flush=True)


if __name__ == "__main__":
    main()
