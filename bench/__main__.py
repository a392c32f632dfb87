"""`python -m bench`: the quick suite on SQLite (and PostgreSQL when
KKGBOT_BENCH_POSTGRES_URL is set); `--heavy` for bigger scales, `--only NAME` for one.

`soak` (about 5 minutes a backend) is not in the quick suite: it runs with `--only soak`
or `--heavy`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
from functools import partial

from bench.broadcast import baseline, broadcast, crash, faults
from bench.inbound import inbound
from bench.inbound_e2e import inbound_e2e
from bench.metrics import scrape_bench
from bench.scheduler import scheduler

PG_ONLY = {"digest_monday"}  # national scale: not a SQLite deployment; named without "_pg"


def print_block(name: str, figures: dict[str, float]) -> None:
    print(f"\n{name}")
    for key, value in figures.items():
        print(f"  {key:<28} {value}")
    for key, value in figures.items():
        print(f"bench.{name}.{key} = {value}")


async def suite(only: set[str], heavy: bool) -> None:
    n = 10_000 if heavy else 3000
    backends = ["sqlite"] + (["postgres"] if os.environ.get("KKGBOT_BENCH_POSTGRES_URL") else [])
    for backend in backends:
        tag = "" if backend == "sqlite" else "_pg"
        runs = {
            "broadcast": partial(broadcast, backend, n),
            "broadcast_baseline": partial(baseline, n),
            "faults": partial(faults, backend, n if heavy else 1000),
            "crash": partial(crash, backend, n),
            "scheduler": partial(scheduler, backend, 300_000 if heavy else 100_000),
            "inbound": partial(inbound, backend, 2000 if heavy else 400),
            "inbound_e2e": partial(inbound_e2e, backend, 5000 if heavy else 2000),
            "group_presses": partial(
                __import__("bench.group_presses", fromlist=["_"]).group_presses, backend
            ),
            "digest": partial(__import__("bench.digest", fromlist=["_"]).digest_bench, backend),
            "digest_monday": partial(
                __import__("bench.digest_monday", fromlist=["_"]).digest_monday,
                4000 if heavy else 2000,
            ),
            "metrics": partial(scrape_bench, backend, 500_000),
            "dashboard": partial(
                __import__("bench.dashboard", fromlist=["_"]).dashboard_bench, backend
            ),
            "lesson_push": partial(
                __import__("bench.lesson_push", fromlist=["_"]).lesson_push,
                backend,
                3000 if heavy else 600,
            ),
            "soak": partial(__import__("bench.soak", fromlist=["_"]).soak, backend),
            "scale_out": partial(
                __import__("bench.scale_out", fromlist=["_"]).scale_out,
                backend,
                1200 if heavy else 300,
            ),
        }
        for name, run in runs.items():
            if only and name not in only:
                continue
            if name == "soak" and not (heavy or "soak" in only):
                continue  # minutes long: only when asked for
            if name == "broadcast_baseline" and backend != "sqlite":
                continue  # no database involved: once is enough
            if (name in PG_ONLY or name == "scale_out") and backend != "postgres":
                continue  # processes sharing one database, or a national figure: PostgreSQL
            if name == "inbound_e2e" and backend != backends[-1]:
                continue  # once, on PostgreSQL when there is one (the figure)
            started = time.monotonic()
            try:
                figures = await run()
            except Exception as exc:  # one broken benchmark must not hide the others
                logging.exception("benchmark %s failed", name)
                figures = {"error": f"{type(exc).__name__}: {exc}"[:200]}
            figures["bench_seconds"] = round(time.monotonic() - started, 1)
            print_block(name + ("" if name in PG_ONLY | {"inbound_e2e"} else tag), figures)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        epilog="soak (issue 10, ~5 min per backend) runs only with --only soak or --heavy",
    )
    parser.add_argument("--only", action="append", default=[], help="run only this benchmark")
    parser.add_argument("--heavy", action="store_true", help="bigger scales (slower)")
    args = parser.parse_args()
    if "scale_out" in args.only and not os.environ.get("KKGBOT_BENCH_POSTGRES_URL"):
        print("scale_out runs on PostgreSQL only: set KKGBOT_BENCH_POSTGRES_URL")
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(suite(set(args.only), args.heavy))


if __name__ == "__main__":
    main()
