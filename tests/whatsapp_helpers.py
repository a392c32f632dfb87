"""The bot on WhatsApp for tests: the real twilio Client against the fake Twilio server,
our web server on 127.0.0.1 receiving the fake's signed webhooks, a movable clock shared by
both (so the 24-hour window can be crossed), and the dispatcher drained after each step."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from kkgbot.app import App
from kkgbot.clock import MovableClock
from kkgbot.settings import Settings
from kkgbot.web.asgi import WebState
from kkgbot.web.server import bound_socket
from kkgbot.web.wiring import start_web
from tests.conftest import START
from tests.fakes.twilio_api import FakeTwilioServer, TwilioMessage

SID, TOKEN = "AC" + "7" * 32, "wa-test-token"
FROM = "whatsapp:+14155238886"


@dataclass
class WhatsAppBot:
    app: App
    srv: FakeTwilioServer
    web: WebState
    public_url: str

    @property
    def inbound_url(self) -> str:
        return self.public_url + "/twilio/whatsapp"

    async def writes(self, number: str, body: str = "", **kwargs) -> list[TwilioMessage]:
        """`number` writes `body`; what the bot sent to that number because of it."""
        before = len(self.srv.sent_to(number))
        answer = await self.srv.person_writes(self.inbound_url, number, body, **kwargs)
        assert answer.status_code == 200, answer.text
        await self.app.dispatcher.drain()
        return self.srv.sent_to(number)[before:]

    async def texts(self, number: str, body: str = "", **kwargs) -> list[str]:
        return [m.body or "" for m in await self.writes(number, body, **kwargs)]


@contextlib.asynccontextmanager
async def whatsapp_bot(
    settings: Settings, *, seed: bool = True, clock: MovableClock | None = None, **overrides
) -> AsyncIterator[WhatsAppBot]:
    clock = clock or MovableClock(START)
    sock = bound_socket()
    public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    async with FakeTwilioServer(SID, TOKEN, clock=lambda: clock.now().timestamp()) as srv:
        settings = settings.model_copy(
            update={
                "twilio_account_sid": SID,
                "twilio_auth_token": TOKEN,
                "twilio_whatsapp_from": FROM,
                "twilio_api_base_url": srv.base_url,
                "public_url": public_url,
                "webhook_secret": "web-secret",
                "whatsapp_rate": 1000.0,
                **overrides,
            }
        )
        app = App(settings, clock)
        if seed:
            await app.seed_demo()
        web = await start_web(app, settings, sock=sock)  # what `bot.py run` starts
        try:
            yield WhatsAppBot(app, srv, web.state, public_url)
        finally:
            await web.stop()
            await app.close()
