"""A lesson whose picture carries it, through the real channels: on Telegram the real PTB
Bot sends it to the fake Bot API as a photo (sendPhoto with the PNG's bytes, the lesson as
its caption); on WhatsApp the real twilio Client sends it to the fake Twilio with a media
link that, fetched as Twilio would, gives the PNG."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from kkgbot.db.models import Person
from kkgbot.learning import learners
from kkgbot.learning.learners import next_new
from kkgbot.learning.models import LessonProgress
from tests.conftest import START
from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram_helpers import TOKEN, telegram_bot
from tests.test_telegram import onboard as telegram_onboard
from tests.test_whatsapp import onboard as whatsapp_onboard
from tests.whatsapp_helpers import whatsapp_bot

GURU_TG, GURU_WA = 6301, "+6281200000301"


async def up_to_first_picture(app, name: str):
    """Marks every lesson before the first one with a picture as given and answered, so
    that `/materi berikutnya` brings the picture lesson; that lesson."""
    async with app.sessionmaker() as s, s.begin():
        pid = await s.scalar(select(Person.id).where(Person.name == name))
        modules = await learners.sequence(s, 1)
        rows: list[LessonProgress] = []
        while (lesson := next_new(modules, rows)) is not None and lesson.image is None:
            row = LessonProgress(person_id=pid, kkg_id=1, pack_id=lesson.pack_id,
                                 module_id=lesson.module_id, lesson_id=lesson.id,
                                 source="demand", sent_at=START, attempts=1,
                                 first_option=lesson.right_index, correct=True,
                                 answered_at=START)  # fmt: skip
            s.add(row)
            rows.append(row)
        assert lesson is not None
        return lesson


@pytest.fixture
async def srv():
    async with FakeTelegramServer(token=TOKEN) as server:
        yield server
        assert server.internal_errors == []


async def test_telegram_gets_the_lesson_as_a_photo(settings, srv):
    async with telegram_bot(settings, srv) as app:
        await telegram_onboard(srv, GURU_TG, "Putu Sari Dewi")
        lesson = await up_to_first_picture(app, "Putu Sari Dewi")
        before = len(srv.sent_messages(GURU_TG))
        srv.user_sends(GURU_TG, "/materi berikutnya")
        sent = await srv.wait_for_messages(GURU_TG, before + 1, timeout=10)
        got = sent[before]
        assert got.method == "sendPhoto"
        assert got.photo.content == lesson.image.read_bytes()
        assert got.photo.content.startswith(b"\x89PNG")
        assert got.request.files["photo"].content == lesson.image.read_bytes()
        assert lesson.title in got.text  # the lesson is the photo's caption
        # one message: the photo, the lesson and the check question's options as buttons
        assert [b["text"] for b in got.buttons] == [o.text for o in lesson.options]


async def test_whatsapp_gets_the_lesson_with_its_picture_as_media(settings):
    async with whatsapp_bot(settings) as bot:
        await whatsapp_onboard(bot, GURU_WA, "Putu Sari Dewi")
        lesson = await up_to_first_picture(bot.app, "Putu Sari Dewi")
        sent = await bot.writes(GURU_WA, "/materi berikutnya")
        with_media = [m for m in sent if m.params.get("MediaUrl")]
        assert len(with_media) == 1 and lesson.title in (with_media[0].body or "")
        url = with_media[0].params["MediaUrl"]
        assert url.startswith(bot.public_url + "/media/")
        async with httpx.AsyncClient() as client:  # what Twilio does with the link
            answer = await client.get(url, timeout=10)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("image/png")
        assert answer.content == lesson.image.read_bytes()
