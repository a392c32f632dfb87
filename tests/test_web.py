"""The web server: health, metrics, calendar feed, signed media URLs, Telegram webhooks."""

from __future__ import annotations

import asyncio
import contextlib
import io
from datetime import timedelta

import httpx
from sqlalchemy import select

from kkgbot.app import App
from kkgbot.channels.console import ConsoleChannel
from kkgbot.channels.telegram import TelegramChannel
from kkgbot.clock import SystemClock
from kkgbot.db.models import Kkg
from kkgbot.meetings import calendar_feed
from kkgbot.people import messaging
from kkgbot.serve import command_menu
from kkgbot.web.server import bound_socket
from kkgbot.web.wiring import start_web
from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram_helpers import TOKEN
from tests.test_whatsapp import AYU, onboard
from tests.whatsapp_helpers import whatsapp_bot


async def get(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.get(url)


async def test_healthz_reports_database_and_scheduler(settings):
    async with whatsapp_bot(settings, seed=False) as bot:
        plain = await get(bot.public_url + "/healthz")
        assert plain.status_code == 200 and plain.json() == {"status": "ok", "database": "ok"}
        bot.web.scheduler_lag = lambda: 0.4
        alive = await get(bot.public_url + "/healthz")
        assert alive.json() == {"status": "ok", "database": "ok", "scheduler": "ok"}
        bot.web.scheduler_lag = lambda: 900.0
        stalled = await get(bot.public_url + "/healthz")
        assert stalled.status_code == 503 and stalled.json()["scheduler"] == "stalled"
        bot.web.scheduler_lag = lambda: None  # not running at all
        assert (await get(bot.public_url + "/healthz")).status_code == 503


async def test_metrics_in_prometheus_text(settings):
    async with whatsapp_bot(settings, metrics_token="scrape-token") as bot:
        await onboard(bot, AYU)
        bot.web.scheduler_lag = lambda: 1.5
        async with httpx.AsyncClient() as client:
            answer = await client.get(
                bot.public_url + "/metrics", headers={"Authorization": "Bearer scrape-token"}
            )
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/plain")
        body = answer.text
        assert 'kkgbot_messages_in_total{channel="whatsapp"} 4.0' in body
        assert 'kkgbot_messages_out_total{channel="whatsapp",outcome="sent"} 4.0' in body
        assert 'kkgbot_outbox_messages{channel="whatsapp",status="sent"} 4.0' in body
        assert 'kkgbot_dispatch_seconds_count{channel="whatsapp"} 4.0' in body
        assert "kkgbot_outbox_oldest_due_seconds 0.0" in body
        assert "kkgbot_scheduler_lag_seconds 1.5" in body


async def test_calendar_feed_by_token(settings):
    async with whatsapp_bot(settings) as bot:
        async with bot.app.sessionmaker() as s, s.begin():
            kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
            token = await calendar_feed.feed_token(s, kkg.id, bot.app.clock.now())
        feed = await get(bot.public_url + calendar_feed.feed_path(token))
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        assert b"BEGIN:VCALENDAR" in feed.content and b"KKG Gugus 1 Mataram" in feed.content
        assert (await get(bot.public_url + "/calendar/guessed-token.ics")).status_code == 404


async def test_media_urls_are_signed_and_expire(settings):
    async with whatsapp_bot(settings) as bot:
        async with bot.app.sessionmaker() as s, s.begin():
            file_id = await messaging.store_file(
                s, "ringkasan.png", "image/png", b"\x89PNG data", bot.app.clock.now()
            )
        url = bot.web.signer.url(file_id, "ringkasan.png", bot.app.clock.now())
        ok = await get(url)
        assert ok.status_code == 200 and ok.content == b"\x89PNG data"
        assert ok.headers["content-type"] == "image/png"
        assert (await get(url.replace("sig=", "sig=0"))).status_code == 403
        other = url.replace(f"/media/{file_id}/", f"/media/{file_id + 1}/")
        assert (await get(other)).status_code == 403  # the signature names the file
        assert (await get(url.split("?")[0] + "?exp=abc&sig=x")).status_code == 400
        bot.app.clock.advance(timedelta(days=8))
        expired = await get(url)
        assert expired.status_code == 410 and "kedaluwarsa" in expired.text  # a clear page


async def test_files_go_to_whatsapp_as_signed_media_urls(settings):
    async with whatsapp_bot(settings) as bot:
        await onboard(bot, AYU)
        async with bot.app.sessionmaker() as s, s.begin():
            from kkgbot.db.models import Identity

            pid = await s.scalar(select(Identity.person_id).where(Identity.address == AYU))
            now = bot.app.clock.now()
            file_id = await messaging.store_file(s, "ekspor.xlsx", "application/x", b"XL", now)
            await messaging.send(
                s,
                messaging.Recipient(pid, "id", "Asia/Makassar"),
                lambda lang: "Ekspor Anda",
                key="export:1",
                now=now,
                file_id=file_id,
                file_name="ekspor.xlsx",
            )
        await bot.app.dispatcher.drain()
        sent = bot.srv.sent_to(AYU)[-1]
        assert sent.body == "Ekspor Anda"
        media_url = sent.params["MediaUrl"]
        assert media_url.startswith(bot.public_url + f"/media/{file_id}/ekspor.xlsx?exp=")
        assert (await get(media_url)).content == b"XL"


@contextlib.asynccontextmanager
async def telegram_webhook_bot(settings, srv: FakeTelegramServer):
    sock = bound_socket()
    public = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = settings.model_copy(
        update={
            "public_url": public,
            "webhook_secret": "right-secret",
            "telegram_rate_per_chat": 50.0,
            "metrics_token": "scrape-token",
        }
    )
    app = App(settings, SystemClock())
    await app.seed_demo()
    web = await start_web(app, settings, sock=sock)
    channel = TelegramChannel(TOKEN, srv.base_url, web.state.metrics.counted(app.router.handle))
    web.add_channel(app, channel)
    web.attach_telegram(channel)
    await channel.start(polling=False, commands=command_menu(app.registry))
    await web.register_telegram_webhook()
    dispatcher = asyncio.create_task(app.dispatcher.run_forever(poll_seconds=0.05))
    try:
        yield app, web
    finally:
        dispatcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await dispatcher
        await web.stop()
        await channel.stop()
        await app.close()


async def test_telegram_webhook_checks_the_secret(settings):
    async with (
        FakeTelegramServer(token=TOKEN) as srv,
        telegram_webhook_bot(settings, srv) as (app, web),
    ):
        assert srv.webhook["url"] == web.state.settings.public_url + "/telegram/webhook"
        assert srv.webhook["secret_token"] == "right-secret"
        srv.user_sends(5001, "/bantuan")
        assert await srv.deliver_webhook_updates() == [200]
        answer = await srv.wait_for_messages(5001, 1, timeout=10)
        assert answer[0].text

        srv.webhook["secret_token"] = "wrong-secret"
        srv.user_sends(5001, "/bantuan")
        assert await srv.deliver_webhook_updates() == [403]
        srv.webhook.pop("secret_token")
        assert await srv.deliver_webhook_updates() == [403]  # missing header
        async with httpx.AsyncClient() as client:
            url = web.state.settings.public_url + "/telegram/webhook"
            headers = {"X-Telegram-Bot-Api-Secret-Token": "right-secret"}
            bad = await client.post(url, content=b"{not json", headers=headers)
            assert bad.status_code == 400
            odd = await client.post(url, json={"update_id": "x"}, headers=headers)
            assert odd.status_code == 400
        await asyncio.sleep(0.2)
        assert len(srv.sent_messages(5001)) == 1
        async with httpx.AsyncClient() as client:
            metrics = (
                await client.get(
                    web.state.settings.public_url + "/metrics",
                    headers={"Authorization": "Bearer scrape-token"},
                )
            ).text
        assert 'kkgbot_messages_in_total{channel="telegram"} 1.0' in metrics


async def test_the_koordinator_renews_the_calendar_link(settings):
    from tests.test_engine import say

    async with whatsapp_bot(settings) as bot:
        bot.app.add_channel(ConsoleChannel(io.StringIO()))
        listing = await say(bot.app, "koordinator", "/rapat")
        old_url = next(w for w in listing.split() if "/calendar/" in w)
        assert (await get(old_url)).status_code == 200
        assert "Perbarui tautan kalender" in listing
        renewed = await say(bot.app, "koordinator", "Perbarui tautan kalender")
        new_url = next(w for w in renewed.split() if "/calendar/" in w)
        assert "sudah diperbarui" in renewed and new_url != old_url
        assert (await get(old_url)).status_code == 404
        assert (await get(new_url)).status_code == 200
        # a guru sees the link but no renew button, and a forged press changes nothing
        guru = await say(bot.app, "guru1", "/rapat")
        assert "/calendar/" in guru and "Perbarui" not in guru
        refused = await say(bot.app, "guru1", data="a:feedrenew:1")
        assert "tidak berlaku" in refused
        assert (await get(new_url)).status_code == 200
