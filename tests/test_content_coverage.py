"""The work plan and the lessons agree: every catalogue topic has lessons or names the pack
sent instead, and a koordinator who plans a topic without lessons is told at once."""

from __future__ import annotations

from sqlalchemy import select

from kkgbot.db.models import OutboxMessage
from kkgbot.learning import learners
from kkgbot.learning.coverage import lessons_for
from kkgbot.learning.library import library
from kkgbot.messages import Inbound
from kkgbot.polls.topics import catalogue


def test_every_topic_has_lessons_or_a_stand_in_pack():
    lib = library()
    for topic in catalogue().topics:
        found = lessons_for(topic.id, lib)
        assert found.modules, topic.id
        if not found.own:
            assert lib.pack(topic.lessons_from) is not None, topic.id


async def _say(app, text: str) -> str:
    async with app.sessionmaker() as s:
        last = await s.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))
    await app.router.handle(Inbound(channel="console", address="koordinator", text=text))
    await app.dispatcher.drain()
    async with app.sessionmaker() as s:
        rows = await s.scalars(select(OutboxMessage.payload).where(OutboxMessage.id > (last or 0)))
        return "\n".join(str(p.get("text", "")) for p in rows)


async def test_planning_a_topic_without_lessons_says_what_comes_instead(console_app):
    await _say(console_app, "/program tambah; Penelitian tindakan kelas; Maret 2027")
    said = await _say(console_app, "Ya")
    assert "belum punya materi mikro" in said
    assert "paket Asesmen formatif dan diagnostik" in said
    async with console_app.sessionmaker() as s:
        modules = await learners.sequence(s, 1)
    assert modules[0].pack_id == "asesmen-formatif-diagnostik"
    # a topic with lessons of its own says nothing more
    await _say(console_app, "/program tambah; Kelas rangkap; April 2027")
    said = await _say(console_app, "Ya")
    assert "belum punya materi mikro" not in said
