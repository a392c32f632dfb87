"""The fake Twilio server answers the real twilio Client like Twilio does."""

from __future__ import annotations

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from tests.fakes.twilio_api import FakeTwilioServer

SID, TOKEN = "AC" + "1" * 32, "secret-token"


CLIENTS: list[AsyncTwilioHttpClient] = []


@pytest.fixture
async def twilio_srv():
    async with FakeTwilioServer(SID, TOKEN) as srv:
        yield srv
        while CLIENTS:
            await CLIENTS.pop().close()


def client_for(srv: FakeTwilioServer, token: str = TOKEN) -> Client:
    http = AsyncTwilioHttpClient()
    CLIENTS.append(http)
    client = Client(SID, token, http_client=http)
    client.api.base_url = srv.base_url
    return client


async def test_free_text_inside_the_window_and_template_outside(twilio_srv):
    client = client_for(twilio_srv)
    with pytest.raises(TwilioRestException) as outside:
        await client.messages.create_async(
            to="whatsapp:+6281200000001", from_="whatsapp:+14155238886", body="Halo"
        )
    assert outside.value.code == 63016
    template = await client.messages.create_async(
        to="whatsapp:+6281200000001",
        from_="whatsapp:+14155238886",
        content_sid="HX" + "a" * 32,
        content_variables='{"1": "Rapat KKG"}',
    )
    assert template.sid.startswith("SM") and template.status == "queued"
    twilio_srv.last_inbound["whatsapp:+6281200000001"] = twilio_srv.clock()
    sent = await client.messages.create_async(
        to="whatsapp:+6281200000001", from_="whatsapp:+14155238886", body="Halo"
    )
    assert sent.body == "Halo"
    assert [m.body for m in twilio_srv.sent_to("+6281200000001")] == [None, "Halo"]


async def test_errors_and_auth(twilio_srv):
    twilio_srv.invalid_numbers.add("whatsapp:+6281200000002")
    twilio_srv.unsubscribed.add("whatsapp:+6281200000003")
    client = client_for(twilio_srv)
    for number, code in (("+6281200000002", 63024), ("+6281200000003", 21610)):
        with pytest.raises(TwilioRestException) as err:
            await client.messages.create_async(
                to=f"whatsapp:{number}", from_="whatsapp:+14155238886", content_sid="HX1"
            )
        assert err.value.code == code
    with pytest.raises(TwilioRestException) as denied:
        await client_for(twilio_srv, "wrong").messages.create_async(
            to="whatsapp:+6281200000004", from_="whatsapp:+14155238886", content_sid="HX1"
        )
    assert denied.value.status == 401
    twilio_srv.fault_rate, twilio_srv.fault_codes = 1.0, [429]
    with pytest.raises(TwilioRestException) as busy:
        await client.messages.create_async(
            to="whatsapp:+6281200000004", from_="whatsapp:+14155238886", content_sid="HX1"
        )
    assert busy.value.status == 429 and busy.value.code == 20429
