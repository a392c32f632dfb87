"""Several bots in one deployment: each member reached through the bot they joined, each
bot's lane owned by one dispatcher at a time, taken over when its owner dies.

Each bot is a fake Bot API server of its own (its own token, its own limits), as each
real bot is a token of its own on Telegram's side.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from kkgbot.app import App
from kkgbot.channels.telegram import TelegramChannel
from kkgbot.clock import SystemClock
from kkgbot.db.models import Identity, LaneLease
from kkgbot.delivery import outbox
from kkgbot.delivery.dispatcher import Dispatcher
from kkgbot.delivery.lanes import PRESENCE
from kkgbot.people import messaging
from kkgbot.people.messaging import Recipient
from tests.delivery_helpers import rows
from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram_helpers import DaytimeClock

TOKENS = {None: "111:DEFAULT", "utara": "222:UTARA"}


@contextlib.asynccontextmanager
async def two_bots(settings, clock=None) -> AsyncIterator[tuple[App, dict]]:
    """The App with the default bot and bot `utara`, each against its own fake server."""
    async with contextlib.AsyncExitStack() as stack:
        servers = {}
        for via, token in TOKENS.items():
            servers[via] = await stack.enter_async_context(FakeTelegramServer(token=token))
        app = App(settings, clock or DaytimeClock())
        stack.push_async_callback(app.close)
        for via, token in TOKENS.items():
            channel = TelegramChannel(token, servers[via].base_url, app.router.handle, via=via)
            app.add_channel(channel)
            await channel.start(polling=True)
            stack.push_async_callback(channel.stop)
        yield app, servers


async def running(dispatcher: Dispatcher) -> asyncio.Task[None]:
    task = asyncio.create_task(dispatcher.run_forever(poll_seconds=0.05))
    for _ in range(500):  # until its first lane leases are settled
        if dispatcher.ownership is not None and dispatcher._tasks:
            break
        await asyncio.sleep(0.01)
    return task


async def test_a_member_is_reached_through_the_bot_they_joined(settings):
    async with two_bots(settings) as (app, srv):
        task = await running(app.dispatcher)
        try:
            # The same update id on both bots (each counts its own): both are handled.
            first = srv["utara"].user_sends(7, "/start")
            other = srv[None].user_sends(8, "/start")
            assert first["update_id"] == other["update_id"]
            await srv["utara"].wait_for_messages(7, 1)
            await srv[None].wait_for_messages(8, 1)
            assert not srv[None].sent_messages(7) and not srv["utara"].sent_messages(8)
            async with app.sessionmaker() as session:
                via = dict((await session.execute(select(Identity.address, Identity.via))).all())
            assert via == {"7": "utara", "8": None}
            # Something the bot starts (a lesson, a reminder) goes through their bot too.
            async with app.sessionmaker() as session, session.begin():
                for pid in (await session.scalars(select(Identity.person_id))).all():
                    who = Recipient(pid, "id", "Asia/Makassar")
                    now = app.clock.now()
                    await messaging.send(
                        session, who, lambda _: "materi baru", key=f"t:{pid}", now=now
                    )
            app.dispatcher.notify()
            await srv["utara"].wait_until(
                lambda: any(m.text == "materi baru" for m in srv["utara"].sent_messages(7))
            )
            await srv[None].wait_until(
                lambda: any(m.text == "materi baru" for m in srv[None].sent_messages(8))
            )
        finally:
            await app.dispatcher.stop()
            await task
        assert {r.status for r in (await rows(app)).values()} == {outbox.SENT}


async def owners(app: App) -> dict[str, str]:
    async with app.sessionmaker() as session:
        leases = await session.execute(select(LaneLease.lane, LaneLease.owner))
        return {lane: owner for lane, owner in leases if not lane.startswith(PRESENCE)}


async def put_many(app: App, via: str | None, chats: range, text: str) -> None:
    async with app.sessionmaker() as session, session.begin():
        for chat in chats:
            draft = outbox.Draft(
                channel="telegram", via=via, address=str(chat), text=f"{text} {chat}",
                key=f"t:{via}:{chat}:{text}", kind=outbox.BULK,
            )  # fmt: skip
            await outbox.enqueue(session, draft, app.clock.now())


async def die(dispatcher: Dispatcher) -> None:
    """As a killed process: its loops end where they are, nothing is given back (their
    open transactions roll back, as the database does for a process that died)."""
    for task in dispatcher._tasks:
        task.cancel()
    await asyncio.gather(*dispatcher._tasks, return_exceptions=True)


async def split_between(first: Dispatcher, second: Dispatcher) -> None:
    for _ in range(100):  # a newcomer gets its share within a few lease renewals
        mine = [d.ownership.owned if d.ownership else set() for d in (first, second)]
        if all(len(owned) == 1 for owned in mine):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"lanes not shared out: {mine}")


async def shared_out(app: App, srv: dict, quick) -> tuple[Dispatcher, Dispatcher, list]:
    """Two dispatchers on one database, as in two processes: the first takes both lanes,
    the second gets its share; each lane then sends through one of them, once."""
    first = app.dispatcher
    second = Dispatcher(app.sessionmaker, app.channels, quick, app.clock)
    tasks = [await running(first)]
    assert await owners(app) == {"telegram": first.owner, "telegram:utara": first.owner}
    tasks.append(await running(second))
    await split_between(first, second)  # two bots, two processes: one each
    leases = await owners(app)
    assert {leases["telegram"], leases["telegram:utara"]} == {first.owner, second.owner}
    assert first.ownership.owned.isdisjoint(second.ownership.owned)
    await put_many(app, None, range(1, 21), "pesan")
    await put_many(app, "utara", range(1, 21), "pesan")
    first.notify()
    second.notify()
    await srv[None].wait_until(lambda: len(srv[None].sent_messages()) == 20, 10)
    await srv["utara"].wait_until(lambda: len(srv["utara"].sent_messages()) == 20, 10)
    assert srv[None].duplicate_count() == srv["utara"].duplicate_count() == 0
    return first, second, tasks


async def stop_all(dispatchers: tuple[Dispatcher, ...], tasks: list) -> None:
    for dispatcher, task in zip(dispatchers, tasks, strict=False):
        if dispatcher._tasks and not dispatcher._tasks[0].done():
            await dispatcher.stop()
            await task
        else:  # a dispatcher that died: nothing to give back
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


QUICK = {"lane_lease_seconds": 1.0, "delivery_lease_seconds": 1.0}


async def test_each_lane_has_one_owner_among_dispatchers(settings):
    quick = settings.model_copy(update=QUICK)
    async with two_bots(quick, SystemClock()) as (app, srv):
        first, second, tasks = await shared_out(app, srv, quick)
        await stop_all((first, second), tasks)
        assert await owners(app) == {}  # both gave their lanes back at their stop
        assert {r.status for r in (await rows(app)).values()} == {outbox.SENT}


async def test_a_dead_owners_lane_is_taken_over_within_the_lease(settings):
    if settings.is_sqlite:
        pytest.skip(
            "a death inside this process can leave SQLite's write lock with a cancelled "
            "connection; a killed process releases it (two processes share SQLite only as "
            "the bot and its sender process, bench crash covers that)"
        )
    quick = settings.model_copy(update=QUICK)
    async with two_bots(quick, SystemClock()) as (app, srv):
        first, second, tasks = await shared_out(app, srv, quick)
        try:
            plain = srv["utara"]._methods["sendmessage"][1]

            async def slow(rec):
                await asyncio.sleep(0.3)
                return await plain(rec)

            srv["utara"].register_method("sendMessage", slow)
            dead, alive = (first, second) if "telegram:utara" in first._mine() else (second, first)
            await put_many(app, "utara", range(1, 21), "lagi")
            dead.notify()
            await srv["utara"].wait_until(lambda: len(srv["utara"].sent_messages()) >= 23, 10)
            died, died_at = asyncio.get_running_loop().time(), time.time()
            await die(dead)  # mid-send: some of "lagi" are on the wire, the rest claimed or queued
            await put_many(app, "utara", range(1, 11), "sesudah")

            def arrived(text: str) -> set[int]:
                return {m.chat_id for m in srv["utara"].sent_messages() if text in m.text}

            await srv["utara"].wait_until(lambda: arrived("sesudah") == set(range(1, 11)), 10)
            taken = asyncio.get_running_loop().time() - died
            assert taken < 4.0  # the lease (1 s), a renewal period, a claim, ten slow sends
            await srv["utara"].wait_until(lambda: arrived("lagi") == set(range(1, 21)), 15)
            assert set((await owners(app)).values()) == {alive.owner}
            assert srv[None].duplicate_count() == 0
            # Sent twice: only what the dead one had sent, or had on the wire, as it died.
            first_copy: dict[str, float] = {}
            for m in srv["utara"].sent_messages():
                first_copy.setdefault(m.text, m.request.time)
            twice = srv["utara"].duplicates()
            assert all(first_copy[text] <= died_at + 0.5 for _, text in twice), twice
        finally:
            await stop_all((first, second), tasks)
        assert await owners(app) == {}  # the survivor gave its lanes back at its stop
        assert {r.status for r in (await rows(app)).values()} == {outbox.SENT}


async def test_each_bot_has_its_own_webhook(settings):
    from kkgbot.web.server import bound_socket
    from kkgbot.web.wiring import start_web

    sock = bound_socket()
    public = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = settings.model_copy(update={"public_url": public, "webhook_secret": "rahasia"})
    async with contextlib.AsyncExitStack() as stack:
        srv = {
            via: await stack.enter_async_context(FakeTelegramServer(token=token))
            for via, token in TOKENS.items()
        }
        app = App(settings, DaytimeClock())
        stack.push_async_callback(app.close)
        web = await start_web(app, settings, sock=sock)
        stack.push_async_callback(web.stop)
        for via, token in TOKENS.items():
            channel = TelegramChannel(token, srv[via].base_url, app.router.handle, via=via)
            web.add_channel(app, channel)
            web.attach_telegram(channel)
            await channel.start(polling=False)
            stack.push_async_callback(channel.stop)
            await web.register_telegram_webhook(channel)
        assert srv[None].webhook["url"] == public + "/telegram/webhook"
        assert srv["utara"].webhook["url"] == public + "/telegram/webhook/utara"
        task = await running(app.dispatcher)
        try:
            srv["utara"].user_sends(9, "/start")
            assert await srv["utara"].deliver_webhook_updates() == [200]
            await srv["utara"].wait_for_messages(9, 1, timeout=10)
            assert not srv[None].sent_messages(9)
            async with httpx.AsyncClient() as client:  # a bot nobody configured: no such path
                headers = {"X-Telegram-Bot-Api-Secret-Token": "rahasia"}
                unknown = public + "/telegram/webhook/selatan"
                answer = await client.post(unknown, json={"update_id": 1}, headers=headers)
            assert answer.status_code == 404
        finally:
            await app.dispatcher.stop()
            await task
        async with app.sessionmaker() as session:
            assert await session.scalar(select(Identity.via)) == "utara"


def test_bots_and_senders_are_read_from_the_settings():
    from kkgbot.settings import Settings

    settings = Settings(
        TELEGRAM_BOT_TOKEN="1:DEFAULT",
        KKGBOT_TELEGRAM_BOTS="utara:2:AAA, selatan:3:BBB",
        TWILIO_WHATSAPP_FROM="+6281100000000",
        KKGBOT_WHATSAPP_SENDERS="ntb:+6281100000001",
    )
    assert settings.telegram_tokens == {None: "1:DEFAULT", "utara": "2:AAA", "selatan": "3:BBB"}
    assert settings.whatsapp_numbers == {None: "+6281100000000", "ntb": "+6281100000001"}
    assert "2:AAA" in settings.redacted  # kept out of logs and stored errors like the first
    assert "2:AAA" not in settings.secrets  # meeting check-in codes stay as they were
    for bad in ("utara", "utara:", "Utara Besar:2:A", "utara:2:A,utara:3:B"):
        with pytest.raises(ValueError):
            _ = Settings(KKGBOT_TELEGRAM_BOTS=bad).telegram_tokens


async def test_a_whatsapp_member_is_answered_from_the_number_they_wrote_to(settings):
    from tests.whatsapp_helpers import FROM, whatsapp_bot

    ntb = "+6281100000001"
    async with whatsapp_bot(settings, seed=False, whatsapp_senders=f"ntb:{ntb}") as bot:
        sent = await bot.writes("+6281234567890", "halo", extra={"To": f"whatsapp:{ntb}"})
        assert sent and {m.from_ for m in sent} == {f"whatsapp:{ntb}"}
        other = await bot.writes("+6281234567891", "halo")
        assert other and {m.from_ for m in other} == {FROM}
        async with bot.app.sessionmaker() as session:
            via = dict((await session.execute(select(Identity.address, Identity.via))).all())
        assert via == {"+6281234567890": "ntb", "+6281234567891": None}
        # what the bot starts for them later goes from the same numbers
        async with bot.app.sessionmaker() as session, session.begin():
            for pid in (await session.scalars(select(Identity.person_id))).all():
                who = Recipient(pid, "id", "Asia/Makassar")
                now = bot.app.clock.now()
                await messaging.send(session, who, lambda _: "materi", key=f"w:{pid}", now=now)
        await bot.app.dispatcher.drain()
        later = [m for m in bot.srv.sent_to("+6281234567890") if m.body == "materi"]
        assert [m.from_ for m in later] == [f"whatsapp:{ntb}"]
