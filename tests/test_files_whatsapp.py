"""Files people send on WhatsApp: the MediaUrl of a signed webhook is fetched from Twilio
(the fake, with Basic auth) before routing and kept; a MediaUrl on any other host is never
fetched; a broadcast's file goes to WhatsApp members as media (a signed link of ours)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from kkgbot.db.models import Kkg, Person, StoredFile
from kkgbot.meetings import service as meetings
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.service import MeetingDraft
from kkgbot.people import roles
from tests.conftest import START
from tests.test_whatsapp import onboard, person_id
from tests.whatsapp_helpers import SID, whatsapp_bot

KOOR, SARI = "+6281200000201", "+6281200000202"
PDF = b"%PDF-1.4\n% notulen rapat KKG\n" + b"x" * 3000 + b"\n%%EOF\n"


async def held_meeting(bot) -> int:
    """A meeting of GUGUS1 that started an hour ago, with a koordinator on WhatsApp."""
    await onboard(bot, KOOR, "Rina Koordinator")
    await onboard(bot, SARI, "Putu Sari Dewi")
    async with bot.app.sessionmaker() as s, s.begin():
        kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
        koor = await s.get(Person, await person_id(bot, KOOR))
        await roles.grant(s, person=koor, role="koordinator", kkg=kkg, now=START)
        draft = MeetingDraft(kkg_id=kkg.id, title="Numerasi", starts_at=START - timedelta(hours=3),
                             duration_minutes=120, place="SDN 1", agenda=None)  # fmt: skip
        meeting = await meetings.create_meeting(
            s,
            draft,
            creator_id=koor.id,
            now=START,
            code_key=meetings.code_key_for(bot.app.settings),
        )
        meeting.reminded_for = meeting.code_sent_at = meeting.starts_at
        meeting.ended_at = START - timedelta(hours=1)
        return meeting.id


async def uploads(bot) -> list[StoredFile]:
    async with bot.app.sessionmaker() as s:
        found = select(StoredFile).where(StoredFile.uploaded_by_person_id.is_not(None))
        return list(await s.scalars(found))


async def test_notulen_media_is_fetched_from_twilio_and_kept(settings):
    async with whatsapp_bot(settings) as bot:
        meeting_id = await held_meeting(bot)
        await bot.texts(KOOR, "/rapat")
        assert "Notulen" in (await bot.texts(KOOR, "1"))[0]
        asked = await bot.texts(KOOR, "Notulen")
        assert "kirim filenya" in asked[0]
        confirm = await bot.texts(KOOR, media=(PDF, "application/pdf"))
        assert len(bot.srv.media_requests) == 1  # fetched once, with our credentials
        assert confirm[0].startswith('Simpan file "whatsapp-ME') and ".pdf" in confirm[0]
        assert "tersimpan" in (await bot.texts(KOOR, "Ya"))[0]
        async with bot.app.sessionmaker() as s:
            meeting = await s.get(Meeting, meeting_id)
            stored = await s.get(StoredFile, meeting.notes_file_id)
            koor = await person_id(bot, KOOR)
        assert stored.data == PDF and stored.mime == "application/pdf"
        assert stored.uploaded_by_person_id == koor
        # a member asks for it: it goes as media, through a signed link to our /media route
        await bot.texts(SARI, "/rapat")
        detail = await bot.texts(SARI, "1")
        assert "File notulen: whatsapp-ME" in detail[0]
        sent = await bot.writes(SARI, "Unduh notulen")
        media = sent[-1].params.get("MediaUrl", "")
        assert media.startswith(bot.public_url + f"/media/{stored.id}/")


async def test_media_on_another_host_is_never_fetched(settings):
    async with whatsapp_bot(settings) as bot:
        await held_meeting(bot)
        await bot.texts(KOOR, "/rapat")
        await bot.texts(KOOR, "1")
        await bot.texts(KOOR, "Notulen")
        genuine = bot.srv.add_media(PDF, "application/pdf")
        for url in (
            genuine.replace("127.0.0.1", "localhost"),  # same server, another host name
            "http://127.0.0.1:9/2010-04-01/Accounts/" + SID + "/Messages/MM1/Media/ME1",
            genuine.replace(SID, "AC" + "9" * 32),  # another account's media
            "file:///etc/passwd",
        ):
            form = {"NumMedia": "1", "MediaUrl0": url, "MediaContentType0": "application/pdf"}
            answer = await bot.texts(KOOR, extra=form)
            assert answer == ["Maaf, file itu tidak bisa diambil. Silakan kirim lagi, atau "
                              "tulis tautan dokumennya."]  # fmt: skip
        assert bot.srv.media_requests == []
        assert await uploads(bot) == []
        # the question is still open: a genuine file now goes through
        confirm = await bot.texts(KOOR, extra={"NumMedia": "1", "MediaUrl0": genuine,
                                               "MediaContentType0": "application/pdf"})  # fmt: skip
        assert confirm[0].startswith("Simpan file")


async def test_too_large_media_is_refused(settings):
    async with whatsapp_bot(settings, max_upload_bytes=1000) as bot:
        await held_meeting(bot)
        await bot.texts(KOOR, "/rapat")
        await bot.texts(KOOR, "1")
        await bot.texts(KOOR, "Notulen")
        answer = await bot.texts(KOOR, media=(PDF, "application/pdf"))
        assert "terlalu besar (3 KB). Paling besar 1 KB" in answer[0]
        assert await uploads(bot) == []


async def test_broadcast_file_goes_as_media(settings):
    async with whatsapp_bot(settings) as bot:
        await held_meeting(bot)
        await bot.texts(KOOR, "/siaran")
        await bot.texts(KOOR, "Poster lomba numerasi terlampir.")
        png = b"\x89PNG\r\n\x1a\n" + b"p" * 500
        await bot.texts(KOOR, media=(png, "image/png"))
        preview = await bot.texts(KOOR, "Kirim sekarang")
        assert "📎 Lampiran: whatsapp-ME" in preview[0]
        await bot.texts(KOOR, "Ya")
        got = bot.srv.sent_to(SARI)[-1]
        assert got.body.startswith("📢 Siaran dari Rina Koordinator")
        assert "/media/" in got.params.get("MediaUrl", "")
        async with bot.app.sessionmaker() as s:
            assert await s.scalar(select(func.count()).select_from(StoredFile).where(
                StoredFile.mime == "image/png")) == 1  # fmt: skip
