"""Issue 3's failure rules, one by one, through the real PTB Bot, the fake Bot API and a
real database (SQLite, and PostgreSQL when KKGBOT_TEST_POSTGRES_URL is set).

These use `drain()` and a movable clock, so retries happen when the test moves time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from kkgbot.clock import MovableClock
from kkgbot.delivery import outbox, store
from kkgbot.delivery.reachability import mark_reachable
from kkgbot.delivery.summary import summarise
from kkgbot.messages import Choice, Inbound
from tests.conftest import START
from tests.delivery_helpers import load_person, person, put, rows, telegram_app


@pytest.fixture
def tg_settings(settings):
    return settings.model_copy(
        update={"max_attempts": 3, "backoff_base_seconds": 2.0, "send_timeout_seconds": 2.0}
    )


@pytest.fixture
async def bot(tg_settings):
    async with telegram_app(tg_settings, MovableClock(START)) as pair:
        yield pair


async def test_sends_due_messages_in_order_replies_first(bot):
    app, srv = bot
    await put(app, 1, "bulk-late", not_before=START + timedelta(minutes=5))
    await put(app, 1, "bulk-now")
    await put(app, 2, "reply", kind=outbox.REPLY)
    await put(app, 3, "bulk-earlier", not_before=START - timedelta(minutes=1))
    assert await app.dispatcher.drain() == 3
    assert [m.text for m in srv.sent_messages()] == ["reply", "bulk-earlier", "bulk-now"]
    await app.advance_to(START + timedelta(minutes=5))
    assert srv.sent_messages()[-1].text == "bulk-late"
    found = await rows(app)
    assert all(r.status == outbox.SENT and r.external_id for r in found.values())


async def test_idempotency_key_makes_a_message_happen_once(bot):
    app, srv = bot
    key = "reminder:meeting-42:person-7:24h"
    assert await put(app, 7, "Pengingat", key=key)
    assert not await put(app, 7, "Pengingat lagi", key=key)
    await app.dispatcher.drain()
    await app.dispatcher.drain()
    assert srv.delivered_counts() == {7: 1}


async def test_429_waits_retry_after_and_retries_without_losing_the_message(bot):
    app, srv = bot
    srv.configure(rate_limit_per_chat=1.0, rate_limit_per_chat_burst=1)  # stricter than ours
    await put(app, 5, "satu")
    await put(app, 5, "dua")
    await put(app, 6, "tiga")
    assert await app.dispatcher.drain() == 3
    assert srv.stats["429"] == 1  # the pause held back every later send, not only chat 5
    assert [m.text for m in srv.sent_messages()] == ["satu", "dua", "tiga"]
    found = await rows(app)
    assert found["dua"].status == outbox.SENT and found["dua"].attempts == 1
    assert app.dispatcher.limits("telegram").paused_until > 0


async def test_429_that_persists_goes_back_to_the_queue_and_counts_as_an_attempt(bot):
    app, srv = bot
    app.dispatcher.settings = app.dispatcher.settings.model_copy(
        update={"max_rate_limited_retries": 0}
    )
    srv.configure(fault_rate=1.0, fault_kinds=["retry_429"])
    await put(app, 8, "banjir")
    await app.dispatcher.drain()
    row = (await rows(app))["banjir"]
    assert row.status == outbox.FAILED and row.attempts == 1
    assert row.not_before == START + timedelta(seconds=1)
    srv.configure(fault_rate=0.0)
    await app.advance_to(START + timedelta(seconds=1))
    assert (await rows(app))["banjir"].status == outbox.SENT


async def test_5xx_backs_off_exponentially_then_dead_with_the_reason(bot):
    app, srv = bot
    srv.configure(fault_rate=1.0, fault_kinds=["error_500"])
    await put(app, 9, "gagal")
    await app.dispatcher.drain()
    first = (await rows(app))["gagal"]
    assert first.status == outbox.FAILED and first.attempts == 1
    assert START + timedelta(seconds=1) <= first.not_before <= START + timedelta(seconds=2)
    await app.advance_to(START + timedelta(hours=1))
    dead = (await rows(app))["gagal"]
    assert dead.status == outbox.DEAD and dead.attempts == 3
    assert "gave up after 3 attempts" in dead.last_error
    assert len(srv.requests("sendMessage")) == 3  # nothing is retried forever


async def test_connection_dropped_before_sending_is_retried_and_sent_once(bot):
    app, srv = bot
    srv.configure(fault_rate=1.0, fault_kinds=["drop_before"])
    await put(app, 10, "putus")
    await app.dispatcher.drain()
    assert (await rows(app))["putus"].status == outbox.FAILED
    srv.configure(fault_rate=0.0)
    await app.advance_to(START + timedelta(minutes=1))
    assert srv.delivered_counts() == {10: 1}
    assert (await rows(app))["putus"].status == outbox.SENT


async def test_answer_lost_after_acceptance_duplicates_once_and_is_counted(bot):
    app, srv = bot
    srv.configure(fault_rate=1.0, fault_kinds=["drop_after"])
    await put(app, 11, "hilang-jawaban")
    await app.dispatcher.drain()
    srv.configure(fault_rate=0.0)
    await app.advance_to(START + timedelta(minutes=1))
    assert srv.delivered_counts() == {11: 2}  # the only kind of duplicate we allow
    assert srv.stats["drops_after"] == 1


async def test_timeout_is_retried(bot):
    app, srv = bot
    original = srv._m_sendmessage  # noqa: SLF001 (the fake's own handler, put back below)

    async def slow(rec):
        await asyncio.sleep(5)
        raise AssertionError("the client should have given up")

    srv.register_method("sendMessage", slow)
    await put(app, 12, "lambat")
    await app.dispatcher.drain()
    row = (await rows(app))["lambat"]
    assert row.status == outbox.FAILED and "timed out" in row.last_error.lower()
    srv.register_method("sendMessage", original)
    await app.advance_to(START + timedelta(minutes=1))
    assert srv.delivered_counts() == {12: 1}


async def test_403_marks_the_person_unreachable_and_stops_their_messages(bot):
    app, srv = bot
    pid = await person(app, 20)
    srv.configure(blocked_chats={20})
    await put(app, 20, "pertama", person_id=pid)
    await put(app, 20, "nanti", person_id=pid, not_before=START + timedelta(hours=1))
    await app.dispatcher.drain()
    found = await rows(app)
    assert found["pertama"].status == outbox.UNREACHABLE
    assert found["nanti"].status == outbox.UNREACHABLE  # queued messages stop too
    assert (await load_person(app, pid)).unreachable_at == START
    await put(app, 20, "siaran baru", person_id=pid)
    await app.advance_to(START + timedelta(hours=2))
    assert (await rows(app))["siaran baru"].status == outbox.UNREACHABLE
    assert len(srv.requests("sendMessage")) == 1  # stopped without a send

    # They unblock the bot and write again: the reply goes through and they are back.
    srv.configure(blocked_chats=set())
    await app.router.handle(Inbound("telegram", "20", text="halo", external_id="u1"))
    await app.dispatcher.drain()
    assert srv.delivered_counts() == {20: 1}
    assert (await load_person(app, pid)).unreachable_at is None
    await put(app, 20, "siaran berikutnya", person_id=pid)
    await app.dispatcher.drain()
    assert srv.delivered_counts() == {20: 2}


async def test_mark_reachable_is_what_the_router_calls_when_a_person_writes(bot):
    app, _ = bot
    pid = await person(app, 21)
    async with app.sessionmaker() as session, session.begin():
        assert not await mark_reachable(session, pid)
        who = await session.get(type(await load_person(app, pid)), pid)
        who.unreachable_at = START
    async with app.sessionmaker() as session, session.begin():
        assert await mark_reachable(session, pid)
    assert (await load_person(app, pid)).unreachable_at is None


async def test_400_is_dead_at_once_with_the_reason(bot):
    app, srv = bot
    await put(app, 30, "tombol", choices=[Choice("Terlalu panjang", "x" * 70)])
    await app.dispatcher.drain()
    row = (await rows(app))["tombol"]
    assert row.status == outbox.DEAD and row.attempts == 1
    assert "button_data_invalid" in row.last_error.lower()
    await app.advance_to(START + timedelta(hours=1))
    assert len(srv.requests("sendMessage")) == 1


async def test_message_past_its_deadline_is_dropped_not_sent_late(bot):
    app, srv = bot
    meeting = START + timedelta(hours=24)
    await put(
        app,
        40,
        "rapat dimulai 2 jam lagi",
        not_before=meeting - timedelta(hours=2),
        expires_at=meeting,
    )
    await put(app, 41, "materi", not_before=meeting - timedelta(hours=2))  # late is fine
    app.clock.set(meeting + timedelta(minutes=5))  # the bot was down until after the start
    await app.dispatcher.drain()
    found = await rows(app)
    assert found["rapat dimulai 2 jam lagi"].status == outbox.EXPIRED
    assert "expired" in found["rapat dimulai 2 jam lagi"].last_error
    assert found["materi"].status == outbox.SENT
    assert srv.delivered_counts() == {41: 1}


async def test_a_crash_mid_send_is_retried_after_the_lease(bot):
    app, srv = bot
    await put(app, 50, "tertahan")
    lease = app.dispatcher.lease
    claimed, _ = await store.claim(app.sessionmaker, ["telegram"], START, 10, lease)
    assert [c.payload["text"] for c in claimed] == ["tertahan"]  # a dispatcher then dies
    assert await app.dispatcher.drain() == 0  # still leased: nobody else takes it
    app.clock.advance(lease + timedelta(seconds=1))
    assert await app.dispatcher.drain() == 1
    row = (await rows(app))["tertahan"]
    assert row.status == outbox.SENT and row.attempts == 2
    assert srv.delivered_counts() == {50: 1}


async def test_delivery_summary_of_a_batch(bot):
    app, srv = bot
    ok, blocked, later = await person(app, 60), await person(app, 61), await person(app, 63)
    srv.configure(blocked_chats={61})
    batch = {"batch_id": "broadcast-1"}
    await put(app, 60, "a", person_id=ok, **batch)
    await put(app, 61, "b", person_id=blocked, **batch)
    await put(app, 62, "c", choices=[Choice("x", "y" * 80)], **batch)
    await put(app, 63, "d", person_id=later, not_before=START + timedelta(hours=1), **batch)
    await put(app, 64, "e")  # another batch
    await app.dispatcher.drain()
    async with app.sessionmaker() as session:
        summary = await summarise(session, "broadcast-1")
    assert (summary.total, summary.sent, summary.failed, summary.unreachable) == (4, 1, 1, 1)
    assert summary.pending == 1 and not summary.finished
    assert summary.unreachable_people == [blocked]
    assert any("button_data_invalid" in reason.lower() for reason in summary.errors)


async def test_a_reminder_with_a_deadline_overtakes_older_bulk(bot):
    app, srv = bot
    meeting = START + timedelta(hours=2)
    for chat in range(70, 75):  # a backlog of announcements, due earlier
        await put(app, chat, f"pengumuman {chat}", not_before=START - timedelta(minutes=10))
    await put(app, 75, "pengingat rapat", not_before=START, expires_at=meeting)
    await put(app, 76, "balasan", kind=outbox.REPLY)
    claimed, _ = await store.claim(app.sessionmaker, ["telegram"], START, 3, app.dispatcher.lease)
    assert [c.payload["text"] for c in claimed] == ["balasan", "pengingat rapat", "pengumuman 70"]
