"""A dispatcher whose own lease ran out never sends a row it still holds a second time.

Found by bench/soak: under load (a starved loop, a claim that waited seconds for SQLite's
write lock, so the lease it wrote had already run out) the next claim took rows the same
dispatcher was still sending or had sent and not yet recorded, and sent them again.
Here the lease is shorter than one send, so every claim finds the rows in flight stale.
"""

from __future__ import annotations

import asyncio

from kkgbot.clock import SystemClock
from kkgbot.delivery import outbox
from tests.delivery_helpers import put, rows, telegram_app


async def test_a_row_in_flight_is_not_sent_again_when_its_lease_runs_out(settings):
    fast = settings.model_copy(
        update={"dispatcher_poll_seconds": 0.02, "delivery_lease_seconds": 0.05}
    )
    async with telegram_app(fast, SystemClock()) as (app, srv):
        plain = srv._methods["sendmessage"][1]

        async def slow_send(rec):
            await asyncio.sleep(0.4)  # longer than the lease: every claim sees it stale
            return await plain(rec)

        srv.register_method("sendMessage", slow_send)
        for chat in range(1, 6):
            await put(app, chat, f"pengingat {chat}")
        task = asyncio.create_task(app.dispatcher.run_forever())
        try:
            await srv.wait_until(lambda: len(srv.sent_messages()) >= 5, timeout=20)
            await asyncio.sleep(1.5)  # a second copy would arrive now
        finally:
            await app.dispatcher.stop()
            await asyncio.wait_for(task, 20)
        assert set(srv.delivered_counts().values()) == {1}, srv.delivered_counts()
        assert {r.status for r in (await rows(app)).values()} == {outbox.SENT}
