"""The bot with its web server for dashboard tests: the console channel (where /dasbor's
link arrives), the demo seed, our ASGI app on 127.0.0.1 under a public URL, a movable clock."""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx

from kkgbot.app import App
from kkgbot.channels.console import ConsoleChannel
from kkgbot.clock import MovableClock
from kkgbot.messages import Inbound
from kkgbot.settings import Settings
from kkgbot.web.server import bound_socket
from kkgbot.web.wiring import start_web
from tests.conftest import START

LINK = re.compile(r"https?://\S+/dasbor/masuk/[A-Za-z0-9_-]+")
PATH = re.compile(r"/dasbor/masuk/[A-Za-z0-9_-]+")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class DashboardBot:
    app: App
    public_url: str

    async def say(self, who: str, text: str) -> str:
        out = io.StringIO()
        self.app.channels["console"].out = out  # type: ignore[attr-defined]
        await self.app.router.handle(Inbound("console", who, text=text))
        await self.app.dispatcher.drain()
        return out.getvalue()

    async def link(self, who: str) -> str:
        said = await self.say(who, "/dasbor")
        found = LINK.search(said)
        assert found, said
        return found.group(0)

    async def signed_in(self, who: str) -> httpx.AsyncClient:
        """An httpx client holding `who`'s session cookie, as a browser after "Masuk"."""
        client = httpx.AsyncClient(base_url=self.public_url)
        opened = await client.get(PATH.search(await self.link(who)).group(0))
        assert opened.status_code == 200, opened.text
        token = re.search(r'name="token" value="([^"]+)"', opened.text).group(1)
        csrf = CSRF.search(opened.text).group(1)
        answer = await client.post("/dasbor/masuk", data={"token": token, "csrf": csrf})
        assert answer.status_code == 303, answer.text
        return client


@contextlib.asynccontextmanager
async def dashboard_bot(
    settings: Settings,
    tmp_path,
    *,
    clock: MovableClock | None = None,
    announced_url: str | None = None,
) -> AsyncIterator[DashboardBot]:
    """`announced_url`: the KKGBOT_PUBLIC_URL the bot writes in its links (e.g. an https
    address in front of a proxy), when it is not the address the tests reach."""
    clock = clock or MovableClock(START)
    sock = bound_socket()
    public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = settings.model_copy(update={"public_url": announced_url or public_url})
    app = App(settings, clock, {"console": ConsoleChannel(io.StringIO(), tmp_path / "files")})
    await app.seed_demo()
    web = await start_web(app, settings, sock=sock)
    try:
        yield DashboardBot(app, public_url)
    finally:
        await web.stop()
        await app.close()
