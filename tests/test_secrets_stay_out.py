"""The bot token, the Twilio auth token and the webhook secret never reach exports, stored
files, the database or the logs (issue 10, "Secrets").

The bot runs a morning's worth of work with distinctive secrets in its settings: a meeting
with check-ins, every export (/ekspor spreadsheet and SPJ PDFs), /dataku, /ringkasan for the
koordinator, pengawas and admin, /rapat with the calendar feed link. Then everything it
produced is searched: every stored file (spreadsheets unzipped, PDF streams inflated), every
text column of every table, and every log record.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
import zlib
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from kkgbot.app import App
from kkgbot.channels.base import INVALID, SendResult
from kkgbot.channels.console import ConsoleChannel
from kkgbot.clock import MovableClock
from kkgbot.db.models import OutboxMessage, StoredFile
from tests.conftest import START
from tests.test_exports import held_meeting
from tests.test_meetings import say
from tests.test_privacy import occurrences

SECRETS = {
    "telegram_bot_token": "7412365980:AAH-sEcReT-tElEgRaM-tOkEn-0123456789",
    "twilio_auth_token": "f00dfacecafe5ec7e70ken0123456789",
    "webhook_secret": "wh-SeCrEt-4c1d-9f2e",
}


@pytest.fixture
async def secret_app(settings, tmp_path) -> AsyncIterator[App]:
    settings = settings.model_copy(update={**SECRETS, "public_url": "https://kkg.example.id"})
    app = App(settings, MovableClock(START), {"console": ConsoleChannel(io.StringIO(), tmp_path)})
    await app.seed_demo()
    yield app
    await app.close()


def readable_parts(data: bytes) -> list[bytes]:
    """The bytes as stored plus what a reader would see: zip members, inflated PDF streams."""
    parts = [data]
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts += [z.read(name) for name in z.namelist()]
    if data.startswith(b"%PDF"):
        for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
            try:
                parts.append(zlib.decompress(stream))
            except zlib.error:
                parts.append(stream)
    return parts


async def test_no_secret_in_exports_files_database_or_logs(secret_app, caplog):
    app = secret_app
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="kkgbot")
    await held_meeting(app)
    replies = []
    for who, lines in {
        "koordinator": ["/ekspor", "2", "/ekspor", "3", "1", "/dataku", "/ringkasan", "/rapat"],
        "pengawas": ["/ringkasan", "/ekspor", "/dataku"],
        "admin": ["/ringkasan", "/dataku"],
        "guru1": ["/dataku", "/rapat", "/profil"],
    }.items():
        for line in lines:
            replies.append(await say(app, who, line))
    async with app.sessionmaker() as s:
        files = list(await s.scalars(select(StoredFile)))
    names = {f.name for f in files}
    # the run really produced every kind of export we mean to search
    assert any(n.endswith(".xlsx") and n.startswith("rekap-") for n in names), names
    assert any(n.startswith("daftar-hadir-") for n in names), names
    assert any(n.startswith("laporan-kegiatan-") for n in names), names
    assert any(n == "data-saya.json" for n in names), names
    assert any(n.endswith(".png") for n in names), names
    assert any("/calendar/" in r for r in replies), "the feed link was shown"
    # the search reads what a person would read: a name inside the zipped spreadsheet is found
    rekap = next(f for f in files if f.name.startswith("rekap-"))
    assert any(b"Ni Made Ayu Lestari" in part for part in readable_parts(rekap.data))
    assert b"Ni Made Ayu Lestari" not in rekap.data
    for secret in SECRETS.values():
        needle = secret.encode()
        for f in files:
            for part in readable_parts(f.data):
                assert needle not in part, f"{secret!r} in file {f.name}"
        assert await occurrences(app, secret) == [], secret
        assert all(secret not in r for r in replies)
        for record in caplog.records:
            assert secret not in record.getMessage(), record.getMessage()
    assert len(caplog.records) > 0


class LeakyChannel(ConsoleChannel):
    """A channel whose errors quote the request URL, as an HTTP library's errors do."""

    def __init__(self, raise_it: bool) -> None:
        super().__init__(io.StringIO())
        self.raise_it = raise_it

    async def send(self, message):
        url = f"https://api.telegram.org/bot{SECRETS['telegram_bot_token']}/sendMessage"
        if self.raise_it:
            raise RuntimeError(f"POST {url} failed")
        return SendResult(INVALID, error=f"400 from {url}")


@pytest.mark.parametrize("raise_it", [True, False])
async def test_send_errors_are_kept_without_the_token(secret_app, raise_it):
    secret_app.channels["console"] = LeakyChannel(raise_it)
    await say(secret_app, "guru1", "/bantuan")
    async with secret_app.sessionmaker() as s:
        errors = [e for e in await s.scalars(select(OutboxMessage.last_error)) if e]
    assert errors and all("[REDACTED]" in e for e in errors), errors
    assert await occurrences(secret_app, SECRETS["telegram_bot_token"]) == []
