"""Wiring of the web side for `bot.py run`: the WhatsApp channel, metrics, the server,
and Telegram's webhook registration. Kept here so that kkgbot/serve.py only calls it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from kkgbot.app import App
from kkgbot.channels.telegram import ALLOWED_UPDATES
from kkgbot.channels.whatsapp import WhatsAppChannel
from kkgbot.settings import Settings
from kkgbot.web.asgi import WebState, build_metrics_app, build_web_app, media_signer
from kkgbot.web.metrics import Metrics
from kkgbot.web.server import WebServer

log = logging.getLogger(__name__)
TELEGRAM_PATH = "/telegram/webhook"


def web_wanted(settings: Settings) -> bool:
    """The web server runs when there is a public URL, WhatsApp, or a metrics port."""
    return bool(settings.public_url) or settings.whatsapp_configured or bool(settings.metrics_port)


def telegram_webhook_mode(settings: Settings) -> bool:
    return bool(settings.public_url and settings.webhook_secret)


@dataclass
class Web:
    """What `start_web` started, to stop it in the right order."""

    state: WebState
    server: WebServer
    whatsapp: WhatsAppChannel | None = None
    telegram_channel: object | None = None  # the default bot's
    metrics_server: WebServer | None = None  # KKGBOT_METRICS_PORT, on 127.0.0.1 only
    senders: list[WhatsAppChannel] = field(default_factory=list)  # more WhatsApp senders

    def add_channel(self, app: App, channel) -> None:
        """A channel whose sends are counted and timed in /metrics."""
        app.add_channel(self.state.metrics.metered(channel))

    def attach_telegram(self, channel) -> None:
        """Telegram updates now come through POST /telegram/webhook (/<name> for the bots
        of KKGBOT_TELEGRAM_BOTS: each bot's updates are its own, their ids may clash)."""
        via = getattr(channel, "via", None)
        if via is None:
            self.telegram_channel = channel
            self.state.telegram_application = channel.application
            self.state.telegram_process = channel.process
        else:
            self.state.telegram_bots[via] = (channel.application, channel.process)

    async def register_telegram_webhook(self, channel=None) -> None:
        settings = self.state.settings
        channel = channel or self.telegram_channel
        assert channel is not None and settings.public_url and settings.webhook_secret
        via = getattr(channel, "via", None)
        await channel.bot.set_webhook(  # type: ignore[attr-defined]
            settings.public_url.rstrip("/") + TELEGRAM_PATH + (f"/{via}" if via else ""),
            secret_token=settings.webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )

    async def stop(self) -> None:
        await self.server.stop()
        if self.metrics_server is not None:
            await self.metrics_server.stop()
        if self.whatsapp is not None:
            await self.whatsapp.close()
        for sender in self.senders:
            await sender.close()


def whatsapp_channel(app: App, settings: Settings, via: str | None = None) -> WhatsAppChannel:
    signer = media_signer(settings)
    return WhatsAppChannel(
        settings,
        app.clock,
        media_url=(lambda fid, name: signer.url(fid, name, app.clock.now())) if signer else None,
        via=via,
    )


async def start_web(
    app: App,
    settings: Settings,
    *,
    scheduler_lag: Callable[[], float | None] | None = None,
    sock=None,
) -> Web:
    """Adds the WhatsApp channel (when configured) and starts the web server."""
    metrics = Metrics()
    whatsapp = None
    senders: list[WhatsAppChannel] = []  # the named ones (KKGBOT_WHATSAPP_SENDERS)
    if settings.whatsapp_configured:
        if not settings.public_url:
            log.warning("WhatsApp without KKGBOT_PUBLIC_URL: Twilio cannot reach the webhooks")
        whatsapp = whatsapp_channel(app, settings)
        app.add_channel(metrics.metered(whatsapp))
        for via in settings.whatsapp_numbers:  # more senders: a channel (a lane) each
            if via is not None:
                senders.append(whatsapp_channel(app, settings, via))
                app.add_channel(metrics.metered(senders[-1]))
    state = WebState(
        settings=settings,
        sessionmaker=app.sessionmaker,
        clock=app.clock,
        on_inbound=app.router.handle,  # the WhatsApp route counts what it receives
        metrics=metrics,
        on_enqueued=app.dispatcher.notify,
        fetch_media=whatsapp.with_media if whatsapp is not None else None,
        signer=media_signer(settings),
        scheduler_lag=scheduler_lag,
    )
    server = WebServer(build_web_app(state), settings.http_host, settings.http_port)
    await server.start(sock)
    log.info("web server on %s:%s", settings.http_host, server.port)
    metrics_server = None
    if settings.metrics_port:
        metrics_server = WebServer(build_metrics_app(state), "127.0.0.1", settings.metrics_port)
        await metrics_server.start()
        log.info("metrics on 127.0.0.1:%s", metrics_server.port)
    return Web(state, server, whatsapp, metrics_server=metrics_server, senders=senders)


def scheduler_lag(scheduler, clock_now) -> Callable[[], float | None]:
    """Seconds the scheduler's tick is overdue (0 when on time); None when it is not running."""

    def lag() -> float | None:
        if not scheduler.running:
            return None
        due = [job.next_run_time for job in scheduler.get_jobs() if job.next_run_time]
        if not due:
            return None
        return max(0.0, (clock_now() - min(due)).total_seconds())

    return lag
