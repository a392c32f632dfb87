"""The reflection's photo of student work over WhatsApp: the teacher answers the follow-up
with buttons typed as words, sends the photo as Twilio media (fetched from the fake with
our credentials and kept as bukti karya), and a photo over the size limit is refused with
nothing kept."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from kkgbot.db.models import Kkg, StoredFile
from kkgbot.meetings.models import Attendance
from kkgbot.monitoring.models import Reflection
from tests.conftest import START
from tests.test_files_whatsapp import SARI, held_meeting
from tests.test_whatsapp import person_id
from tests.whatsapp_helpers import whatsapp_bot

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 2000 + b"\xff\xd9"


async def test_photo_of_student_work_through_twilio_media(settings):
    async with whatsapp_bot(settings) as bot:
        meeting_id = await held_meeting(bot)
        sari = await person_id(bot, SARI)
        async with bot.app.sessionmaker() as s, s.begin():
            kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
            s.add(Attendance(meeting_id=meeting_id, person_id=sari, checked_in_at=START,
                             method="code", jp=2))  # fmt: skip
            s.add(Reflection(meeting_id=meeting_id, person_id=sari, kkg_id=kkg.id,
                             asked_at=START - timedelta(days=3), followup_due_at=START,
                             followup_at=START))  # fmt: skip
        await bot.texts(SARI, "/laporan")
        assert "Bagaimana tanggapan siswa" in (await bot.texts(SARI, "Sudah"))[0]
        assert "bukti karya" in (await bot.texts(SARI, "4"))[0]
        too_big = await bot.texts(SARI, media=(b"x" * (bot.app.settings.max_upload_bytes + 1),
                                               "image/jpeg"))  # fmt: skip
        assert "terlalu besar" in too_big[0]
        async with bot.app.sessionmaker() as s:
            row = await s.scalar(select(Reflection).where(Reflection.person_id == sari))
            assert row.photo_file_id is None
        saved = await bot.texts(SARI, media=(JPEG, "image/jpeg"))
        assert "Foto bukti karya tersimpan" in saved[0]
        async with bot.app.sessionmaker() as s:
            row = await s.scalar(select(Reflection).where(Reflection.person_id == sari))
            stored = await s.get(StoredFile, row.photo_file_id)
        assert stored.data == JPEG and stored.uploaded_by_person_id == sari
        assert (row.tried, row.student_response) == (True, 4)
