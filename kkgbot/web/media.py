"""Files (digest charts, exports) behind signed URLs that expire.

WhatsApp fetches a message's media from a URL, so files need one; a URL that is valid
only with its HMAC and only until its expiry time keeps personal data (an attendance
export) from being read by whoever finds an old link.
"""

from __future__ import annotations

import hashlib
import hmac
import html
from datetime import datetime
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response

from kkgbot import i18n
from kkgbot.db.models import StoredFile


class MediaSigner:
    def __init__(self, secret: str, public_url: str, ttl_seconds: int) -> None:
        self.key = hashlib.sha256(b"kkgbot-media:" + secret.encode()).digest()
        self.public_url = public_url.rstrip("/")
        self.ttl = ttl_seconds

    def signature(self, file_id: int, expires: int) -> str:
        message = f"{file_id}:{expires}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()[:32]

    def url(self, file_id: int, name: str, now: datetime) -> str:
        expires = int(now.timestamp()) + self.ttl
        sig = self.signature(file_id, expires)
        return f"{self.public_url}/media/{file_id}/{quote(name)}?exp={expires}&sig={sig}"

    def valid(self, file_id: int, expires: int, sig: str, now: datetime) -> bool:
        if expires < now.timestamp():
            return False
        return self.genuine(file_id, expires, sig)

    def genuine(self, file_id: int, expires: int, sig: str) -> bool:
        """We made this link (whether or not it has expired)."""
        return hmac.compare_digest(self.signature(file_id, expires), sig)


def expired_page(lang: str) -> Response:
    """410 Gone, with a page a person who tapped an old link can understand."""
    other = "en" if lang == "id" else "id"
    parts = [
        f"<h1>{html.escape(i18n.t(code, 'web.link_expired_title'))}</h1>"
        f"<p>{html.escape(i18n.t(code, 'web.link_expired_text'))}</p>"
        for code in (lang, other)
    ]
    page = (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(i18n.t(lang, 'web.link_expired_title'))}</title></head>"
        f"<body>{'<hr>'.join(parts)}</body></html>"
    )
    return HTMLResponse(page, status_code=410)


async def serve(request: Request) -> Response:
    """GET /media/{file_id}/{name}?exp=&sig=: 403 for a forged link, 410 for an expired
    one (or a person's own file past its hour), 404 once the file is deleted."""
    web = request.app.state.web
    if web.signer is None:
        return PlainTextResponse("not found", status_code=404)
    try:
        file_id = int(request.path_params["file_id"])
        expires = int(request.query_params.get("exp", ""))
    except ValueError:
        return PlainTextResponse("bad request", status_code=400)
    sig = request.query_params.get("sig", "")
    now = web.clock.now()
    if not web.signer.genuine(file_id, expires, sig):
        return PlainTextResponse("forbidden", status_code=403)
    if not web.signer.valid(file_id, expires, sig, now):
        return expired_page(web.settings.language)
    async with web.sessionmaker() as session:
        stored = await session.get(StoredFile, file_id)
    if stored is None:
        return PlainTextResponse("not found", status_code=404)
    if stored.link_until is not None and stored.link_until < now:
        return expired_page(web.settings.language)
    disposition = f"inline; filename*=UTF-8''{quote(stored.name)}"
    return Response(
        stored.data, media_type=stored.mime, headers={"Content-Disposition": disposition}
    )
