"""`python bot.py run` as a real process with WhatsApp and Telegram webhooks: the web server
starts, answers signed Twilio webhooks and Telegram's webhook, and stops on SIGTERM."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from kkgbot.web.server import bound_socket
from tests.fakes.telegram_api import FakeTelegramServer
from tests.fakes.twilio_api import FakeTwilioServer
from tests.process_helpers import bot_run
from tests.telegram_helpers import TOKEN
from tests.whatsapp_helpers import FROM, SID
from tests.whatsapp_helpers import TOKEN as TWILIO_TOKEN


async def wait_healthy(url: str, proc) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            if proc.returncode is not None:
                break
            try:
                answer = await client.get(url + "/healthz")
                if answer.status_code == 200:
                    return answer
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    _, err = await proc.communicate()
    raise AssertionError("the web server never became healthy: " + err.decode()[-2000:])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_bot_run_serves_whatsapp_and_telegram_webhooks(db_url):
    sock = bound_socket()
    port = sock.getsockname()[1]
    sock.close()  # the process binds it itself
    probe = bound_socket()
    metrics_port = probe.getsockname()[1]
    probe.close()
    public = f"http://127.0.0.1:{port}"
    async with (
        FakeTwilioServer(SID, TWILIO_TOKEN) as twilio,
        FakeTelegramServer(token=TOKEN) as telegram,
    ):
        env = {
            "KKGBOT_DATABASE_URL": db_url,
            "KKGBOT_PUBLIC_URL": public,
            "KKGBOT_HTTP_PORT": str(port),
            "KKGBOT_WEBHOOK_SECRET": "process-secret",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": telegram.base_url,
            "TWILIO_ACCOUNT_SID": SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_WHATSAPP_FROM": FROM,
            "TWILIO_API_BASE_URL": twilio.base_url,
            "KKGBOT_METRICS_PORT": str(metrics_port),  # no token: not on the public port
        }
        async with bot_run(env) as proc:
            health = await wait_healthy(public, proc)
            assert health.json()["database"] == "ok"
            answer = await twilio.person_writes(
                public + "/twilio/whatsapp", "+6281200009999", "/start"
            )
            assert answer.status_code == 200
            for _ in range(100):
                if twilio.sent_to("+6281200009999"):
                    break
                await asyncio.sleep(0.1)
            assert "Selamat datang" in twilio.sent_to("+6281200009999")[0].body

            await telegram.wait_until(lambda: telegram.webhook.get("url"), timeout=10, what="hook")
            assert telegram.webhook["secret_token"] == "process-secret"
            telegram.user_sends(7001, "/start")
            assert await telegram.deliver_webhook_updates() == [200]
            sent = await telegram.wait_for_messages(7001, 1, timeout=10)
            assert "Selamat datang" in sent[0].text
            # The dispatcher process sent it; its report makes the parent's /metrics true.
            wanted = 'kkgbot_messages_out_total{channel="telegram",outcome="sent"} 1.0'
            async with httpx.AsyncClient() as client:
                assert (await client.get(public + "/metrics")).status_code == 404
                for _ in range(100):
                    scraped = (await client.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
                    if wanted in scraped:
                        break
                    await asyncio.sleep(0.1)
            assert wanted in scraped
