"""Inbound end to end (issue 21): Telegram updates posted to the real webhook of
`bot.py run` (`bench/bot_process.py`, webhook mode, the fake Bot API in its own process),
each counted when its reply is in the outbox.

The webhook answers Telegram only once the update's transaction has committed
(kkgbot/web/asgi.py: Telegram sends again until it gets a 200), so an update's time runs
from its POST to that 200; the outbox is then read to check that every update has its
reply queued (`replies_queued`). The dispatcher process sends the replies to the fake Bot
API meanwhile, as in production (paced at Telegram's limit, so it is still sending when
the run ends).

Baseline, side by side on the same database and messages: the router alone, in this
process (no HTTP, no PTB, no dispatcher): what the front door and the step cost. The
statements a plain message takes are counted there too (`before_cursor_execute`), on the
same code path the process runs.

Bounded: a fixed number of updates, each request and the whole run under timeouts.
"""

from __future__ import annotations

import asyncio
import time

import httpx
from sqlalchemy import event, func, select

from bench.common import Bot, add_telegram_members, database, fake_server, percentile
from kkgbot.app import App
from kkgbot.clock import SystemClock
from kkgbot.db.models import OutboxMessage
from kkgbot.messages import Inbound
from kkgbot.settings import Settings
from kkgbot.web.server import bound_socket

SECRET = "bench-webhook-secret"
FIRST_CHAT = 40_000
TEXT = "/bantuan"  # a plain message: a known member's text that gets one reply
RUN_TIMEOUT = 300.0


async def _router_baseline(app: App, people: int, concurrency: int) -> tuple[float, float]:
    """Updates a second through the router alone, and the statements each one took."""
    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    sem = asyncio.Semaphore(concurrency)

    async def say(n: int) -> None:
        async with sem:
            address = str(FIRST_CHAT + n)
            await app.router.handle(Inbound("telegram", address, text=TEXT, external_id=f"b{n}"))

    event.listen(app.engine.sync_engine, "before_cursor_execute", count)
    try:
        start = time.perf_counter()
        await asyncio.gather(*(say(n) for n in range(people)))
        elapsed = time.perf_counter() - start
    finally:
        event.remove(app.engine.sync_engine, "before_cursor_execute", count)
    return people / elapsed, statements / people


def _update(update_id: int, chat: int) -> dict:
    user = {"id": chat, "is_bot": False, "first_name": f"Guru {chat}"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": user["first_name"]},
            "from": user,
            "text": TEXT,
        },
    }


async def _post_all(
    url: str, first_id: int, count: int, people: int, concurrency: int
) -> tuple[list[float], float, int]:
    """POST `count` updates, `concurrency` at a time (Telegram keeps up to 40 connections
    open to a webhook); chats take turns so one person's messages rarely wait for each other."""
    latencies: list[float] = []
    refused = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits, headers=headers) as client:

        async def worker() -> None:
            nonlocal refused
            while not queue.empty():
                n = queue.get_nowait()
                body = _update(first_id + n, FIRST_CHAT + n % people)
                started = time.perf_counter()
                answer = await client.post(url, json=body)
                if answer.status_code == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    refused += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return latencies, elapsed, refused


async def _replies_queued(app: App, first_id: int, count: int) -> int:
    async with app.sessionmaker() as s:
        keys = [f"in:telegram:u{first_id + n}:0" for n in range(count)]
        found = 0
        for start in range(0, count, 1000):
            query = select(func.count()).where(
                OutboxMessage.idempotency_key.in_(keys[start : start + 1000])
            )
            found += int(await s.scalar(query))
        return found


async def _through_the_process(
    app: App, url: str, updates: int, people: int, concurrency: int, first: int
) -> dict[str, float]:
    """One `bot.py run`: its webhook's rate and latencies, and the replies it queued."""
    async with fake_server() as telegram:
        sock = bound_socket()
        port = sock.getsockname()[1]
        sock.close()  # the bot binds it itself
        public = f"http://127.0.0.1:{port}"
        bot = Bot(url, telegram.base_url, KKGBOT_PUBLIC_URL=public, KKGBOT_HTTP_PORT=str(port),
                  KKGBOT_WEBHOOK_SECRET=SECRET)  # fmt: skip
        await bot.start()
        try:
            hook = f"{public}/telegram/webhook"
            await _post_all(hook, first, min(100, updates), people, concurrency)  # warm-up
            first += updates
            latencies, elapsed, refused = await asyncio.wait_for(
                _post_all(hook, first, updates, people, concurrency), RUN_TIMEOUT
            )
            queued = await _replies_queued(app, first, updates)
        finally:
            await bot.stop()
    return {
        "updates_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "replies_queued": queued,
        "refused": refused,
    }


async def inbound_e2e(
    backend: str, updates: int = 2000, people: int = 500, concurrency: int = 32
) -> dict[str, float]:
    async with database(backend) as url:
        app = App(Settings().model_copy(update={"database_url": url}), SystemClock())
        try:
            await app.seed_demo()
            await add_telegram_members(app, people, FIRST_CHAT, "Guru Masuk")
            router_rate, statements = await _router_baseline(app, people, concurrency)
            run = await _through_the_process(app, url, updates, people, concurrency, 1_000_000)
        finally:
            await app.close()
    return {
        "postgres": int(backend == "postgres"),
        "updates": updates,
        "concurrency": concurrency,
        **run,
        "statements_per_message": round(statements, 2),
        "router_in_process_per_s": round(router_rate, 1),
        "e2e_vs_router": round(run["updates_per_s"] / router_rate, 2),
    }
