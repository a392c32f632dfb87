"""Two dispatchers on one database: a row the other one took is never sent from here.

Production runs several dispatchers on PostgreSQL (and the Telegram sender in its own
process). When one of them stalls past its lease (a starved loop, a database that was away),
another claims its rows; the rows still waiting in the first one's lanes must then stay
unsent there. Only the send that was already on the wire may arrive twice, as issue 3
allows. Before the lease was checked as a token, every row of the stalled dispatcher's
lane arrived twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta

from kkgbot.channels.base import RETRY, SENT, SendResult
from kkgbot.clock import SystemClock
from kkgbot.delivery import outbox, store
from kkgbot.delivery.dispatcher import Dispatcher
from tests.delivery_helpers import put, rows, telegram_app

CHATS = range(1, 9)


async def test_rows_another_dispatcher_took_are_not_sent_again(settings):
    # A lease of 0.3 s renewed every 0.5 s runs out between renewals, as a stalled
    # dispatcher's does; the first one also stops looking for work (a 30 s poll).
    stalled = settings.model_copy(
        update={
            "dispatcher_poll_seconds": 30.0,
            "delivery_lease_seconds": 0.3,
            "lane_lease_seconds": 0.3,
            "delivery_concurrency": 1,
        }
    )
    async with telegram_app(stalled, SystemClock()) as (app, srv):
        plain = srv._methods["sendmessage"][1]

        async def slow_for_chat_1(rec):
            if rec.chat_id == 1:
                await asyncio.sleep(1.5)  # the first dispatcher stalls on this one
            return await plain(rec)

        srv.register_method("sendMessage", slow_for_chat_1)
        for chat in CHATS:
            await put(app, chat, f"pengingat {chat}")
        first = app.dispatcher
        busy = stalled.model_copy(update={"dispatcher_poll_seconds": 0.05})
        second = Dispatcher(app.sessionmaker, app.channels, busy, app.clock)
        one = asyncio.create_task(first.run_forever())
        for _ in range(500):  # until its first lane lease is taken
            if first.ownership is not None and first.ownership.owned:
                break
            await asyncio.sleep(0.01)
        assert first.ownership is not None and first.ownership.owned

        async def stalled_renewal(_wanted, _now):  # its lane lease runs out too
            return set()

        first.ownership.refresh = stalled_renewal
        await asyncio.sleep(0.6)  # the first holds all eight; its leases run out meanwhile
        two = asyncio.create_task(second.run_forever())
        try:
            await srv.wait_until(lambda: set(srv.delivered_counts()) == set(CHATS), timeout=20)
            await asyncio.sleep(2.0)  # the first dispatcher's lane moves on: nothing more
        finally:
            await first.stop()
            await second.stop()
            await asyncio.wait_for(asyncio.gather(one, two), 20)
        counts = srv.delivered_counts()
        twice = sorted(chat for chat, n in counts.items() if n > 1)
        assert twice in ([], [1]), counts  # only the send that was on the wire
        assert first.stats["lease_lost"] >= len(CHATS) - 2, first.stats
        assert {r.status for r in (await rows(app)).values()} == {outbox.SENT}


async def test_renew_keeps_only_the_leases_we_still_hold(settings):
    async with telegram_app(settings, SystemClock()) as (app, _srv):
        for chat in (1, 2):
            await put(app, chat, f"pesan {chat}")
        now = app.clock.now()
        lease = timedelta(seconds=30)
        mine, _ = await store.claim(app.sessionmaker, ["telegram"], now, 10, lease)
        assert len(mine) == 2 and not any(r.lost for r in mine)
        await store.renew(app.sessionmaker, mine, now + lease / 2, lease)
        assert not any(r.lost for r in mine)
        later = now + lease * 3  # our leases ran out; another dispatcher claims the rows
        theirs, _ = await store.claim(app.sessionmaker, ["telegram"], later, 10, lease)
        assert {r.id for r in theirs} == {r.id for r in mine}
        await store.renew(app.sessionmaker, mine, later, lease)
        assert all(r.lost for r in mine)  # and their leases were left alone
        stale = dataclasses.replace(theirs[0], owner=mine[0].owner, lost=False)
        assert not await store.retake(app.sessionmaker, stale, later, lease)
        await store.renew(app.sessionmaker, theirs, later, lease)
        assert not any(r.lost for r in theirs)
        # They send and record theirs; our late "failed" must not undo their "sent" (that
        # would queue a third copy), nor may we give their rows back at our shutdown.
        sent = [store.Outcome(r, SendResult(SENT, external_id="9"), later) for r in theirs]
        await store.record(app.sessionmaker, sent[:1], settings)
        late = [store.Outcome(r, SendResult(RETRY, error="timed out"), later) for r in mine]
        await store.record(app.sessionmaker, late, settings)
        await store.release(app.sessionmaker, mine, later)
        found = {r.id: r for r in (await rows(app)).values()}
        assert found[theirs[0].id].status == outbox.SENT
        assert found[theirs[1].id].status == outbox.SENDING  # still theirs, still leased
        await store.release(app.sessionmaker, theirs[1:], later)  # theirs to give back
        assert (await rows(app))["pesan 2"].status == outbox.QUEUED
