"""Files people send on Telegram, through the real PTB Bot against the fake Bot API: the
adapter fetches a document or photo (getFile, then /file/bot<token>/<path>) before routing;
notulen as a document reach a member through /rapat; a broadcast's photo reaches members;
a file above the limit is refused with a clear reply and never fetched or stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kkgbot.db.models import Kkg, OutboxMessage, Person, StoredFile
from kkgbot.meetings import service as meetings
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.service import MeetingDraft
from kkgbot.people import roles
from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram_helpers import TOKEN, press, reply_to, telegram_bot
from tests.test_telegram import onboard

KOOR, GURU = 6101, 6102
PDF = b"%PDF-1.4\n% notulen\n" + b"n" * 4000 + b"\n%%EOF\n"
PHOTO = b"\xff\xd8\xff\xe0 a photo of the poster " + b"j" * 2000


@pytest.fixture
async def srv():
    async with FakeTelegramServer(token=TOKEN) as server:
        yield server
        assert server.internal_errors == []


async def setup(app, srv) -> int:
    """A koordinator and a member on Telegram, and a GUGUS1 meeting that started 3 hours ago."""
    await onboard(srv, KOOR, "Rina Koordinator")
    await onboard(srv, GURU, "Putu Sari Dewi")
    now = app.clock.now()
    async with app.sessionmaker() as s, s.begin():
        kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
        koor = await s.scalar(select(Person).where(Person.name == "Rina Koordinator"))
        await roles.grant(s, person=koor, role="koordinator", kkg=kkg, now=now)
        draft = MeetingDraft(kkg_id=kkg.id, title="Numerasi", starts_at=now - timedelta(hours=3),
                             duration_minutes=120, place="SDN 1", agenda=None)  # fmt: skip
        meeting = await meetings.create_meeting(
            s, draft, creator_id=koor.id, now=now, code_key=meetings.code_key_for(app.settings)
        )
        return meeting.id


async def sends_file(srv, user: int, count: int = 1, **kwargs) -> list[str]:
    before = len(srv.sent_messages(user))
    srv.user_sends_file(user, **kwargs)
    sent = await srv.wait_for_messages(user, before + count, timeout=10)
    return [m.text or "" for m in sent[before:]]


async def uploads(app) -> int:
    async with app.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(StoredFile).where(
            StoredFile.uploaded_by_person_id.is_not(None)))  # fmt: skip


async def open_notes_step(srv) -> None:
    await reply_to(srv, KOOR, "/rapat")
    await press(srv, KOOR, srv.last_message(KOOR).buttons[0]["text"])
    asked = await press(srv, KOOR, "Notulen")
    assert "kirim filenya" in asked[0]


async def test_notulen_document_reaches_a_member_through_rapat(settings, srv):
    async with telegram_bot(settings, srv) as app:
        meeting_id = await setup(app, srv)
        await open_notes_step(srv)
        confirm = await sends_file(srv, KOOR, filename="notulen-numerasi.pdf", content=PDF)
        assert confirm == ['Simpan file "notulen-numerasi.pdf" sebagai notulen?']
        assert len(srv.requests("getFile")) == 1 and len(srv.downloads) == 1
        assert "tersimpan" in (await press(srv, KOOR, "Ya"))[0]
        async with app.sessionmaker() as s:
            meeting = await s.get(Meeting, meeting_id)
            stored = await s.get(StoredFile, meeting.notes_file_id)
        assert stored.data == PDF and stored.name == "notulen-numerasi.pdf"
        assert stored.mime == "application/pdf" and stored.uploaded_by_person_id is not None

        await reply_to(srv, GURU, "/rapat")
        assert "ada notulen" in srv.last_message(GURU).text
        detail = await press(srv, GURU, srv.last_message(GURU).buttons[0]["text"])
        assert "File notulen: notulen-numerasi.pdf" in detail[0]
        await press(srv, GURU, "Unduh notulen")
        got = srv.last_message(GURU)
        assert got.method == "sendDocument" and got.text == 'Notulen rapat "Numerasi".'
        assert got.document.filename == "notulen-numerasi.pdf" and got.document.content == PDF


async def test_broadcast_photo_reaches_members(settings, srv):
    async with telegram_bot(settings, srv) as app:
        await setup(app, srv)
        await reply_to(srv, KOOR, "/siaran")
        asked = await reply_to(srv, KOOR, "Poster lomba numerasi terlampir.")
        assert "file atau gambar" in asked[0]
        when = await sends_file(srv, KOOR, filename="poster.jpg", content=PHOTO,
                                mime="image/jpeg", photo=True)  # fmt: skip
        assert when[0].startswith("Kapan dikirim?")
        # the largest of the sizes Telegram offers was fetched, not the thumbnail
        assert len(srv.downloads) == 1 and srv.downloads[0].startswith("photos/")
        preview = await press(srv, KOOR, "Kirim sekarang")
        assert "📎 Lampiran: foto-" in preview[0] and ".jpg" in preview[0]
        before = len(srv.sent_messages(GURU))
        await press(srv, KOOR, "Ya")
        got = (await srv.wait_for_messages(GURU, before + 1, timeout=10))[-1]
        assert got.text.startswith("📢 Siaran dari Rina Koordinator")
        # a picture goes as a photo, which the phone shows in the chat, not as a file to open
        assert got.method == "sendPhoto" and got.photo.content == PHOTO
        record = got.request  # what the fake server saw: a multipart upload of the photo
        assert record.files["photo"].content == PHOTO
        assert record.params["caption"].endswith("Poster lomba numerasi terlampir.")
        async with app.sessionmaker() as s:
            payloads = list(await s.scalars(select(OutboxMessage.payload).where(
                OutboxMessage.batch_id == "broadcast-1")))  # fmt: skip
        assert len(payloads) >= 2 and len({p["file_id"] for p in payloads}) == 1  # stored once
        assert await uploads(app) == 1


async def test_a_picture_telegram_cannot_read_still_arrives_as_a_document(settings, srv):
    async with telegram_bot(settings, srv) as app:
        await setup(app, srv)
        await reply_to(srv, KOOR, "/siaran")
        await reply_to(srv, KOOR, "Jadwal piket terlampir.")
        broken = b"\x00\x01 not a picture, although it says png"
        await sends_file(srv, KOOR, filename="jadwal.png", content=broken, mime="image/png")
        await press(srv, KOOR, "Kirim sekarang")
        before = len(srv.sent_messages(GURU))
        await press(srv, KOOR, "Ya")
        got = (await srv.wait_for_messages(GURU, before + 1, timeout=10))[-1]
        assert got.method == "sendDocument" and got.document.content == broken
        assert got.text.endswith("Jadwal piket terlampir.")
        # one refused sendPhoto, then the document: nothing sent twice
        assert [m.method for m in srv.sent_messages(GURU)[before:]] == ["sendDocument"]


async def test_too_large_file_is_refused_and_nothing_stored(settings, srv):
    async with telegram_bot(settings.model_copy(update={"max_upload_bytes": 2048}), srv) as app:
        await setup(app, srv)
        await open_notes_step(srv)
        refused = await sends_file(srv, KOOR, filename="notulen.pdf", content=PDF)
        assert refused == [
            "File itu terlalu besar (3,9 KB). Paling besar 2 KB; kirim file yang lebih kecil, "
            "atau tulis tautan dokumennya."
        ]
        # a message that understates its size is caught once the real size is known
        refused = await sends_file(srv, KOOR, filename="notulen.pdf", content=PDF,
                                   announced_size=100)  # fmt: skip
        assert "terlalu besar" in refused[0]
        assert srv.downloads == [] and await uploads(app) == 0
        # the question is still open: text notes are still welcome
        confirm = await reply_to(srv, KOOR, "Hasil: guru mencoba permainan bilangan di kelas.")
        assert confirm[0].startswith("Simpan notulen ini?")
