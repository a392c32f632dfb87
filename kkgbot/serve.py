"""`python bot.py run`: the long-running bot with its channels, dispatcher and scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from kkgbot import i18n
from kkgbot.app import App
from kkgbot.clock import SystemClock
from kkgbot.engine.commands import Registry
from kkgbot.scheduling.leader import SchedulerLeader
from kkgbot.settings import Settings

if TYPE_CHECKING:
    from kkgbot.channels.telegram import TelegramChannel
    from kkgbot.channels.telegram_start import TelegramStarter

log = logging.getLogger(__name__)


def command_menu(registry: Registry) -> dict[str, list[tuple[str, str]]]:
    menu: dict[str, list[tuple[str, str]]] = {}
    for lang in ("default", "id", "en"):
        text_lang = "en" if lang == "en" else "id"
        menu[lang] = [
            (c.alias if text_lang == "en" else c.name, i18n.t(text_lang, f"help.{c.name}"))
            for c in registry.ordered()
        ]
    return menu


def start_scheduler(app: App, leader: SchedulerLeader, settings: Settings) -> AsyncIOScheduler:
    """APScheduler only wakes the process: a tick every `tick_seconds`, plus the jobs' cron
    slots. What is due comes from the database and the clock, and only the elected
    instance runs it; every instance dispatches.

    coalesce=True: ticks missed while the loop was busy collapse into one, since one run
    does everything due up to now. misfire_grace_time is generous for the same reason: a
    late tick still runs (the jobs themselves decide whether late work is still useful).
    """

    async def tick() -> None:
        if await leader.ensure():
            await app.jobs.run_due_now(app.clock)
            app.dispatcher.notify()

    scheduler = AsyncIOScheduler(timezone="UTC")
    options = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
    scheduler.add_job(tick, "interval", seconds=settings.tick_seconds, **options)
    for job in app.jobs.jobs:
        for n, trigger in enumerate(job.wakeups):
            scheduler.add_job(tick, trigger, id=f"wake-{job.name}-{n}", **options)
    scheduler.start()
    return scheduler


def start_telegram(app: App, web, settings: Settings, telegram: TelegramChannel) -> TelegramStarter:
    """The bot's starter: Telegram unreachable at start, everything else runs and this bot
    is retried. Once up, its webhook (its own path) is registered and its username goes
    into the invite links (the default bot's, or this bot's for its districts)."""
    from kkgbot.channels.telegram_start import TelegramStarter
    from kkgbot.web.wiring import telegram_webhook_mode

    webhook = web is not None and telegram_webhook_mode(settings)
    if webhook:
        web.attach_telegram(telegram)

    async def telegram_is_up() -> None:
        if webhook:
            await web.register_telegram_webhook(telegram)
        if telegram.via is None:
            app.links.telegram_username = telegram.username
        else:
            app.links.bots[telegram.via] = telegram.username

    return TelegramStarter(
        telegram,
        polling=not webhook,
        commands=command_menu(app.registry),
        on_up=telegram_is_up,
    )


async def run_bot(settings: Settings, stop: asyncio.Event | None = None) -> int:
    app = App(settings, SystemClock())
    await app.migrate()
    from kkgbot.web.wiring import start_web, web_wanted

    tokens = settings.telegram_tokens  # the default bot (None) and any named ones
    if not tokens and not settings.whatsapp_configured:
        print(i18n.t(settings.language, "runtime.no_channel"))
        await app.close()
        return 2
    lag_of: list = []  # the scheduler starts after the web server; /healthz reads it then
    web = None
    if web_wanted(settings):
        web = await start_web(app, settings, scheduler_lag=lambda: lag_of[0]() if lag_of else None)
    sender = None  # Telegram's dispatcher in a child process: kkgbot/delivery/worker.py
    if tokens and settings.delivery_process:
        from kkgbot.delivery.worker import CHANNELS, DispatcherProcess

        # Started first, so it gets ready while this process starts its own side.
        on_sent = web.state.metrics.observe_send if web is not None else None
        sender = DispatcherProcess(settings, on_sent)  # its sends counted in /metrics
        await sender.start()
        app.dispatcher.hand_over(CHANNELS, sender.notify)
    telegrams: list[TelegramChannel] = []  # one for each bot
    for via, token in tokens.items():
        from kkgbot.channels.telegram import TelegramChannel

        on_inbound = web.state.metrics.counted(app.router.handle) if web else app.router.handle
        telegram = TelegramChannel(
            token,
            settings.telegram_api_base_url,
            on_inbound,
            max_upload_bytes=settings.max_upload_bytes,
            via=via,
        )
        if web is not None:
            web.add_channel(app, telegram)  # counted and timed in /metrics
        else:
            app.add_channel(telegram)
        telegrams.append(telegram)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    telegram_up = False
    starters = [start_telegram(app, web, settings, telegram) for telegram in telegrams]
    for telegram, starter in zip(telegrams, starters, strict=True):
        if web is not None:
            web.state.channel_states[telegram.lane] = lambda s=starter: s.state
        telegram_up = await starter.start() or telegram_up
    leader = SchedulerLeader(app.engine, settings.database_url)
    scheduler = start_scheduler(app, leader, settings)
    log.info("scheduler started")
    if web is not None:
        from kkgbot.web.wiring import scheduler_lag

        lag_of.append(scheduler_lag(scheduler, app.clock.now))
        web.state.scheduler_role = lambda: leader.role
    if sender is not None and telegram_up:  # "running" means answers go out: wait for it
        await sender.wait_ready()
    dispatcher = asyncio.create_task(app.dispatcher.run_forever(), name="dispatcher")
    log.info(
        "KKG Bot running: telegram=%s whatsapp=%s web=%s",
        ", ".join(t.username or "retrying" for t in telegrams) or None,
        settings.whatsapp_configured,
        web.server.port if web else None,
    )
    try:
        await stop.wait()
    finally:
        for starter in starters:
            await starter.stop()
        scheduler.shutdown(wait=False)
        if web is not None:
            await web.server.stop()  # no new inbound webhooks while winding down
        for telegram in telegrams:
            await telegram.stop_polling()  # no new inbound while the dispatcher winds down
        await app.dispatcher.stop()  # finishes what is on the wire, gives back the rest
        with contextlib.suppress(asyncio.CancelledError):
            await dispatcher
        if sender is not None:
            await sender.stop()
        await leader.release()
        for telegram in telegrams:
            await telegram.stop()
        if web is not None:
            await web.stop()
        await app.close()
    return 0
