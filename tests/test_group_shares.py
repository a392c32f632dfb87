"""Sharing KKG news to a WhatsApp group (issue 19): the koordinator's link, the page that
opens WhatsApp with the ready text, and the `RSVP <meeting> HADIR` answers it asks for,
through the real Twilio client, the fake Twilio server and the web server."""

from __future__ import annotations

import re
from urllib.parse import unquote

import httpx
from sqlalchemy import select

from kkgbot.db.models import Kkg, Person
from kkgbot.meetings.models import Meeting, Rsvp
from kkgbot.people import roles
from tests.test_whatsapp import AYU, onboard
from tests.whatsapp_helpers import FROM, whatsapp_bot

KOOR, NEWCOMER = "+6281200000301", "+6281200000302"
SHARE = re.compile(r"Bagikan ke grup WhatsApp: (\S+)")


async def test_koordinator_shares_a_meeting_and_members_answer_privately(settings):
    async with whatsapp_bot(settings) as bot:
        await onboard(bot, KOOR, "Rina Koordinator")
        await onboard(bot, AYU)
        async with bot.app.sessionmaker() as s, s.begin():
            person = await s.scalar(select(Person).where(Person.name == "Rina Koordinator"))
            kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
            await roles.grant(
                s, person=person, role="koordinator", kkg=kkg, now=bot.app.clock.now()
            )
        await bot.texts(KOOR, "/jadwal Literasi Dasar; 2026-12-05 09:00; SDN 1 Mataram")
        told = await bot.texts(KOOR, "1")
        links = [m.group(1) for t in told if (m := SHARE.search(t))]
        assert len(links) == 1 and links[0].startswith(bot.public_url + "/bagikan/")
        async with bot.app.sessionmaker() as s:
            meeting = await s.scalar(select(Meeting))

        async with httpx.AsyncClient() as client:
            page = await client.get(links[0])
            missing = await client.get(bot.public_url + "/bagikan/no-such-share")
        assert page.status_code == 302 and missing.status_code == 404
        target = page.headers["location"]
        assert target.startswith("https://wa.me/?text=")
        text = unquote(target.removeprefix("https://wa.me/?text="))
        number = re.sub(r"\D", "", FROM)
        assert "Literasi Dasar" in text and "Sabtu, 5 Desember 2026" in text
        assert f"https://wa.me/{number}?text=RSVP%20{meeting.id}%20HADIR" in text
        assert f"RSVP%20{meeting.id}%20HADIR%20GUGUS1" in text
        assert "Rina" not in text and "+62" not in text  # nothing about one person

        # a member answers with the shared words: an RSVP, never a check-in
        answer = await bot.texts(AYU, f"RSVP {meeting.id} HADIR")
        assert "tercatat: Hadir" in answer[0]
        assert "menjadi Tidak hadir" in (await bot.texts(AYU, f"rsvp {meeting.id} tidak"))[0]
        async with bot.app.sessionmaker() as s:
            rsvp = await s.scalar(select(Rsvp))
        assert rsvp.answer == "no"
        # someone not registered yet is welcomed into the KKG the code names
        welcome = await bot.texts(NEWCOMER, f"RSVP {meeting.id} HADIR GUGUS1")
        assert welcome[0].startswith("Selamat datang")
