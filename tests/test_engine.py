"""The conversation engine's promises, checked against the database and the outbox."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select

from kkgbot.app import App
from kkgbot.channels.console import ConsoleChannel
from kkgbot.clock import MovableClock
from kkgbot.db.models import Conversation, OutboxMessage, Person, Role
from kkgbot.messages import Inbound
from tests.conftest import START


async def say(app: App, who: str, text: str | None = None, **kw) -> str:
    out = io.StringIO()
    app.channels["console"].out = out
    await app.router.handle(Inbound("console", who, text=text, **kw))
    await app.dispatcher.drain()
    return out.getvalue()


async def snapshot(app: App) -> tuple:
    """Everything a refused input must leave untouched (the outbox aside)."""
    async with app.sessionmaker() as s:
        people = (
            await s.execute(
                select(Person.id, Person.name, Person.school, Person.phone, Person.language)
            )
        ).all()
        roles = (await s.execute(select(Role.person_id, Role.role, Role.kkg_id))).all()
        convs = (
            await s.execute(select(Conversation.person_id, Conversation.step, Conversation.data))
        ).all()
    return sorted(people), sorted(roles), sorted(convs, key=str)


async def test_restart_mid_conversation_resumes_at_the_same_step(settings, tmp_path):
    app = App(settings, MovableClock(START), {"console": ConsoleChannel(io.StringIO())})
    await app.seed_demo()
    await say(app, "ayu", "/start GUGUS1")
    await say(app, "ayu", "Setuju")
    await say(app, "ayu", "Ni Made Ayu")
    await app.close()  # the process goes away between two answers

    app2 = App(
        settings,
        MovableClock(START + timedelta(minutes=5)),
        {"console": ConsoleChannel(io.StringIO())},
    )
    reply = await say(app2, "ayu", "SDN 1 Mataram")
    assert "sudah bergabung dengan KKG Gugus 1 Mataram" in reply
    async with app2.sessionmaker() as s:
        person = await s.scalar(select(Person).where(Person.name == "Ni Made Ayu"))
        assert person is not None and person.onboarded_at is not None
    await app2.close()


async def test_idle_conversation_expires_quietly(console_app):
    await say(console_app, "guru1", "/profil")
    await console_app.advance_to(START + timedelta(minutes=31))
    async with console_app.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(Conversation)) == 0
    # nothing was sent about the expiry
    assert console_app.transcript.getvalue() == ""


async def test_refused_and_bad_inputs_change_nothing(console_app):
    await say(console_app, "guru1", "/profil")
    before = await snapshot(console_app)
    cases = [
        ("guru1", "/undang", "hanya untuk koordinator"),
        ("guru1", "/peran", "hanya untuk admin dinas"),
        ("guru1", "x" * 10_000, "terlalu panjang"),
        ("guru1", "/tidakada", "tidak dikenal"),
        ("guru1", "   ", "kosong"),
    ]
    for who, text, expected in cases:
        reply = await say(console_app, who, text)
        assert expected in reply, (text[:20], reply)
    assert await snapshot(console_app) == before
    media = await say(console_app, "guru1", None, media="voice")
    assert "hanya bisa membaca pesan teks" in media
    assert await snapshot(console_app) == before


async def test_invalid_answers_are_reasked_and_state_is_kept(console_app):
    await say(console_app, "guru2", "/profil")
    await say(console_app, "guru2", "Ubah nama")
    before = await snapshot(console_app)
    for bad in ("😀😀", "1234", "A" * 200, "\x00\x07"):
        reply = await say(console_app, "guru2", bad)
        assert "Tulis nama lengkap Anda yang benar" in reply
    assert await snapshot(console_app) == before


async def test_button_pressed_twice_is_harmless(console_app):
    await say(console_app, "guru3", "/keluar")
    async with console_app.sessionmaker() as s:
        state = await s.get(
            Conversation,
            (await s.scalar(select(Person.id).where(Person.name == "Baiq Nurul Hidayati"))),
        )
        data = f"s:{state.prompt_seq}:1"  # "Batal"
    first = await say(console_app, "guru3", data=data)
    second = await say(console_app, "guru3", data=data)
    assert "dibatalkan" in first
    assert "sudah tidak berlaku" in second
    forged = await say(console_app, "guru3", data="s:999:0")
    assert "sudah tidak berlaku" in forged
    junk = await say(console_app, "guru3", data="zz:\x00:🙂")
    assert "sudah tidak berlaku" in junk


async def test_redelivered_update_is_handled_once(console_app):
    await say(console_app, "guru4", "/bantuan", external_id="u-1")
    again = await say(console_app, "guru4", "/bantuan", external_id="u-1")
    assert again == ""
    async with console_app.sessionmaker() as s:
        assert (
            await s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.address == "guru4")
            )
            == 1
        )


async def test_one_line_with_a_bad_part_asks_again_then_finishes(console_app):
    reply = await say(console_app, "guru5", "/profil telepon; 123")
    assert "Nomor HP tidak dikenali" in reply
    reply = await say(console_app, "guru5", "0813 1111 2222")
    assert "+6281311112222" in reply
    async with console_app.sessionmaker() as s:
        assert (
            await s.scalar(select(Person.phone).where(Person.name == "Siti Aminah"))
            == "+6281311112222"
        )


async def test_a_phone_number_cannot_be_taken_twice(console_app):
    await say(console_app, "guru6", "/profil telepon; 0813 1111 3333")
    reply = await say(console_app, "guru7", "/profil telepon; 0813-1111-3333")
    assert "sudah dipakai orang lain" in reply


async def test_english_person_gets_english_refusals(console_app):
    await say(console_app, "guru8", "/language English")
    reply = await say(console_app, "guru8", "/invite")
    assert reply.startswith("-> guru8: Sorry, /invite is only for coordinator")


async def test_writing_again_makes_an_unreachable_person_reachable(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        person = await s.scalar(select(Person).where(Person.name == "Yohanes Bili"))
        person.unreachable_at, person.unreachable_reason = (
            START,
            "Forbidden: bot was blocked by the user",
        )
    reply = await say(console_app, "guru8", "/bantuan")
    assert "Perintah yang bisa Anda pakai" in reply
    async with console_app.sessionmaker() as s:
        person = await s.scalar(select(Person).where(Person.name == "Yohanes Bili"))
        assert person.unreachable_at is None and person.unreachable_reason is None
