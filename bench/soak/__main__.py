"""`python -m bench.soak [--quick|--tiny] [--postgres]`: one soak, its figures printed."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import time

from bench.soak.plan import FULL, QUICK, TINY
from bench.soak.run import soak


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="100 members, 75 s (development)")
    size.add_argument("--tiny", action="store_true", help="20 members, 20 s, one restart")
    parser.add_argument("--postgres", action="store_true", help="KKGBOT_BENCH_POSTGRES_URL")
    parser.add_argument(
        "--rare-429",
        action="store_true",
        help="Telegram faults 500/drop_before/drop_after 3 each to 1 for 429 (still 10%%)",
    )
    parser.add_argument("--details", help="write the unexplained duplicates here (JSON)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    scale = TINY if args.tiny else QUICK if args.quick else FULL
    if args.rare_429:
        weights = (
            ("error_500", 3.0),
            ("retry_429", 1.0),
            ("drop_before", 3.0),
            ("drop_after", 3.0),
        )
        scale = dataclasses.replace(scale, fault_kinds=weights)
    started = time.monotonic()
    figures = asyncio.run(soak("postgres" if args.postgres else "sqlite", scale))
    figures["bench_seconds"] = round(time.monotonic() - started, 1)
    name = "soak_pg" if args.postgres else "soak"
    for key, value in figures.items():
        print(f"bench.{name}.{key} = {value}")
    if args.details:
        from bench.soak import ledger

        with open(args.details, "w") as out:
            json.dump(ledger.details, out, indent=1, default=str)


if __name__ == "__main__":
    main()
