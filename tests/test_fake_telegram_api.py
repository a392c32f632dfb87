"""The fake Bot API server, driven by the real python-telegram-bot over HTTP on 127.0.0.1.

Other tests trust this fake to answer like Telegram; these tests pin down that it does, as
PTB sees it (parsed objects, raised exceptions, long polling), and that its fault and limit
injection is deterministic.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram_api import FakeTelegramServer

# PTB 22 warns on every RetryAfter about retry_after becoming a timedelta; not our concern here.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

TOKEN = "123456:TEST-token"
KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Ya", callback_data="rsvp:yes")],
        [InlineKeyboardButton("Tidak", callback_data="rsvp:no")],
    ]
)


class FakeClock:
    """A clock the rate-limit tests move by hand, so no test sleeps."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def seconds(value: int | dtm.timedelta) -> float:
    """RetryAfter.retry_after is an int or a timedelta depending on PTB_TIMEDELTA."""
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


@pytest.fixture
async def srv() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TOKEN) as server:
        yield server
        assert server.internal_errors == []


@pytest.fixture
async def bot(srv: FakeTelegramServer) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(TOKEN, base_url=srv.base_url) as the_bot:
        yield the_bot


async def test_get_me_and_send_message_with_keyboard(srv, bot) -> None:
    assert srv.base_url.startswith("http://127.0.0.1:") and srv.base_url.endswith("/bot")
    assert bot.username == "kkg_test_bot" and bot.id == 123456
    first = await bot.send_message(42, "Rapat KKG besok?", reply_markup=KEYBOARD)
    second = await bot.send_message(42, "Kedua")
    other = await bot.send_message(77, "Chat lain")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.chat.type == "private" and first.from_user.id == bot.id
    assert first.reply_markup == KEYBOARD
    sent = srv.last_message(42)
    assert sent.text == "Kedua" and sent.message_id == 2
    record = srv.sent_messages(42)[0]
    assert record.reply_markup["inline_keyboard"][0][0] == {
        "text": "Ya",
        "callback_data": "rsvp:yes",
    }
    assert [b["text"] for b in record.buttons] == ["Ya", "Tidak"]
    assert srv.requests("sendmessage")[0].params["chat_id"] == 42
    assert [r.method for r in srv.requests()][:2] == ["getMe", "sendMessage"]
    assert srv.delivered_counts() == {42: 2, 77: 1}
    assert srv.stats["accepted"]["sendMessage"] == 3


async def test_send_document_and_photo_record_files(srv, bot) -> None:
    msg = await bot.send_document(42, b"a,b\n1,2\n", filename="rekap.csv", caption="Rekap")
    assert msg.document.file_name == "rekap.csv" and msg.document.file_size == 8
    photo = await bot.send_photo(42, b"\x89PNG\r\n\x1a\nrest")
    assert photo.photo[0].width > 0
    again = await bot.send_document(42, msg.document.file_id)  # re-send by file_id
    doc, pic, resent = srv.sent_messages(42)
    assert (doc.document.filename, doc.document.content, doc.text) == (
        "rekap.csv",
        b"a,b\n1,2\n",
        "Rekap",
    )
    assert pic.photo.content == b"\x89PNG\r\n\x1a\nrest" and pic.method == "sendPhoto"
    assert (
        resent.document.content == b"a,b\n1,2\n" and again.document.file_id == msg.document.file_id
    )


async def test_commands_per_language_and_scope(srv, bot) -> None:
    await bot.set_my_commands([("mulai", "Mulai"), ("bantuan", "Bantuan")], language_code="id")
    await bot.set_my_commands([("start", "Start")])
    await bot.set_my_commands(
        [("admin", "Admin")], scope=telegram.BotCommandScopeChat(chat_id=-100123)
    )
    assert [c["command"] for c in srv.commands[("default", "id")]] == ["mulai", "bantuan"]
    assert srv.commands_for("") == [{"command": "start", "description": "Start"}]
    assert srv.commands_for(scope="chat:-100123")[0]["command"] == "admin"
    got = await bot.get_my_commands(language_code="id")
    assert [c.command for c in got] == ["mulai", "bantuan"]
    assert await bot.delete_my_commands(language_code="id")
    assert await bot.get_my_commands(language_code="id") == ()
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([("Bad-Command", "x")])


