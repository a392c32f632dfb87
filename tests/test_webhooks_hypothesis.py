"""Both webhooks under hypothesis: whatever arrives, never a 5xx, never an error logged,
and a refused request (wrong secret, forged signature, malformed body) changes nothing.

The Telegram updates are shaped like real ones (messages, edits, button presses, files
with odd sizes, groups, channels) with random values, mixed with arbitrary JSON; the
Twilio forms use its field names with random values, signed as Twilio signs them, and
the same forms with a forged signature.
"""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram_helpers import TOKEN
from tests.test_engine import snapshot
from tests.test_web import telegram_webhook_bot
from tests.test_whatsapp_fuzz import KEYS, VALUES
from tests.whatsapp_helpers import whatsapp_bot

pytestmark = [
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
HYP = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
TEXT = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        ["/start GUGUS1", "/bantuan", "/hadir ²", "/jadwal ;;;", "a" * 5000, "🙂" * 30]
    ),
)
CHAT_ID = st.integers(min_value=-(2**52), max_value=2**52)
USER = st.fixed_dictionaries(
    {"id": CHAT_ID, "is_bot": st.booleans(), "first_name": st.text(max_size=40)},
    optional={"language_code": st.text(max_size=5), "username": st.text(max_size=20)},
)
MESSAGE = st.fixed_dictionaries(
    {
        "message_id": st.integers(min_value=1, max_value=2**31),
        "date": st.integers(min_value=0, max_value=2**31),
        "chat": st.fixed_dictionaries(
            {"id": CHAT_ID, "type": st.sampled_from(["private", "group", "supergroup", "channel"])}
        ),
    },
    optional={
        "from": USER,
        "text": TEXT,
        "caption": TEXT,
        "document": st.fixed_dictionaries(
            {"file_id": st.text(max_size=20), "file_unique_id": st.text(max_size=10)},
            optional={
                "file_size": st.integers(min_value=-5, max_value=2**40),
                "file_name": st.text(max_size=30),
                "mime_type": st.text(max_size=20),
            },
        ),
    },
)
CALLBACK = st.fixed_dictionaries(
    {"id": st.text(max_size=10), "from": USER, "chat_instance": st.text(max_size=10)},
    optional={
        "data": st.text(max_size=64) | st.from_regex(r"[as]:[a-z]{1,6}(:[-0-9²]{0,12}){0,4}"),
        "message": MESSAGE,
    },
)
UPDATE = st.fixed_dictionaries(
    {"update_id": st.integers(min_value=0, max_value=2**31)},
    optional={"message": MESSAGE, "edited_message": MESSAGE, "callback_query": CALLBACK},
)
BODY = st.one_of(UPDATE.map(json.dumps), JSON.map(json.dumps), st.binary(max_size=300))
FORM = st.dictionaries(
    st.sampled_from(KEYS) | st.text(max_size=12),
    st.sampled_from(VALUES) | st.text(max_size=300),
    max_size=8,
)


def no_errors(caplog) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors[0].getMessage()


@pytest.fixture
async def telegram_web(settings):
    async with (
        FakeTelegramServer(token=TOKEN) as srv,
        telegram_webhook_bot(settings, srv) as (app, web),
        httpx.AsyncClient(timeout=30) as client,
    ):
        yield app, web.state.settings.public_url + "/telegram/webhook", client
        assert srv.internal_errors == []


@pytest.fixture
async def twilio_web(settings):
    async with whatsapp_bot(settings) as bot, httpx.AsyncClient(timeout=30) as client:
        yield bot, client


@HYP
@given(body=BODY, secret=st.sampled_from(["right-secret", "", "wrong-secret"]))
async def test_telegram_webhook_takes_anything_without_a_5xx(telegram_web, caplog, body, secret):
    app, url, client = telegram_web
    before = await snapshot(app)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        answer = await client.post(url, content=body, headers=headers)
    assert answer.status_code in (200, 400, 403, 413), (body, answer.text)
    no_errors(caplog)
    if secret != "right-secret":
        assert answer.status_code == 403
    if answer.status_code != 200:
        assert await snapshot(app) == before


@HYP
@given(
    form=FORM,
    path=st.sampled_from(["/twilio/whatsapp", "/twilio/status"]),
    forged=st.booleans(),
)
async def test_twilio_webhooks_take_anything_without_a_5xx(twilio_web, caplog, form, path, forged):
    bot, client = twilio_web
    url = bot.public_url + path
    signature = bot.srv.sign(url, form)
    if forged:
        signature = "x" + signature[1:] if not signature.startswith("x") else "y" + signature[1:]
    before = await snapshot(bot.app)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        answer = await client.post(url, data=form, headers={"X-Twilio-Signature": signature})
        await bot.app.dispatcher.drain()
    assert answer.status_code < 500, (path, form, answer.text)
    no_errors(caplog)
    if forged:  # an empty body is not a form at all: 400 before any signature check
        assert answer.status_code == (403 if form else 400)
        assert await snapshot(bot.app) == before
