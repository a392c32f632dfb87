"""No input makes a webhook answer 5xx: random (but correctly signed) forms and bodies."""

from __future__ import annotations

import random

import httpx
import pytest

from tests.whatsapp_helpers import whatsapp_bot

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
KEYS = [
    "MessageSid",
    "From",
    "Body",
    "NumMedia",
    "MediaContentType0",
    "Latitude",
    "ButtonPayload",
    "ButtonText",
    "ListId",
    "ListTitle",
    "MessageStatus",
    "ErrorCode",
    "ProfileName",
]
VALUES = [
    "",
    "whatsapp:+6281200000777",
    "whatsapp:+62",
    "+6281200000777",
    "SM" + "a" * 32,
    "S" * 100,
    "-1",
    "999999999999999999999",
    "nan",
    "/start GUGUS1",
    "/jadwal ;;;;",
    "a:rsvp:999999:yes",
    "s:0:0",
    "a:" + "x" * 80,
    "BERHENTI",
    "ｍｕｌａｉ",
    "\u0000\u202e",
    "🙂" * 50,
    "delivered",
    "failed",
    "x" * 5000,
]


@pytest.mark.slow  # a property run of random signed forms
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_random_signed_forms_never_get_a_5xx(settings):
    rng = random.Random(9)
    async with whatsapp_bot(settings) as bot, httpx.AsyncClient(timeout=30) as client:
        for n in range(120):
            path = rng.choice(["/twilio/whatsapp", "/twilio/status"])
            url = bot.public_url + path
            form = {k: rng.choice(VALUES) for k in rng.sample(KEYS, rng.randint(0, len(KEYS)))}
            if rng.random() < 0.6:
                form["MessageSid"] = f"SMfuzz{n}"
                form["From"] = "whatsapp:+6281200000777"
            headers = {"X-Twilio-Signature": bot.srv.sign(url, form)}
            if rng.random() < 0.1:
                answer = await client.post(url, content=rng.randbytes(200), headers=headers)
            else:
                answer = await client.post(url, data=form, headers=headers)
            assert answer.status_code < 500, (path, form, answer.text)
            await bot.app.dispatcher.drain()