async def test_application_long_polling_gets_commands_and_button_presses(srv) -> None:
    seen: list[str] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(f"command:{update.effective_user.language_code}")
        await update.effective_message.reply_text("Mau ikut rapat?", reply_markup=KEYBOARD)

    async def text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(f"text:{update.message.text}")
        await update.message.reply_text(f"Anda menulis: {update.message.text}")

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        seen.append(f"button:{query.data}")
        await query.answer("Tercatat")
        await query.edit_message_text("Terima kasih, tercatat: ya")

    app = Application.builder().token(TOKEN).base_url(srv.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, text))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        srv.user_sends(42, "/start", first_name="Bu Sari")
        srv.user_sends(42, "halo")
        await srv.wait_for_messages(42, 2)
        srv.user_presses(42, "Ya")
        await srv.wait_until(lambda: len(srv.edits(42)) == 1, what="the edit")
        await app.updater.stop()
        await app.stop()
    assert seen == ["command:id", "text:halo", "button:rsvp:yes"]
    welcome, echo = srv.sent_messages(42)
    assert welcome.text == "Mau ikut rapat?" and echo.text == "Anda menulis: halo"
    assert srv.answered_callbacks[0]["text"] == "Tercatat"
    assert srv.answered_callbacks[0]["data"] == "rsvp:yes"
    edited = srv.current_message(42, welcome.message_id)
    assert edited["text"].startswith("Terima kasih") and "reply_markup" not in edited
    assert srv.pending_updates == []  # confirmed through the offset
    with pytest.raises(LookupError, match="Ya"):
        srv.user_presses(42, "Ya")  # the keyboard is gone after the edit


async def test_get_updates_offset_limit_and_long_poll(srv, bot) -> None:
    first = srv.user_sends(1, "satu")["update_id"]
    srv.user_sends(1, "dua")
    assert [u.message.text for u in await bot.get_updates(limit=1)] == ["satu"]
    assert [u.message.text for u in await bot.get_updates(offset=first + 1)] == ["dua"]
    assert await bot.get_updates(offset=first + 2, timeout=0) == ()
    asyncio.get_running_loop().call_later(0.05, srv.user_sends, 1, "tiga")
    held = await bot.get_updates(offset=first + 2, timeout=5)  # answered when it arrives
    assert [u.message.text for u in held] == ["tiga"]
    assert [p.get("message", {}).get("text") for p in srv.pending_updates] == ["tiga"]


async def test_a_second_poller_terminates_the_first(srv, bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await srv.wait_until(lambda: len(srv.requests("getUpdates")) == 1)
    async with telegram.Bot(TOKEN, base_url=srv.base_url) as second_bot:
        assert await second_bot.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="(?i)terminated by other getUpdates"):
        await first


async def test_edit_message_rules(srv, bot) -> None:
    msg = await bot.send_message(42, "Pilih", reply_markup=KEYBOARD)
    kept = await bot.edit_message_reply_markup(
        42,
        msg.message_id,
        reply_markup=InlineKeyboardMarkup.from_button(
            InlineKeyboardButton("OK", callback_data="ok")
        ),
    )
    assert kept.reply_markup.inline_keyboard[0][0].text == "OK"
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_text("Pilih", 42, msg.message_id, reply_markup=kept.reply_markup)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", 42, 999)
    assert [e.method for e in srv.edits(42)] == ["editMessageReplyMarkup"]
    srv.user_presses(42, "ok")
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query("nope")


async def test_blocked_chat_is_forbidden(srv, bot) -> None:
    srv.configure(blocked_chats={42})
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(42, "halo")
    await bot.send_message(43, "halo")
    assert srv.stats["403"] == 1 and srv.delivered_counts() == {43: 1}


