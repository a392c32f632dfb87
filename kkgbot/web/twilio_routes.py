"""POST /twilio/whatsapp (messages from people) and POST /twilio/status (delivery statuses).

Every request must carry a valid `X-Twilio-Signature`, computed by Twilio over the URL it
called, which is our public URL (KKGBOT_PUBLIC_URL) and not whatever host a proxy hands
us. A bad or missing signature is refused with 403 and logged; a body that is not what
Twilio sends gets 400; nothing a caller sends can produce a 5xx.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from twilio.request_validator import RequestValidator

from kkgbot.channels.base import WINDOW_CLOSED
from kkgbot.channels.whatsapp import CHANNEL, MalformedWebhook, to_inbound
from kkgbot.db.models import OutboxMessage
from kkgbot.delivery import outbox
from kkgbot.delivery.reachability import mark_unreachable

log = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
STATUS_RANK = {"queued": 0, "accepted": 0, "sending": 0, "sent": 1, "delivered": 2, "read": 3}
FAILED_STATUSES = {"failed", "undelivered"}
UNREACHABLE_CODES = {"21610", "63024", "21211", "21614"}


def _text(status: int, body: str) -> PlainTextResponse:
    return PlainTextResponse(body, status_code=status)


async def _signed_form(request: Request) -> dict[str, str] | Response:
    """The form if its signature is right, else the response to give (400 or 403)."""
    web = request.app.state.web
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return _text(400, "expected a form")
    try:
        form = {k: str(v) for k, v in (await request.form()).multi_items()}
    except Exception:
        log.warning("unreadable Twilio webhook body on %s", request.url.path)
        return _text(400, "unreadable form")
    url = web.settings.public_url.rstrip("/") + request.url.path
    if request.url.query:
        url += "?" + request.url.query
    signature = request.headers.get("x-twilio-signature", "")
    validator = RequestValidator(web.settings.twilio_auth_token or "")
    if not signature or not validator.validate(url, form, signature):
        log.warning(
            "Twilio webhook with a %s signature refused: path=%s from=%s",
            "missing" if not signature else "bad",
            request.url.path,
            request.client.host if request.client else "?",
        )
        return _text(403, "forbidden")
    return form


def sender_of(settings, to: str) -> str | None:
    """The named sender a person wrote to (None: the default one): their window is with it,
    and so is everything sent to them from then on."""
    number = to.removeprefix("whatsapp:")
    named = {n: via for via, n in settings.whatsapp_numbers.items() if via is not None}
    return named.get(number)


async def whatsapp_inbound(request: Request) -> Response:
    web = request.app.state.web
    form = await _signed_form(request)
    if isinstance(form, Response):
        return form
    try:
        inbound = to_inbound(form)
        if via := sender_of(web.settings, form.get("To", "")):  # one of several senders
            inbound = replace(inbound, via=via)
    except MalformedWebhook as exc:
        log.warning("malformed WhatsApp webhook: %s", exc)
        return _text(400, "malformed")
    web.metrics.inbound.labels(CHANNEL).inc()
    try:
        if web.fetch_media is not None:
            inbound = await web.fetch_media(form, inbound)  # a complete Inbound, as Telegram
        await web.on_inbound(inbound)  # the front door: it never raises, it apologises
    except Exception:
        log.exception("WhatsApp inbound %s could not be handled", inbound.external_id)
    return Response(EMPTY_TWIML, media_type="text/xml")


async def whatsapp_status(request: Request) -> Response:
    web = request.app.state.web
    form = await _signed_form(request)
    if isinstance(form, Response):
        return form
    sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "").lower()
    if not sid or len(sid) > 64 or not status:
        return _text(400, "malformed")
    try:
        await record_status(web.sessionmaker, sid, status, form.get("ErrorCode"), web.clock.now())
    except Exception:
        log.exception("status %s for %s could not be recorded", status, sid)
    return Response(status_code=204)


async def record_status(
    sessionmaker, sid: str, status: str, error_code: str | None, now: datetime
) -> None:
    """A delivery status for the row that holds `sid`; statuses only move forward.

    `read` keeps the row `delivered` (summaries count it so) and notes the time in the
    payload. A failure keeps Twilio's code in `last_error`, so summaries can say why;
    63016 (the window closed after all) makes the row go again, as a template.
    """
    async with sessionmaker() as session, session.begin():
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.external_id == sid))
        if row is None:
            log.info("status %s for unknown message %s ignored", status, sid)
            return
        if status in FAILED_STATUSES:
            await _failed(session, row, status, error_code, now)
        elif status in STATUS_RANK and row.status in (outbox.SENT, outbox.DELIVERED):
            if status == "read":
                row.payload = {**row.payload, "_read_at": now.isoformat()}
            if STATUS_RANK[status] >= 2 and row.status == outbox.SENT:
                row.status = outbox.DELIVERED
                row.updated_at = now


async def _failed(session, row: OutboxMessage, status: str, code: str | None, now) -> None:
    if row.status not in (outbox.SENT, outbox.DELIVERED, outbox.HELD):
        return
    row.last_error = f"whatsapp {status}" + (f" (error {code})" if code else "")
    row.updated_at = now
    if code == "63016" and row.status != outbox.HELD:
        row.payload = {**row.payload, WINDOW_CLOSED: now.isoformat()}
        row.status, row.not_before, row.external_id = outbox.QUEUED, now, None
    elif code in UNREACHABLE_CODES and row.person_id is not None:
        row.status = outbox.UNREACHABLE
        await session.flush()
        await mark_unreachable(session, row.person_id, CHANNEL, row.last_error, now)
    else:
        row.status = outbox.DEAD
