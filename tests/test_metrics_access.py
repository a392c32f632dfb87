"""/metrics is private (issue 15, item 3): on the public port only with the bearer token, or
on a port of its own bound to 127.0.0.1; and its outbox figures come from a summary table
kept by triggers, which must agree with counting the outbox itself."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select, update

from kkgbot.app import App
from kkgbot.clock import MovableClock
from kkgbot.db.models import OutboxCount, OutboxMessage
from kkgbot.delivery import outbox
from kkgbot.web.server import bound_socket
from kkgbot.web.wiring import start_web
from tests.conftest import START
from tests.test_whatsapp import AYU, onboard
from tests.whatsapp_helpers import whatsapp_bot


async def test_metrics_need_the_token_on_the_public_port(settings):
    async with whatsapp_bot(settings, metrics_token="s3cret-token") as bot:
        url = bot.public_url + "/metrics"
        async with httpx.AsyncClient() as client:
            assert (await client.get(url)).status_code == 401
            wrong = await client.get(url, headers={"Authorization": "Bearer guessed"})
            assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
            basic = await client.get(url, headers={"Authorization": "Basic s3cret-token"})
            assert basic.status_code == 401
            right = await client.get(url, headers={"Authorization": "Bearer s3cret-token"})
            assert right.status_code == 200 and "kkgbot_outbox_depth" in right.text


async def test_no_token_no_public_metrics(settings):
    async with whatsapp_bot(settings) as bot, httpx.AsyncClient() as client:
        assert (await client.get(bot.public_url + "/metrics")).status_code == 404


async def test_metrics_port_is_loopback_only(settings):
    probe = bound_socket()
    port = probe.getsockname()[1]
    probe.close()
    settings = settings.model_copy(update={"metrics_port": port})
    app = App(settings, MovableClock(START))
    sock = bound_socket()
    web = await start_web(app, settings, sock=sock)
    try:
        assert web.metrics_server is not None and web.metrics_server.host == "127.0.0.1"
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{port}/metrics")
            assert answer.status_code == 200 and "kkgbot_outbox_depth" in answer.text
            public = f"http://127.0.0.1:{sock.getsockname()[1]}/metrics"
            assert (await client.get(public)).status_code == 404
    finally:
        await web.stop()
        await app.close()


async def test_summary_table_agrees_with_counting_the_outbox(settings):
    async with whatsapp_bot(settings) as bot:
        await onboard(bot, AYU)
        await bot.texts(AYU, "/bantuan")
        async with bot.app.sessionmaker() as s, s.begin():  # a status change, and a delete
            first = await s.scalar(select(func.min(OutboxMessage.id)))
            await s.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == first)
                .values(status=outbox.DELIVERED)
            )
            await s.execute(OutboxMessage.__table__.delete().where(OutboxMessage.id == first + 1))
        async with bot.app.sessionmaker() as s:
            counted = {
                (c, st): n
                for c, st, n in await s.execute(
                    select(OutboxMessage.channel, OutboxMessage.status, func.count()).group_by(
                        OutboxMessage.channel, OutboxMessage.status
                    )
                )
            }
            kept = {
                (c, st): n
                for c, st, n in await s.execute(
                    select(OutboxCount.channel, OutboxCount.status, OutboxCount.n)
                )
                if n
            }
        assert kept == counted and counted[("whatsapp", "delivered")] == 1
