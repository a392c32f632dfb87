"""Withdrawing consent on WhatsApp: STOP, then the request to delete (issue 10, item 1).

STOP (BERHENTI) alone stops the bot's own messages and tells the person how to withdraw
consent; /hapusdata after it removes their personal data, and the number then gets nothing
more until it registers again.
"""

from __future__ import annotations

from sqlalchemy import func, select

from kkgbot.db.models import Identity, OutboxMessage, Person
from tests.test_privacy import occurrences
from tests.test_whatsapp import AYU, NAME, onboard
from tests.whatsapp_helpers import whatsapp_bot


async def test_stop_then_the_request_to_delete_withdraws_consent(settings):
    async with whatsapp_bot(settings) as bot:
        await onboard(bot, AYU)
        stopped = await bot.texts(AYU, "STOP")
        assert "ketik /hapusdata" in stopped[0]
        asked = await bot.texts(AYU, "/hapusdata")
        assert asked[0].startswith("Hapus data pribadi Anda?")
        goodbye = await bot.texts(AYU, "Ya")
        assert "sudah dihapus" in goodbye[0]
        await bot.app.advance_to(bot.app.clock.now())  # the sweep of delivered outbox rows
        for needle in (NAME, AYU, AYU.lstrip("+")):
            assert await occurrences(bot.app, needle) == [], needle
        async with bot.app.sessionmaker() as s:
            person = await s.scalar(select(Person).where(Person.erased_at.is_not(None)))
            assert person.consent_at is None and person.name is None
            assert await s.scalar(select(Identity).where(Identity.address == AYU)) is None
        # nothing more reaches the number: a later broadcast has no one to go to
        before = len(bot.srv.sent_to(AYU))
        async with bot.app.sessionmaker() as s:
            queued = await s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.person_id == person.id)
            )
        assert queued == 0
        assert len(bot.srv.sent_to(AYU)) == before
        # the number is a stranger again: writing gets the way to register, not old data
        again = await bot.texts(AYU, "halo")
        assert "belum terdaftar" in again[0]


async def test_stop_in_english_names_the_english_command(settings):
    async with whatsapp_bot(settings) as bot:
        await onboard(bot, AYU)
        await bot.texts(AYU, "/bahasa en")
        stopped = await bot.texts(AYU, "BERHENTI")
        assert stopped[0].startswith("All right") and "send /deleteme" in stopped[0]
        # asking again says it is already off, with the same way out
        again = (await bot.texts(AYU, "STOP"))[0]
        assert "already stopped" in again and "/deleteme" in again
