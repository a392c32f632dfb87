"""The same conversations on every channel: console, Telegram and WhatsApp.

A channel only translates (PRODUCT.md): choices are a numbered list on WhatsApp and in the
console, an inline keyboard on Telegram; pressing a button and typing its label do the
same. Each scenario is written once, against a small driver per channel, and the demo
koordinator acts from the console so that every channel meets the same KKG.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from telegram import Update

from kkgbot.app import App
from kkgbot.channels.base import Outgoing, SendResult
from kkgbot.channels.console import ConsoleChannel
from kkgbot.channels.telegram import TelegramChannel
from kkgbot.clock import MovableClock
from kkgbot.db.models import Identity, Person
from kkgbot.meetings.models import RSVP_YES, Rsvp
from kkgbot.messages import Inbound
from kkgbot.polls.models import PollBallot, PollVote
from tests.conftest import START
from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram_helpers import TOKEN
from tests.test_engine import say as koordinator_says
from tests.whatsapp_helpers import whatsapp_bot

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
CHANNELS = ["console", "telegram", "whatsapp"]


class RecordingConsole(ConsoleChannel):
    """The console channel, also keeping each message per person for the driver."""

    def __init__(self) -> None:
        super().__init__(io.StringIO())
        self.sent: list[Outgoing] = []

    async def send(self, message: Outgoing) -> SendResult:
        self.sent.append(message)
        return await super().send(message)


class Driver:
    """One person on one channel: what they type or press, and what they get back."""

    channel: str
    address: str
    app: App

    async def say(self, text: str) -> list[str]:
        raise NotImplementedError

    async def press(self, label: str) -> list[str]:
        return await self.say(label)  # typing the label is pressing the button

    async def person(self) -> Person:
        async with self.app.sessionmaker() as s:
            return await s.scalar(
                select(Person)
                .join(Identity, Identity.person_id == Person.id)
                .where(Identity.channel == self.channel, Identity.address == self.address)
            )


class ConsoleDriver(Driver):
    channel, address = "console", "ayu"

    def __init__(self, app: App, console: RecordingConsole) -> None:
        self.app, self.console = app, console

    async def say(self, text: str) -> list[str]:
        before = len(self.mine())
        await self.app.router.handle(Inbound("console", self.address, text=text))
        await self.app.dispatcher.drain()
        return [m.text for m in self.mine()[before:]]

    def mine(self) -> list[Outgoing]:
        return [m for m in self.console.sent if m.address == self.address]


class TelegramDriver(Driver):
    channel, address, user = "telegram", "5001", 5001

    def __init__(self, app: App, srv: FakeTelegramServer, tg: TelegramChannel) -> None:
        self.app, self.srv, self.tg = app, srv, tg

    async def _feed(self, update: dict) -> list[str]:
        before = len(self.srv.sent_messages(self.user))
        await self.tg._on_update(Update.de_json(update, self.tg.bot), None)  # noqa: SLF001
        await self.app.dispatcher.drain()
        return [m.text or "" for m in self.srv.sent_messages(self.user)[before:]]

    async def say(self, text: str) -> list[str]:
        return await self._feed(self.srv.user_sends(self.user, text))

    async def press(self, label: str) -> list[str]:
        return await self._feed(self.srv.user_presses(self.user, label))


class WhatsAppDriver(Driver):
    channel, address = "whatsapp", "+6281200000555"

    def __init__(self, bot) -> None:
        self.app, self.bot = bot.app, bot

    async def say(self, text: str) -> list[str]:
        return await self.bot.texts(self.address, text)


@contextlib.asynccontextmanager
async def driver_for(name: str, settings) -> AsyncIterator[Driver]:
    if name == "console":
        console = RecordingConsole()
        app = App(settings, MovableClock(START), {"console": console})
        await app.seed_demo()
        try:
            yield ConsoleDriver(app, console)
        finally:
            await app.close()
    elif name == "telegram":
        async with FakeTelegramServer(token=TOKEN) as srv:
            app = App(settings, MovableClock(START), {"console": ConsoleChannel(io.StringIO())})
            tg = TelegramChannel(TOKEN, srv.base_url, app.router.handle)
            app.add_channel(tg)
            await tg.application.initialize()
            await app.seed_demo()
            try:
                yield TelegramDriver(app, srv, tg)
            finally:
                await tg.application.shutdown()
                await app.close()
    else:
        async with whatsapp_bot(settings) as bot:
            bot.app.add_channel(ConsoleChannel(io.StringIO()))
            yield WhatsAppDriver(bot)


@pytest.fixture(params=CHANNELS)
async def person(request, settings) -> AsyncIterator[Driver]:
    async with driver_for(request.param, settings) as driver:
        yield driver


async def onboard(person: Driver, name: str = "Kadek Ayu Pratiwi") -> None:
    welcome = await person.say("/start GUGUS1")
    assert welcome[0].startswith("Selamat datang") and "UU No. 27 Tahun 2022" in welcome[0]
    assert (await person.press("Setuju"))[0].startswith("Siapa nama lengkap")
    assert (await person.say(name))[0].startswith("Di sekolah mana")
    done = await person.say("SDN 3 Mataram")
    assert "sudah bergabung dengan KKG Gugus 1 Mataram" in done[0]


async def test_onboarding_with_consent(person):
    await onboard(person)
    me = await person.person()
    assert me.name == "Kadek Ayu Pratiwi" and me.consent_at is not None


async def test_declining_consent_stores_nothing(person):
    await person.say("/start GUGUS1")
    answer = await person.press("Tidak setuju")
    assert answer and "/start" in answer[0]
    me = await person.person()
    assert me.consent_at is None and me.name is None


async def test_help_and_a_refusal(person):
    await onboard(person)
    help_text = (await person.say("/bantuan"))[0]
    assert "/profil" in help_text and "/undang" not in help_text
    refused = await person.say("/undang")
    assert refused == ["Maaf, perintah /undang hanya untuk koordinator. Tidak ada yang diubah."]


async def test_language_switch(person):
    await onboard(person)
    assert (await person.say("/bahasa"))[0].startswith("Pilih bahasa")
    assert (await person.press("English"))[0] == "Done, the language is now English."
    assert (await person.say("/help"))[0].startswith("Commands you can use:")
    assert (await person.person()).language == "en"


async def test_a_poll_vote(person):
    await onboard(person)
    await koordinator_says(
        person.app, "koordinator", "/survei Topik?; 9 | 11 | Kelas rangkap; 2; 2026-12-08 17:00"
    )
    await koordinator_says(person.app, "koordinator", "Ya")
    # On Telegram the button marks the choice and Kirim sends it; where a label is typed
    # (console, WhatsApp) the typed choice is the vote at once, and Kirim changes nothing.
    done = await person.press("Literasi dasar") + await person.press("Kirim")
    assert any("Pilihan Anda tercatat" in t for t in done), done
    me = await person.person()
    async with person.app.sessionmaker() as s:
        voters = (
            await s.scalars(
                select(PollBallot.person_id).join(PollVote, PollVote.ballot_id == PollBallot.id)
            )
        ).all()
    assert voters == [me.id]


async def test_an_rsvp(person):
    await onboard(person)
    await koordinator_says(
        person.app, "koordinator", "/jadwal Rapat Literasi; 2026-12-05 09:00; Aula SDN 1"
    )
    await koordinator_says(person.app, "koordinator", "Ya")
    answer = await person.press("Hadir")
    assert answer, "no answer to the RSVP"
    me = await person.person()
    async with person.app.sessionmaker() as s:
        rsvp = await s.scalar(select(Rsvp).where(Rsvp.person_id == me.id))
    assert rsvp is not None and rsvp.answer == RSVP_YES
