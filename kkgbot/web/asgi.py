"""One ASGI app for everything the outside world sends us.

Built as in python-telegram-bot's `examples/customwebhookbot/starlettebot.py`: Telegram
updates are put on the PTB Application's `update_queue` (the Application runs without an
Updater), with the `X-Telegram-Bot-Api-Secret-Token` check that example lacks.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from kkgbot.clock import Clock
from kkgbot.groups import shares
from kkgbot.meetings import calendar_feed
from kkgbot.messages import Inbound
from kkgbot.settings import Settings
from kkgbot.web import dashboard, media, twilio_routes, verify
from kkgbot.web.media import MediaSigner
from kkgbot.web.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)
MAX_TELEGRAM_BODY = 1_000_000


@dataclass
class WebState:
    """What the routes need; `bot.py run` and the tests fill it in."""

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    on_inbound: Callable[[Inbound], Awaitable[None]]
    metrics: Metrics
    on_enqueued: Callable[[], None] = lambda: None
    # the WhatsApp adapter's `with_media`: fetches a file a person sent, before routing
    fetch_media: Callable[[dict[str, str], Inbound], Awaitable[Inbound]] | None = None
    signer: MediaSigner | None = None
    telegram_application: object | None = None  # a PTB Application, when in webhook mode
    # handles one update and returns when it is committed (TelegramChannel.process)
    telegram_process: Callable[[object], Awaitable[None]] | None = None
    # the other bots (KKGBOT_TELEGRAM_BOTS) by name: (Application, process), each on
    # POST /telegram/webhook/<name>
    telegram_bots: dict[str, tuple[Any, Callable[[object], Awaitable[None]]]] = field(
        default_factory=dict
    )
    scheduler_lag: Callable[[], float | None] | None = None  # None: no scheduler here
    # "leader" or "standby": which process behind the load balancer runs the due work
    scheduler_role: Callable[[], str] | None = None
    # a channel's state for /healthz ("ok", "retrying"): named, but never a reason for 503
    channel_states: dict[str, Callable[[], str]] = field(default_factory=dict)
    max_scheduler_lag: float = 120.0


def media_signer(settings: Settings) -> MediaSigner | None:
    secret = settings.webhook_secret or settings.twilio_auth_token
    if not (settings.public_url and secret):
        return None
    return MediaSigner(secret, settings.public_url, settings.media_url_ttl_seconds)


async def telegram_webhook(request: Request) -> Response:
    web: WebState = request.app.state.web
    application, process = web.telegram_application, web.telegram_process
    if "bot" in request.path_params:  # one of several bots: its own path
        application, process = web.telegram_bots.get(request.path_params["bot"], (None, None))
    expected = web.settings.webhook_secret or ""
    given = request.headers.get("x-telegram-bot-api-secret-token", "")
    if application is None:
        return PlainTextResponse("not found", status_code=404)
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        log.warning("Telegram webhook with a wrong secret refused")
        return PlainTextResponse("forbidden", status_code=403)
    body = await request.body()
    if len(body) > MAX_TELEGRAM_BODY:
        return PlainTextResponse("too large", status_code=413)
    from telegram import Update

    try:
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            raise ValueError("not an Update")
        update = Update.de_json(data, application.bot)  # type: ignore[attr-defined]
    except Exception:
        log.warning("malformed Telegram webhook body refused")
        return PlainTextResponse("malformed", status_code=400)
    # Answered only once handled: Telegram sends an update again until it gets a 200, so a
    # crash meanwhile loses nothing (and `inbound_seen` makes the second delivery harmless).
    if process is not None:
        await process(update)
    else:
        await application.update_queue.put(update)  # type: ignore[attr-defined]
    return Response(status_code=200)


async def healthz(request: Request) -> Response:
    web: WebState = request.app.state.web
    checks: dict[str, str] = {}
    try:
        async with web.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("health check: database unreachable: %s", exc)
        checks["database"] = "unreachable"
    if web.scheduler_lag is not None:
        lag = web.scheduler_lag()
        checks["scheduler"] = (
            "ok" if lag is not None and lag <= web.max_scheduler_lag else "stalled"
        )
    healthy = all(v == "ok" for v in checks.values())
    # A channel waiting for its service (Telegram unreachable) is named, but the bot is
    # healthy: a restart would not bring Telegram back, and WhatsApp and the rest still work.
    named = {name: state() for name, state in web.channel_states.items()}
    if web.scheduler_role is not None:  # a standby is as healthy as the leader
        named["scheduler_role"] = web.scheduler_role()
    return JSONResponse(
        {"status": "ok" if healthy else "unhealthy", **checks, **named},
        status_code=200 if healthy else 503,
    )


def metrics_allowed(request: Request) -> Response | None:
    """/metrics on the public port: only with the bearer token (401 without or with a wrong
    one); no token configured, no /metrics here (404). The figures show how busy the bot
    is, and each scrape reads the database: not for anyone who finds the port."""
    token = request.app.state.web.settings.metrics_token
    if not token:
        return PlainTextResponse("not found", status_code=404)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
        return PlainTextResponse(
            "unauthorized", status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    return None


async def public_metrics(request: Request) -> Response:
    refused = metrics_allowed(request)
    return refused if refused is not None else await metrics(request)


async def metrics(request: Request) -> Response:
    """The figures, for whoever reached this route (the loopback-only metrics app)."""
    web: WebState = request.app.state.web
    lag = web.scheduler_lag() if web.scheduler_lag is not None else None
    try:
        await web.metrics.refresh(web.sessionmaker, web.clock.now(), lag)
    except Exception:
        log.exception("metrics: the outbox could not be read")
    return Response(web.metrics.render(), media_type=CONTENT_TYPE)


async def calendar(request: Request) -> Response:
    """GET /calendar/{token}.ics: the KKG's meetings, for phone calendars to subscribe to."""
    web: WebState = request.app.state.web
    token = request.path_params["token"]
    async with web.sessionmaker() as session:
        kkg = await calendar_feed.kkg_for_token(session, token)
        if kkg is None:
            return PlainTextResponse("not found", status_code=404)
        body = await calendar_feed.build_feed(
            session,
            kkg,
            now=web.clock.now(),
            offsets_hours=web.settings.reminder_offsets_hours,
            lang=web.settings.language,
        )
    return Response(body, media_type="text/calendar; charset=utf-8")


