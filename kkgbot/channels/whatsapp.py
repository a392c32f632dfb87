"""WhatsApp through Twilio: webhook forms become Inbound, outbox rows become Twilio messages.

Translation only, as for Telegram, plus the one rule WhatsApp adds: free text may be sent
only within 24 hours of the person's last message. Outside that window a message the bot
starts goes as an approved template (a Twilio Content SID per kind of message) that tells
the person there is something for them; the adapter reports HELD and the full content
follows when they answer (kkgbot/delivery/held.py). To know the window and the kind of
message, the dispatcher hands the adapter the person's last message time and language with
the message itself (`Outgoing`, as `wants_recipient` asks): the adapter reads no database.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import mimetypes
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from kkgbot import i18n
from kkgbot.channels.base import (
    HELD,
    INVALID,
    RETRY,
    RETRY_AFTER,
    SENT,
    UNREACHABLE,
    Outgoing,
    SendResult,
    split_text,
)
from kkgbot.clock import Clock
from kkgbot.messages import FILE_TOO_LARGE, FILE_UNAVAILABLE, Choice, Inbound, InboundFile
from kkgbot.settings import Settings

log = logging.getLogger(__name__)
CHANNEL = "whatsapp"
TEXT_LIMIT = 1600  # WhatsApp through Twilio: longer bodies are refused
WINDOW = timedelta(hours=24)
WINDOW_MARGIN = timedelta(minutes=1)  # Twilio's clock and ours differ a little
UNREACHABLE_CODES = {21610, 63024, 21211, 21614}
OUTSIDE_WINDOW = 63016
OUTSIDE_WINDOW_OUTCOME = "outside_window"  # internal to this module, never returned
MediaUrl = Callable[[int, str], str | None]  # (file id, file name) -> signed URL or None
TWILIO_API = "https://api.twilio.com"
FILE_MIMES = ("image/", "application/", "text/")  # kept as files; audio/video are not


class MalformedWebhook(ValueError):
    """A webhook body that is not what Twilio sends: answered 400."""


def address_of(value: str) -> str:
    """'whatsapp:+62812...' -> '+62812...'; anything else is malformed."""
    number = value.removeprefix("whatsapp:")
    if (
        not value.startswith("whatsapp:+")
        or not number[1:].isascii()
        or not number[1:].isdigit()
        or len(number) > 20
    ):
        raise MalformedWebhook(f"not a WhatsApp number: {value[:40]!r}")
    return number


def to_inbound(form: dict[str, str]) -> Inbound:
    """A Twilio WhatsApp webhook form as the Inbound the console would produce.

    A quick-reply button or list row carries our button data when we set it (payload
    `s:`/`a:`), else its visible label, which the router maps like a typed label.
    """
    sid = form.get("MessageSid") or form.get("SmsMessageSid") or ""
    if not sid or len(sid) > 64:
        raise MalformedWebhook("MessageSid missing")
    address = address_of(form.get("From", ""))
    try:
        num_media = int(form.get("NumMedia") or "0")
    except ValueError as exc:
        raise MalformedWebhook("NumMedia is not a number") from exc
    payload = form.get("ButtonPayload") or form.get("ListId") or ""
    label = form.get("ButtonText") or form.get("ListTitle") or ""
    if payload.startswith(("s:", "a:")):
        return Inbound(CHANNEL, address, data=payload[:64], external_id=sid)
    text = label or payload or form.get("Body") or ""
    media = None
    if not text.strip():
        if form.get("Latitude") or form.get("Longitude"):
            media = "location"
        elif num_media > 0:
            mime = form.get("MediaContentType0", "")
            media = (
                "voice"
                if mime.startswith("audio")
                else "image"
                if mime.startswith(("image", "video"))
                else "file"
            )
    return Inbound(CHANNEL, address, text=text, external_id=sid, media=media)


def media_of(form: dict[str, str]) -> tuple[str, str] | None:
    """(MediaUrl0, MediaContentType0) of a document or image the person sent, if any."""
    url, mime = form.get("MediaUrl0", ""), form.get("MediaContentType0", "").lower()
    if form.get("NumMedia", "0") in ("", "0") or not url or not mime.startswith(FILE_MIMES):
        return None
    return url, mime


def numbered(text: str, choices: list[Choice]) -> str:
    """Choices as `[1] Label` lines under the text, as in the console."""
    if not choices:
        return text
    lines = [f"[{i}] {c.label}" for i, c in enumerate(choices, start=1)]
    return text.rstrip() + "\n\n" + "\n".join(lines)


# The kinds of message with a template of their own (TWILIO_TEMPLATE_<KIND>); others use
# the default template. The kind comes with the message (kkgbot.messages.MessageKind).
TEMPLATE_KINDS = ("reminder", "poll", "lesson", "digest", "broadcast")


def classify(exc: TwilioRestException) -> SendResult:
    """Twilio's errors in the dispatcher's terms."""
    error = f"twilio {exc.status} code {exc.code}: {exc.msg}"[:500]
    if exc.code in UNREACHABLE_CODES:
        return SendResult(UNREACHABLE, error=error)
    if exc.status == 429 or exc.code == 20429:
        return SendResult(RETRY_AFTER, retry_after=1.0, error=error)
    if exc.status >= 500 or exc.status in (401, 403):
        return SendResult(RETRY, error=error)  # theirs, or our credentials: not the message
    return SendResult(INVALID, error=error)


class WhatsAppChannel:
    name = CHANNEL
    wants_recipient = True  # the dispatcher adds the person's last message time and language

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        *,
        media_url: MediaUrl | None = None,
        http_client: AsyncTwilioHttpClient | None = None,
        media_client: httpx.AsyncClient | None = None,
        via: str | None = None,
    ) -> None:
        """`via`: one of several senders (KKGBOT_WHATSAPP_SENDERS) on the same account,
        None for TWILIO_WHATSAPP_FROM; each sender is a lane of its own."""
        assert settings.whatsapp_configured, "TWILIO_* settings are missing"
        self.via = via
        self.lane = self.name if via is None else f"{self.name}:{via}"
        self.settings = settings
        self.clock = clock
        self.media_url = media_url
        self.http = http_client or AsyncTwilioHttpClient(timeout=settings.send_timeout_seconds)
        # fetches what people send (MediaUrl0); redirects to Twilio's storage are followed,
        # and httpx drops the credentials when a redirect leaves the API's host
        self.media_client = media_client or httpx.AsyncClient(
            timeout=settings.send_timeout_seconds, follow_redirects=True, max_redirects=3
        )
        self.api_base = (settings.twilio_api_base_url or TWILIO_API).rstrip("/")
        self.client = Client(
            settings.twilio_account_sid, settings.twilio_auth_token, http_client=self.http
        )
        if settings.twilio_api_base_url:
            self.client.api.base_url = settings.twilio_api_base_url.rstrip("/")
        sender = settings.whatsapp_numbers.get(via) or ""
        self.sender = sender if sender.startswith("whatsapp:") else f"whatsapp:{sender}"

    async def close(self) -> None:
        await self.http.close()
        await self.media_client.aclose()

    def media_allowed(self, url: str) -> bool:
        """Only our Twilio account's media on the configured API host: a forged form must
        not make the bot fetch (and send our credentials to) anything else."""
        given, base = urlsplit(url), urlsplit(self.api_base)
        prefix = f"/2010-04-01/Accounts/{self.settings.twilio_account_sid}/Messages/"
        return (
            (given.scheme, given.hostname, given.port) == (base.scheme, base.hostname, base.port)
            and given.path.startswith(prefix)
            and "/Media/" in given.path
            and ".." not in given.path
            and not given.username
        )

    async def with_media(self, form: dict[str, str], inbound: Inbound) -> Inbound:
        """The Inbound with the document or image the person sent, fetched before routing."""
        found = media_of(form)
        if found is None:
            return inbound
        url, mime = found
        if not self.media_allowed(url):
            log.warning("media URL on a foreign host refused: %s", urlsplit(url).hostname)
            return dataclasses.replace(inbound, file_error=FILE_UNAVAILABLE)
        cap = self.settings.max_upload_bytes
        auth = (self.settings.twilio_account_sid or "", self.settings.twilio_auth_token or "")
        try:
            async with self.media_client.stream("GET", url, auth=auth) as answer:
                if answer.status_code != 200:
                    log.warning("media %s answered %s", url.rsplit("/", 1)[-1], answer.status_code)
                    return dataclasses.replace(inbound, file_error=FILE_UNAVAILABLE)
                size = int(answer.headers.get("content-length") or 0)
                if size > cap:
                    return dataclasses.replace(inbound, file_error=FILE_TOO_LARGE, file_size=size)
                data = bytearray()
                async for chunk in answer.aiter_bytes():
                    data += chunk
                    if len(data) > cap:
                        return dataclasses.replace(
                            inbound, file_error=FILE_TOO_LARGE, file_size=len(data)
                        )
        except httpx.HTTPError as exc:
            log.warning("media could not be fetched: %s", type(exc).__name__)
            return dataclasses.replace(inbound, file_error=FILE_UNAVAILABLE)
        media_id = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1][:40]
        name = f"whatsapp-{media_id}{mimetypes.guess_extension(mime.split(';')[0]) or ''}"
        return dataclasses.replace(inbound, file=InboundFile(name, mime, bytes(data)))

    @property
    def status_callback(self) -> str | None:
        public = self.settings.public_url
        return public.rstrip("/") + "/twilio/status" if public else None

    def window_open(self, message: Outgoing) -> bool:
        last = message.last_inbound_at
        if last is None or self.clock.now() - last >= WINDOW - WINDOW_MARGIN:
            return False
        closed = message.window_closed_at  # Twilio said 63016 after we thought it open
        return not closed or datetime.fromisoformat(closed) < last

    def template_sid(self, kind: str) -> str | None:
        specific = getattr(self.settings, f"twilio_template_{kind}", None)
        return specific or self.settings.twilio_template_default

    async def send(self, message: Outgoing) -> SendResult:
        closed = message.window_closed_at is not None
        if not self.window_open(message) and (message.kind != "reply" or closed):
            return await self._send_template(message)
        result = await self._send_free(message)
        if result.outcome == OUTSIDE_WINDOW_OUTCOME:
            return await self._send_template(message)
        return result

    async def _create(self, **params: Any) -> Any:
        if self.status_callback:
            params["status_callback"] = self.status_callback
        return await self.client.messages.create_async(
            to=f"whatsapp:{params.pop('to')}", from_=self.sender, **params
        )

    async def _send_free(self, message: Outgoing) -> SendResult:
        media = None
        if message.file_name and message.file_id is not None and self.media_url:
            media = self.media_url(int(message.file_id), message.file_name)
        try:
            if message.choices and self._quick_reply_fits(message.choices):
                variables = {"1": message.text[:1024]}
                variables |= {str(i): c.label for i, c in enumerate(message.choices, start=2)}
                sent = await self._create(
                    to=message.address,
                    content_sid=self.settings.twilio_quick_reply_sid,
                    content_variables=json.dumps(variables, ensure_ascii=False),
                )
                return SendResult(SENT, external_id=sent.sid)
            parts = split_text(numbered(message.text or "…", message.choices), TEXT_LIMIT)
            if message.file_name and media is None:
                log.warning("no public URL for file %s: sent as text only", message.file_name)
            for part in parts[:-1]:
                await self._create(to=message.address, body=part)
            extra = {"media_url": [media]} if media else {}
            sent = await self._create(to=message.address, body=parts[-1], **extra)
        except TwilioRestException as exc:
            if exc.code == OUTSIDE_WINDOW:
                return SendResult(OUTSIDE_WINDOW_OUTCOME, error=str(exc.msg)[:200])
            return classify(exc)
        except Exception as exc:  # connection refused, reset, timeouts inside aiohttp
            return SendResult(RETRY, error=f"{type(exc).__name__}: {exc}"[:500])
        return SendResult(SENT, external_id=sent.sid)

    def _quick_reply_fits(self, choices: list[Choice]) -> bool:
        """The quick-reply template has two buttons ({{2}}, {{3}}) of at most 20 characters:
        it serves the two-way choices (Ya / Batal, Setuju / Tidak setuju)."""
        return bool(self.settings.twilio_quick_reply_sid) and (
            len(choices) == 2 and all(len(c.label) <= 20 for c in choices)
        )

    async def _send_template(self, message: Outgoing) -> SendResult:
        """Outside the window: the template for this kind of message, then HELD."""
        kind = message.about if message.about in TEMPLATE_KINDS else "default"
        sid = self.template_sid(kind)
        if not sid:
            log.warning("no template for %s messages: outbox_id=%s held", kind, message.outbox_id)
            return SendResult(HELD, error="outside the 24-hour window; no template configured")
        first_line = " ".join((message.text or "").split("\n", 1)[0].split())[:100]
        variables = {
            "1": i18n.t(message.language or i18n.DEFAULT, f"whatsapp.template_summary.{kind}"),
            "2": first_line or "…",
        }
        try:
            sent = await self._create(
                to=message.address,
                content_sid=sid,
                content_variables=json.dumps(variables, ensure_ascii=False),
            )
        except TwilioRestException as exc:
            return classify(exc)
        except Exception as exc:
            return SendResult(RETRY, error=f"{type(exc).__name__}: {exc}"[:500])
        return SendResult(
            HELD, external_id=sent.sid, error="outside the 24-hour window: template sent"
        )