async def test_wrong_token_and_unknown_method(srv) -> None:
    with pytest.raises(InvalidToken):
        async with telegram.Bot("999:WRONG", base_url=srv.base_url):
            pass  # pragma: no cover
    async with httpx.AsyncClient() as client:
        wrong = await client.post(f"{srv.base_url}999:WRONG/getMe")
        unknown = await client.post(f"{srv.base_url}{TOKEN}/sendTelepathy")
    assert (wrong.status_code, wrong.json()) == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert (unknown.status_code, unknown.json()) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )


async def test_json_query_and_form_params_are_decoded(srv) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    async with httpx.AsyncClient(base_url=f"{srv.base_url}{TOKEN}") as client:
        as_json = await client.post(
            "/SENDMESSAGE", json={"chat_id": 5, "text": "j", "reply_markup": markup}
        )
        as_query = await client.get("/sendMessage", params={"chat_id": "6", "text": "[1]"})
        await client.post(
            "/sendMessage", data={"chat_id": "7", "text": "f", "reply_markup": json.dumps(markup)}
        )
    assert as_json.json()["result"]["reply_markup"] == markup
    assert as_query.json()["result"]["text"] == "[1]"
    assert srv.last_message(7).reply_markup == markup

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"chat_id": 8, '
        yield b'"text": "chunked"}'

    async with httpx.AsyncClient() as client:
        chunked = await client.post(
            f"{srv.base_url}{TOKEN}/sendMessage",
            content=chunks(),
            headers={"content-type": "application/json"},
        )
    assert chunked.json()["result"]["text"] == "chunked"
    assert srv.requests()[-1].params == {"chat_id": 8, "text": "chunked"}
    assert [r.method for r in srv.requests()] == ["sendMessage"] * 4


async def test_flood_limits_per_chat_overall_and_group() -> None:
    clock = FakeClock()
    async with FakeTelegramServer(token=TOKEN, clock=clock) as srv:
        srv.configure(rate_limit_per_chat=1.0, rate_limit_per_chat_burst=3)
        async with telegram.Bot(TOKEN, base_url=srv.base_url) as bot:
            for i in range(3):
                await bot.send_message(42, f"burst {i}")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(42, "too fast")
            assert seconds(caught.value.retry_after) == 1
            with pytest.raises(RetryAfter):  # the flood wait holds for the whole bot
                await bot.send_message(43, "other chat")
            clock.now += 1.0
            await bot.send_message(42, "after waiting")

            srv.configure(rate_limit_per_chat=None, rate_limit_overall=5)
            for chat in range(100, 105):
                await bot.send_message(chat, "bulk")
            with pytest.raises(RetryAfter):
                await bot.send_message(105, "bulk")
            clock.now += 1.0

            srv.configure(rate_limit_overall=None, rate_limit_per_group_per_minute=20)
            srv.add_group(-100777, "KKG Gugus 3", "supergroup")
            for i in range(20):
                clock.now += 0.1
                await bot.send_message(-100777, f"group {i}")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(-100777, "one too many")
            assert 1 <= seconds(caught.value.retry_after) <= 60
        assert srv.stats["429"] == 4
        assert srv.delivered_counts() == {42: 4, **dict.fromkeys(range(100, 105), 1), -100777: 20}
        assert srv.last_message(-100777).message["chat"]["title"] == "KKG Gugus 3"


async def test_injected_429_and_500(srv, bot) -> None:
    srv.configure(fault_rate=1.0, fault_kinds=["retry_429"])
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(42, "x")
    assert seconds(caught.value.retry_after) == 1
    srv.configure(fault_kinds=["error_500"])
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(42, "x")
    assert srv.stats["5xx"] == 1 and srv.stats["429"] == 1 and srv.sent_messages() == []


async def test_dropped_connections_before_and_after_acceptance(srv, bot) -> None:
    srv.configure(fault_rate=1.0, fault_kinds=["drop_before"])
    with pytest.raises(NetworkError):
        await bot.send_message(42, "lost")
    assert srv.sent_messages() == []
    srv.configure(fault_kinds=["drop_after"])
    with pytest.raises(NetworkError):
        await bot.send_message(42, "Pengingat rapat")
    srv.configure(fault_rate=0.0)
    await bot.send_message(42, "Pengingat rapat")  # the naive retry duplicates
    assert srv.stats["drops_before"] == 1 and srv.stats["drops_after"] == 1
    assert srv.delivered_counts() == {42: 2}
    assert srv.duplicates() == {(42, "Pengingat rapat"): 2} and srv.duplicate_count() == 1
    assert [r.outcome for r in srv.requests("sendMessage")] == ["drop_before", "drop_after", "ok"]