async def share(request: Request) -> Response:
    """GET /bagikan/{token}: WhatsApp opens with a KKG post ready for the group."""
    web: WebState = request.app.state.web
    async with web.sessionmaker() as session:
        text = await shares.text_of(session, request.path_params["token"])
    if text is None:
        return PlainTextResponse("not found", status_code=404)
    return RedirectResponse(shares.whatsapp_url(text), status_code=302)


def build_web_app(state: WebState) -> Starlette:
    routes = [
        Route("/telegram/webhook", telegram_webhook, methods=["POST"]),
        Route("/telegram/webhook/{bot}", telegram_webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", public_metrics, methods=["GET"]),
        Route("/calendar/{token}.ics", calendar, methods=["GET"]),
        Route("/bagikan/{token}", share, methods=["GET"]),
        Route("/media/{file_id}/{name}", media.serve, methods=["GET"]),
        Route("/verifikasi/{code}", verify.page, methods=["GET"]),
    ]
    if state.settings.whatsapp_configured and state.settings.public_url:
        routes += [
            Route("/twilio/whatsapp", twilio_routes.whatsapp_inbound, methods=["POST"]),
            Route("/twilio/status", twilio_routes.whatsapp_status, methods=["POST"]),
        ]
    routes += dashboard.routes()
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: dashboard.http_error, 500: dashboard.http_error},
    )
    app.state.web = state
    app.state.verify_limiter = verify.Limiter()
    return app


def build_metrics_app(state: WebState) -> Starlette:
    """Only /metrics, without a token: served on KKGBOT_METRICS_PORT bound to 127.0.0.1."""
    app = Starlette(routes=[Route("/metrics", metrics, methods=["GET"])])
    app.state.web = state
    return app
