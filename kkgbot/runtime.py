"""`python bot.py run`: the long-running bot with its channels, dispatcher and scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from kkgbot import i18n
from kkgbot.app import App
from kkgbot.clock import SystemClock
from kkgbot.engine.commands import Registry
from kkgbot.scheduling.leader import SchedulerLeader
from kkgbot.settings import Settings

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


async def run_bot(settings: Settings, stop: asyncio.Event | None = None) -> int:
    app = App(settings, SystemClock())
    await app.migrate()
    if not settings.telegram_bot_token:
        print(i18n.t(settings.language, "runtime.no_channel"))
        await app.close()
        return 2
    from kkgbot.channels.telegram import TelegramChannel

    telegram = TelegramChannel(
        settings.telegram_bot_token, settings.telegram_api_base_url, app.router.handle
    )
    app.add_channel(telegram)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    await telegram.start(polling=True, commands=command_menu(app.registry))
    app.links.telegram_username = telegram.username
    leader = SchedulerLeader(app.engine, settings.database_url)
    scheduler = start_scheduler(app, leader, settings)
    dispatcher = asyncio.create_task(app.dispatcher.run_forever(), name="dispatcher")
    log.info("KKG Bot running on Telegram as @%s", telegram.username)
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        updater = telegram.application.updater
        if updater is not None and updater.running:
            await updater.stop()  # no new inbound while the dispatcher winds down
        await app.dispatcher.stop()  # finishes what is on the wire, gives back the rest
        with contextlib.suppress(asyncio.CancelledError):
            await dispatcher
        await leader.release()
        await telegram.stop()
        await app.close()
    return 0