async def test_faults_are_reproducible_with_a_seed() -> None:
    async def outcomes(seed: int) -> list[str]:
        async with FakeTelegramServer(token=TOKEN, fault_seed=seed) as srv:
            srv.configure(fault_rate=0.5)
            async with telegram.Bot(TOKEN, base_url=srv.base_url) as bot:
                for i in range(30):
                    with contextlib.suppress(telegram.error.TelegramError):
                        await bot.send_message(42, f"m{i}")
            return [f"{r.outcome}:{r.status}" for r in srv.requests("sendMessage")]

    first = await outcomes(7)
    assert first == await outcomes(7)
    assert len(set(first)) >= 3  # a mix of healthy answers and faults


async def test_throughput_of_many_concurrent_sends(srv, bot) -> None:
    # PTB's pool allows 256 connections, but httpx pays dearly per new connection, so a
    # broadcaster (and this test) keeps concurrency bounded.
    gate = asyncio.Semaphore(4)

    async def send(i: int) -> None:
        async with gate:
            await bot.send_message(1000 + i % 50, f"broadcast {i}")

    await asyncio.gather(*(send(i) for i in range(500)))
    assert sum(srv.delivered_counts().values()) == 500
    assert srv.stats["accepted"]["sendMessage"] == 500 and srv.duplicates() == {}


async def test_wait_for_messages_times_out_with_a_dump(srv, bot) -> None:
    await bot.send_message(42, "hanya satu")
    with pytest.raises(TimeoutError, match="hanya satu"):
        await srv.wait_for_messages(42, 2, timeout=0.1)


async def test_webhook_settings_and_delivery(srv, bot) -> None:
    received: list[tuple[str, dict]] = []

    async def receiver(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
        body = await reader.readexactly(int(headers["content-length"]))
        received.append((headers.get("x-telegram-bot-api-secret-token", ""), json.loads(body)))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    hook = await asyncio.start_server(receiver, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{hook.sockets[0].getsockname()[1]}/telegram"
    try:
        assert await bot.set_webhook(url, secret_token="s3cret_ok")
        assert srv.webhook["url"] == url and srv.webhook["secret_token"] == "s3cret_ok"
        srv.user_sends(42, "lewat webhook")
        assert (await bot.get_webhook_info()).pending_update_count == 1
        with pytest.raises(Conflict):
            await bot.get_updates()
        assert await srv.deliver_webhook_updates() == [200]
        assert received[0][0] == "s3cret_ok"
        assert received[0][1]["message"]["text"] == "lewat webhook"
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
        with pytest.raises(BadRequest, match="(?i)secret token"):
            await bot.set_webhook(url, secret_token="no spaces allowed")
    finally:
        hook.close()
        await hook.wait_closed()


async def test_stop_ends_a_pending_long_poll() -> None:
    srv = await FakeTelegramServer(token=TOKEN).start()
    async with telegram.Bot(TOKEN, base_url=srv.base_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=35))
        await srv.wait_until(lambda: bool(srv.requests("getUpdates")))
        await srv.stop()
        with pytest.raises(NetworkError):
            await poll


def test_runs_standalone() -> None:
    """``python -m tests.fakes.telegram_api`` prints its base_url and serves."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root)}
    command = [sys.executable, "-m", "tests.fakes.telegram_api", "--port", "0", "--token", TOKEN]
    with subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, text=True) as proc:
        try:
            base_url = proc.stdout.readline().strip()
            assert base_url.startswith("http://127.0.0.1:")
            answer = httpx.get(f"{base_url}{TOKEN}/getMe", timeout=5).json()
            assert answer["ok"] and answer["result"]["is_bot"] is True
        finally:
            proc.terminate()
