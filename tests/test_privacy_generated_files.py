"""Generated files that name people (issue 15, item 1): erasure deletes every file listing
the person, /dataku's link lives an hour and its file goes once delivered or after a day,
and any generated file goes once its link has expired."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from kkgbot.db.models import FilePerson, Person, StoredFile
from kkgbot.people import messaging
from tests.test_exports import held_meeting
from tests.test_meetings import say
from tests.test_whatsapp import AYU, NAME, onboard
from tests.whatsapp_helpers import whatsapp_bot


async def files_named(app, like: str) -> list[str]:
    async with app.sessionmaker() as s:
        return list(await s.scalars(select(StoredFile.name).where(StoredFile.name.like(like))))


async def test_erasure_deletes_the_exports_that_list_the_person(console_app):
    meeting = await held_meeting(console_app)
    await say(console_app, "koordinator", "/ekspor")
    assert "[file: rekap-" in await say(console_app, "koordinator", "2")
    await say(console_app, "koordinator", "/ekspor")
    await say(console_app, "koordinator", "3")
    assert ".pdf]" in await say(console_app, "koordinator", "1")
    assert len(await files_named(console_app, "rekap-%.xlsx")) == 1
    assert len(await files_named(console_app, f"%rapat-{meeting.id}.pdf")) == 2

    await say(console_app, "guru1", "/hapusdata")
    assert "sudah dihapus" in await say(console_app, "guru1", "Ya")
    assert await files_named(console_app, "rekap-%.xlsx") == []
    assert await files_named(console_app, f"%rapat-{meeting.id}.pdf") == []
    async with console_app.sessionmaker() as s:
        erased = await s.scalar(select(Person.id).where(Person.erased_at.is_not(None)))
        left = select(func.count()).where(FilePerson.person_id == erased)
        assert await s.scalar(left) == 0


async def test_own_file_goes_once_delivered_and_generated_files_once_links_expire(console_app):
    assert "[file: data-saya.json]" in await say(console_app, "guru1", "/dataku")
    await console_app.advance_to(console_app.clock.now())  # the tick after delivery
    assert await files_named(console_app, "data-saya.json") == []
    # a generated file nobody names still goes once every link to it has expired
    async with console_app.sessionmaker() as s, s.begin():
        now = console_app.clock.now()
        await messaging.store_file(s, "grafik.png", "image/png", b"PNG", now)
    await console_app.advance_to(now + timedelta(hours=2))
    assert await files_named(console_app, "grafik.png") == ["grafik.png"]
    ttl = timedelta(seconds=console_app.settings.media_url_ttl_seconds)
    await console_app.advance_to(now + ttl + timedelta(hours=2))
    assert await files_named(console_app, "grafik.png") == []


async def test_own_file_not_delivered_goes_after_a_day(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        now = console_app.clock.now()
        pid = await s.scalar(select(Person.id).limit(1))
        await messaging.store_file(s, "data-saya.json", "application/json", b"{}", now,
                                   names=[pid], own=True)  # fmt: skip
    await console_app.advance_to(now + timedelta(hours=23))
    assert await files_named(console_app, "data-saya.json") == ["data-saya.json"]
    await console_app.advance_to(now + timedelta(hours=24, minutes=1))
    assert await files_named(console_app, "data-saya.json") == []


async def test_mydata_link_lives_an_hour_and_dies_with_erasure(settings):
    async with whatsapp_bot(settings) as bot, httpx.AsyncClient() as client:
        await onboard(bot, AYU)
        await bot.texts(AYU, "/dataku")
        url = bot.srv.sent_to(AYU)[-1].params["MediaUrl"]
        first = await client.get(url)
        assert first.status_code == 200 and NAME.encode() in first.content
        bot.app.clock.advance(timedelta(minutes=61))
        late = await client.get(url)
        assert late.status_code == 410 and "kedaluwarsa" in late.text and "expired" in late.text
        # a fresh one, then the erasure: the link answers 404 at once
        bot.app.clock.advance(timedelta(minutes=1))
        await bot.texts(AYU, "/dataku")
        url = bot.srv.sent_to(AYU)[-1].params["MediaUrl"]
        assert (await client.get(url)).status_code == 200
        await bot.texts(AYU, "/hapusdata")
        assert "sudah dihapus" in (await bot.texts(AYU, "Ya"))[0]
        assert (await client.get(url)).status_code == 404
        async with bot.app.sessionmaker() as s:
            for data in await s.scalars(select(StoredFile.data)):
                assert NAME.encode() not in data and AYU.encode() not in data
