"""The aiohttp transport under python-telegram-bot's real `Bot`: the same requests reach the
Bot API and the same `TelegramError`s come back as with PTB's own httpx transport."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from kkgbot.channels.telegram_request import AiohttpRequest
from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram_helpers import TOKEN


@pytest.fixture
async def served():
    async with FakeTelegramServer(token=TOKEN) as srv:
        bot = Bot(TOKEN, base_url=srv.base_url, request=AiohttpRequest(pool_size=4))
        async with bot:
            yield srv, bot


async def test_messages_documents_and_raw_calls_arrive(served):
    srv, bot = served
    sent = await bot.send_message(7001, "Halo, Bu Guru 👋", reply_markup=None)
    assert sent.text == "Halo, Bu Guru 👋"
    doc = await bot.send_document(7001, b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                                  filename="rapat-1.ics", caption="Undangan")  # fmt: skip
    assert doc.document.file_name == "rapat-1.ics"
    raw = await bot.do_api_request(
        "sendMessage",
        api_kwargs={"chat_id": 7001, "text": "tombol",
                    "reply_markup": {"inline_keyboard": [[{"text": "Hadir", "callback_data": "x"}]]}},
    )  # fmt: skip
    assert isinstance(raw["message_id"], int)
    messages = await srv.wait_for_messages(7001, 3, timeout=5)
    assert messages[0].text == "Halo, Bu Guru 👋" and messages[-1].text == "tombol"
    assert [b["text"] for b in messages[-1].buttons] == ["Hadir"]


async def test_errors_keep_ptbs_meaning(served):
    srv, bot = served
    with pytest.raises(BadRequest):
        await bot.send_message(7001, "")
    srv.configure(blocked_chats=[7002])
    with pytest.raises(Forbidden):
        await bot.send_message(7002, "halo")
    srv.configure(fault_rate=1.0, fault_kinds=["retry_429"])
    with pytest.raises(RetryAfter) as waited:
        await bot.send_message(7001, "halo")
    assert waited.value.retry_after
    srv.configure(fault_kinds=["drop_before"])
    with pytest.raises(NetworkError):
        await bot.send_message(7001, "halo")
    srv.configure(fault_rate=0.0)
    assert (await bot.send_message(7001, "lagi")).text == "lagi"


async def test_a_shut_down_transport_refuses_instead_of_hanging():
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:9/x", "POST")
