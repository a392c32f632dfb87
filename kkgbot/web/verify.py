"""GET /verifikasi/<code>: whether a certificate is genuine and what it certifies.

Anyone holding a printed certificate may scan its QR code, so the page is public; it shows
the holder's name and what was attended, nothing else, and nothing at all once the holder
has erased their data. Guessing codes is made pointless by their length (25^12) and slow by
a limit per client address (and one for everyone, so many addresses do not add up).
"""

from __future__ import annotations

import html
import time
from collections import deque

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from kkgbot import i18n
from kkgbot.certificates.service import GENUINE, verify
from kkgbot.certificates.wording import verification_text

PER_CLIENT, OVERALL, WINDOW = 10, 300, 60.0  # lookups per minute


class Limiter:
    """A sliding window of lookups per client and overall; monotonic time, in memory
    (one bot process serves the web side)."""

    def __init__(self, per_client: int = PER_CLIENT, overall: int = OVERALL,
                 window: float = WINDOW, clock=time.monotonic) -> None:  # fmt: skip
        self.per_client, self.overall, self.window, self.clock = per_client, overall, window, clock
        self.seen: dict[str, deque[float]] = {}
        self.all: deque[float] = deque()

    def allow(self, client: str) -> bool:
        now = self.clock()
        for times in (self.all, self.seen.setdefault(client, deque())):
            while times and times[0] <= now - self.window:
                times.popleft()
        mine = self.seen[client]
        if len(mine) >= self.per_client or len(self.all) >= self.overall:
            return False
        mine.append(now)
        self.all.append(now)
        if len(self.seen) > 10_000:  # forget quiet clients
            self.seen = {k: v for k, v in self.seen.items() if v}
        return True


def _page(lang: str, body: str, ok: bool) -> str:
    title = html.escape(i18n.t(lang, "certificates.verify_page_title"))
    colour = "#1b5e20" if ok else "#8a1c1c"
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in body.split("\n"))
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{title}</title></head>"
        f'<body style="font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em">'
        f'<h1 style="font-size:1.3em">{title}</h1>'
        f'<div style="border-left:4px solid {colour};padding-left:1em">{paragraphs}</div>'
        "</body></html>"
    )


async def page(request: Request) -> Response:
    web = request.app.state.web
    lang = request.query_params.get("lang") or web.settings.language
    lang = lang if lang in ("id", "en") else "id"
    limiter: Limiter = getattr(request.app.state, "verify_limiter", None) or Limiter()
    request.app.state.verify_limiter = limiter
    client = request.client.host if request.client else "?"
    if not limiter.allow(client):
        text = i18n.t(lang, "certificates.verify_too_many")
        return HTMLResponse(
            _page(lang, text, False), status_code=429, headers={"Retry-After": "60"}
        )
    typed = request.path_params["code"][:40]
    async with web.sessionmaker() as session:
        found = await verify(session, typed)
    ok = found.status == GENUINE
    return HTMLResponse(
        _page(lang, verification_text(found, typed, lang), ok),
        status_code=200 if ok else 404,
        headers={"Cache-Control": "no-store"},
    )
