"""A lesson whose picture carries it goes with its PNG through the ordinary file path
(photo on Telegram and media on WhatsApp: tests/test_lesson_pictures_channels.py; here: the
outbox row carries the file, on the slot and on /materi, and the console shows it)."""

from __future__ import annotations

from sqlalchemy import select

from kkgbot.db.models import Identity, OutboxMessage, StoredFile
from kkgbot.learning import learners
from kkgbot.learning.learners import next_new
from kkgbot.learning.models import LessonProgress
from kkgbot.messages import Inbound
from tests.conftest import START


async def _up_to_first_picture(app, handle: str) -> str:
    """Marks every lesson before the first one with a picture as given and answered."""
    async with app.sessionmaker() as s, s.begin():
        pid = await s.scalar(select(Identity.person_id).where(Identity.address == handle))
        modules = await learners.sequence(s, 1)
        rows: list[LessonProgress] = []
        while (lesson := next_new(modules, rows)) is not None and lesson.image is None:
            row = LessonProgress(
                person_id=pid,
                kkg_id=1,
                pack_id=lesson.pack_id,
                module_id=lesson.module_id,
                lesson_id=lesson.id,
                source="demand",
                sent_at=START,
                attempts=1,
                first_option=lesson.right_index,
                correct=True,
                answered_at=START,
            )
            s.add(row)
            rows.append(row)
        assert lesson is not None
        return lesson.image.name


async def test_materi_sends_the_picture_with_the_lesson(console_app):
    name = await _up_to_first_picture(console_app, "guru1")
    await console_app.router.handle(
        Inbound(channel="console", address="guru1", text="/materi berikutnya")
    )
    await console_app.dispatcher.drain()
    async with console_app.sessionmaker() as s:
        payloads = list(await s.scalars(select(OutboxMessage.payload)))
        files = list(await s.scalars(select(StoredFile)))
    sent = [p for p in payloads if p.get("file_name") == name]
    assert sent and "Coba besok" in sent[0]["text"]
    assert [f.mime for f in files if f.name == name] == ["image/png"]
    assert files[0].data.startswith(b"\x89PNG")


async def test_slot_shares_one_stored_picture(console_app):
    name = await _up_to_first_picture(console_app, "guru1")
    await _up_to_first_picture(console_app, "guru2")
    from datetime import datetime
    from zoneinfo import ZoneInfo

    await console_app.advance_to(datetime(2026, 12, 1, 19, 0, tzinfo=ZoneInfo("Asia/Makassar")))
    async with console_app.sessionmaker() as s:
        payloads = list(await s.scalars(select(OutboxMessage.payload)))
        stored = list(await s.scalars(select(StoredFile.id).where(StoredFile.name == name)))
    with_picture = [p for p in payloads if p.get("file_name") == name]
    assert len(with_picture) == 2 and len(stored) == 1


def test_english_readers_are_told_lessons_are_in_indonesian():
    from kkgbot.learning.library import library
    from kkgbot.learning.push import lesson_text

    lesson = library().packs[0].lessons[0]
    assert "written in Indonesian" in lesson_text("en", lesson)
    assert "Indonesian" not in lesson_text("id", lesson)
