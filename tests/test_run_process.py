"""`python bot.py run` as a real process against a Bot API server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram_helpers import TOKEN

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_bot_run_serves_telegram_and_stops_cleanly(db_url):
    async with FakeTelegramServer(token=TOKEN) as srv:
        env = {
            **os.environ,
            "KKGBOT_DATABASE_URL": db_url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": srv.base_url,
        }
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "bot.py"),
            "run",
            env=env,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await srv.wait_until(lambda: srv.requests("getUpdates"), timeout=30, what="polling")
            srv.user_sends(7001, "/start")
            sent = await srv.wait_for_messages(7001, 1, timeout=10)
            assert "Selamat datang" in sent[0].text
            srv.user_presses(7001, "Setuju")
            asked = await srv.wait_for_messages(7001, 2, timeout=10)
            assert asked[-1].text.startswith("Siapa nama lengkap")
            assert srv.commands_for("id"), "the Indonesian command menu was set"
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout=20)
            except TimeoutError:
                proc.kill()
                raise
        _, stderr = await proc.communicate()
        assert proc.returncode == 0, stderr.decode()[-2000:]
