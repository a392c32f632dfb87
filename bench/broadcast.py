"""Broadcast, faults and crash: one big send against a fake Bot API that enforces limits.

The server's overall limit is 300/s (Telegram scaled up tenfold so a run is short); the
bot is told the same limit. A share of the limit near 1 with no 429 means the dispatcher
rides just under the limit; the PTB AIORateLimiter baseline does the same job in the same
run for comparison.
"""

from __future__ import annotations

import asyncio
import time

from bench.common import (
    TOKEN,
    Bot,
    count_status,
    database,
    fake_server,
    insert_messages,
    percentile,
    soon,
)

LIMIT = 300.0
SERVER = {
    "rate_limit_overall": LIMIT,
    "rate_limit_per_chat": 1.0,
    "rate_limit_per_chat_burst": 3,
    "rate_limit_per_group_per_minute": 20,
}
BOT_ENV = {
    "KKGBOT_TELEGRAM_RATE": LIMIT,
    "KKGBOT_DISPATCHER_POLL": 0.1,
    "KKGBOT_DELIVERY_CONCURRENCY": 8,
}


def broadcast_rows(n: int, prefix: str) -> list[tuple[str, str, object]]:
    now = soon()
    return [(str(chat), f"{prefix} {chat}", now) for chat in range(1, n + 1)]


def share(accepted: int, start: float, end: float) -> float:
    return accepted / max(1e-9, end - start) / LIMIT


async def broadcast(backend: str, n: int, chatters: int = 50) -> dict[str, float]:
    async with fake_server() as srv, database(backend) as url:
        await srv.configure(**SERVER)
        bot = Bot(url, srv.base_url, **BOT_ENV)
        await bot.start()
        try:
            await srv.call("benchChatStart", first_id=500_001, count=chatters)
            await asyncio.sleep(3)  # the teachers are chatting before the broadcast starts
            before = await srv.stats("", all_times=True)
            start = time.time()
            await insert_messages(url, broadcast_rows(n, "siaran"), "bench-broadcast")
            done = await srv.wait_for("siaran", n, timeout=120)
            chat = await srv.call("benchChatStop")
            await asyncio.sleep(1)  # anything sent twice would arrive now
            after = await srv.stats("siaran", all_times=True)
        finally:
            await bot.stop()
    end = done["last"] or time.time()
    in_window = [t for t in after["all_times"] if start <= t <= end]
    latencies = chat["latencies"]
    return {
        "messages": n,
        "seconds": round(end - start, 2),
        "share_of_limit": round(share(len(in_window), start, end), 3),
        "429s": after["stats"]["429"] - before["stats"]["429"],
        "lost": n - after["chats"],
        "duplicated": after["duplicates"],
        "reply_p50_ms": round(percentile(latencies, 0.5) * 1000),
        "reply_p99_ms": round(percentile(latencies, 0.99) * 1000),
        "replies": len(latencies),
        "replies_unanswered": chat["unanswered"],
    }


async def baseline(n: int) -> dict[str, float]:
    """The same broadcast through PTB's AIORateLimiter, as a PTB bot would usually do it."""
    from telegram.ext import AIORateLimiter, ExtBot
    from telegram.request import HTTPXRequest

    async with fake_server() as srv:
        await srv.configure(**SERVER)
        limiter = AIORateLimiter(overall_max_rate=LIMIT, overall_time_period=1, max_retries=5)
        bot = ExtBot(
            TOKEN,
            base_url=srv.base_url,
            request=HTTPXRequest(connection_pool_size=64),
            rate_limiter=limiter,
        )
        async with bot:
            start = time.time()
            results = await asyncio.gather(
                *(bot.send_message(chat, f"siaran {chat}") for chat in range(1, n + 1)),
                return_exceptions=True,
            )
        end = time.time()
        after = await srv.stats("siaran")
    errors = sum(1 for r in results if isinstance(r, Exception))
    return {
        "messages": n,
        "seconds": round(end - start, 2),
        "share_of_limit": round(share(after["matching"], start, end), 3),
        "429s": after["stats"]["429"],
        "lost": n - after["chats"],
        "duplicated": after["duplicates"],
        "errors_raised": errors,
    }


async def faults(backend: str, n: int, rate: float = 0.2) -> dict[str, float]:
    """20% of sends answered 500, 429 or a dropped connection (before or after acceptance)."""
    async with fake_server(seed=7) as srv, database(backend) as url:
        await srv.configure(
            **SERVER,
            fault_rate=rate,
            fault_kinds=["error_500", "retry_429", "drop_before", "drop_after"],
        )
        env = {**BOT_ENV, "KKGBOT_MAX_ATTEMPTS": 12, "KKGBOT_BACKOFF_BASE": 0.5}
        env["KKGBOT_BACKOFF_MAX"] = 5
        bot = Bot(url, srv.base_url, **env)
        await bot.start()
        try:
            start = time.time()
            await insert_messages(url, broadcast_rows(n, "siaran"), "bench-faults")
            done = await srv.wait_for("siaran", n, timeout=400)
            await asyncio.sleep(2)
            after = await srv.stats("siaran")
        finally:
            await bot.stop()
        dead = await count_status(url, "dead")
    drops_after = after["stats"]["drops_after"]
    return {
        "messages": n,
        "seconds": round((done["last"] or time.time()) - start, 2),
        "lost": n - after["chats"],
        "dead": dead,
        "duplicated": after["duplicates"],
        "drops_after": drops_after,
        "unexplained_duplicates": max(0, after["duplicates"] - drops_after),
        "429s": after["stats"]["429"],
        "5xx": after["stats"]["5xx"],
        "drops_before": after["stats"]["drops_before"],
    }


async def crash(backend: str, n: int) -> dict[str, float]:
    """kill -9 the bot half-way through a broadcast, start it again."""
    async with fake_server() as srv, database(backend) as url:
        await srv.configure(**SERVER)
        env = {**BOT_ENV, "KKGBOT_DELIVERY_LEASE": 5}
        bot = Bot(url, srv.base_url, **env)
        await bot.start()
        start = time.time()
        await insert_messages(url, broadcast_rows(n, "siaran"), "bench-crash")
        await srv.wait_for("siaran", n // 2, timeout=120)
        await bot.stop(kill=True)
        at_kill = (await srv.stats("siaran"))["chats"]
        in_flight = await count_status(url, "sending")
        again = Bot(url, srv.base_url, **env)
        await again.start()
        try:
            done = await srv.wait_for("siaran", n, timeout=180)
            await asyncio.sleep(1)
            after = await srv.stats("siaran")
        finally:
            await again.stop()
    return {
        "messages": n,
        "delivered_at_kill": at_kill,
        "in_flight_at_kill": in_flight,
        "lost": n - after["chats"],
        "duplicated": after["duplicates"],
        "duplicates_within_in_flight": int(after["duplicates"] <= in_flight),
        "seconds": round((done["last"] or time.time()) - start, 2),
        "restart_seconds": round(again.ready_after, 2),
    }
