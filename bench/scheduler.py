"""100,000 pending reminders: start-up, memory and how late the due ones go out.

Reminders are outbox rows written ahead with their `not_before` (and a misfire deadline);
the dispatcher only ever asks the database for what is due, so neither start-up time nor
memory should depend on how many wait.
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

from bench.broadcast import BOT_ENV, SERVER
from bench.common import Bot, database, fake_server, insert_messages, percentile


async def _run(backend: str, pending: int, due: int, window: float) -> dict[str, float]:
    async with fake_server() as srv, database(backend) as url:
        await srv.configure(**SERVER)
        now = datetime.now(UTC)
        first = now + timedelta(seconds=12)
        rows = []
        for i in range(due):
            at = first + timedelta(seconds=window * i / due)
            rows.append((str(1_000_000 + i), f"pengingat {at.timestamp():.3f}", at))
        rng = random.Random(3)
        for i in range(pending - due):
            at = now + timedelta(days=1, seconds=rng.uniform(0, 30 * 86400))
            rows.append((str(2_000_000 + i), f"nanti {i}", at))
        await insert_messages(url, rows, "bench-reminders")
        bot = Bot(url, srv.base_url, **BOT_ENV)
        startup = await bot.start()
        try:
            rss_start = bot.rss_mb()
            done = await srv.wait_for("pengingat", due, timeout=window + 60)
            rss_end = bot.rss_mb()
            texts = (await srv.stats("pengingat", texts=True))["texts"]
        finally:
            await bot.stop()
    late = [at - float(text.split()[1]) for text, at in texts]
    return {
        "pending": pending,
        "due": due,
        "delivered": done["chats"],
        "startup_s": round(bot.scheduler_after, 2),  # the scheduler runs due work from here
        "ready_s": round(startup, 2),  # and every channel can send (the sender process is up)
        "rss_start_mb": round(rss_start, 1),
        "rss_mb": round(rss_end, 1),
        "lateness_p50_ms": round(percentile(late, 0.5) * 1000),
        "lateness_p99_ms": round(percentile(late, 0.99) * 1000),
    }


async def scheduler(backend: str, pending: int, due: int = 2000) -> dict[str, float]:
    big = await _run(backend, pending, due, window=10)
    small = await _run(backend, due, due, window=10)
    big["rss_growth_mb"] = round(big["rss_mb"] - small["rss_mb"], 1)
    big["startup_small_s"] = small["startup_s"]
    big["ready_small_s"] = small["ready_s"]
    return big


if __name__ == "__main__":
    print(asyncio.run(scheduler("sqlite", 100_000)))
