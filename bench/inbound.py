"""Inbound throughput: a button press through the router to a state change and a reply
in the outbox, in one transaction, many people at once (no channel, no dispatcher)."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from bench.common import database
from kkgbot.app import App
from kkgbot.clock import SystemClock
from kkgbot.db.models import OutboxMessage, Person
from kkgbot.messages import Inbound
from kkgbot.settings import Settings


async def inbound(backend: str, people: int = 400, concurrency: int = 16) -> dict[str, float]:
    async with database(backend) as url:
        app = App(Settings().model_copy(update={"database_url": url}), SystemClock())
        try:
            sem = asyncio.Semaphore(concurrency)

            async def say(n: int, **what) -> None:
                async with sem:
                    await app.router.handle(Inbound("telegram", str(10_000 + n), **what))

            await asyncio.gather(
                *(say(n, text="/bahasa", external_id=f"a{n}") for n in range(people))
            )
            async with app.sessionmaker() as session:
                rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
                data = {
                    r.address: c["data"]
                    for r in rows
                    for c in r.payload.get("choices", [])
                    if c["label"] == "English"
                }
            start = time.perf_counter()
            await asyncio.gather(
                *(say(n, data=data[str(10_000 + n)], external_id=f"b{n}") for n in range(people))
            )
            elapsed = time.perf_counter() - start
            async with app.sessionmaker() as session:
                switched = len(
                    list(await session.scalars(select(Person).where(Person.language == "en")))
                )
        finally:
            await app.close()
    return {
        "presses": people,
        "updates_per_s": round(people / elapsed, 1),
        "state_changed": switched,
    }
