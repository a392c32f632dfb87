"""Onboarding, roles and buttons on Telegram, through the real PTB Application over HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kkgbot.db.models import Kkg, Person
from kkgbot.people import roles
from tests.fakes.telegram_api import ApiError, FakeTelegramServer
from tests.telegram_helpers import TOKEN, press, reply_to, telegram_bot

AYU = 5001


@pytest.fixture
async def srv():
    async with FakeTelegramServer(token=TOKEN) as server:
        yield server
        assert server.internal_errors == []


async def onboard(srv, user: int, name: str) -> None:
    texts = await reply_to(srv, user, "/start GUGUS1")
    assert "Selamat datang" in texts[0]
    await press(srv, user, "Setuju")
    await reply_to(srv, user, name)
    done = await reply_to(srv, user, "SDN 1 Mataram")
    assert "sudah bergabung dengan KKG Gugus 1 Mataram" in done[0]


async def test_deep_link_onboarding_with_buttons(settings, srv):
    async with telegram_bot(settings, srv) as app:
        texts = await reply_to(srv, AYU, "/start GUGUS1")
        consent = srv.last_message(AYU)
        assert [b["text"] for b in consent.buttons] == ["Setuju", "Tidak setuju"]
        assert texts[0].startswith("Selamat datang") and "UU No. 27 Tahun 2022" in texts[0]

        asked = await press(srv, AYU, "Setuju")
        assert asked == ["Siapa nama lengkap Anda? (contoh: Ni Made Ayu Lestari)"]
        assert len(srv.answered_callbacks) == 1
        # the keyboard is gone, so the choice cannot be made twice
        assert srv.current_message(AYU, consent.message_id).get("reply_markup") is None

        # an old button pressed anyway (e.g. from a second phone) changes nothing
        srv.push_update(
            {
                "callback_query": {
                    "id": "cb-old",
                    "chat_instance": "x",
                    "from": {"id": AYU, "is_bot": False, "first_name": "Ayu"},
                    "message": consent.message,
                    "data": consent.buttons[0]["callback_data"],
                }
            }
        )
        stale = await srv.wait_for_messages(AYU, len(srv.sent_messages(AYU)) + 2)
        assert "sudah tidak berlaku" in stale[-2].text
        assert stale[-1].text.startswith("Siapa nama lengkap")  # the question now open, again

        assert (await reply_to(srv, AYU, "Ni Made Ayu Lestari"))[0].startswith("Di sekolah mana")
        done = await reply_to(srv, AYU, "SDN 1 Mataram")
        assert "sudah bergabung dengan KKG Gugus 1 Mataram" in done[0]
        async with app.sessionmaker() as s:
            person = await s.scalar(select(Person).where(Person.name == "Ni Made Ayu Lestari"))
            assert person.consent_at is not None


async def test_help_refusal_and_language_on_telegram(settings, srv):
    async with telegram_bot(settings, srv):
        await onboard(srv, AYU, "Ni Made Ayu Lestari")
        help_text = (await reply_to(srv, AYU, "/bantuan"))[0]
        assert "/profil" in help_text and "/undang" not in help_text
        refused = (await reply_to(srv, AYU, "/undang"))[0]
        assert refused == "Maaf, perintah /undang hanya untuk koordinator. Tidak ada yang diubah."
        assert (await reply_to(srv, AYU, "/bahasa"))[0].startswith("Pilih bahasa")
        assert (await press(srv, AYU, "English"))[0] == "Done, the language is now English."
        assert (await reply_to(srv, AYU, "/help"))[0].startswith("Commands you can use:")
        assert (await reply_to(srv, AYU, "/invite"))[0].startswith("Sorry, /invite is only for")


async def test_koordinator_gets_invite_link_with_bot_username(settings, srv):
    async with telegram_bot(settings, srv) as app:
        await onboard(srv, AYU, "Rina Koordinator")
        async with app.sessionmaker() as s, s.begin():
            person = await s.scalar(select(Person).where(Person.name == "Rina Koordinator"))
            kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
            await roles.grant(s, person=person, role="koordinator", kkg=kkg, now=app.clock.now())
        text = (await reply_to(srv, AYU, "/undang"))[0]
        assert "GUGUS1" in text and "https://t.me/kkg_test_bot?start=GUGUS1" in text


async def test_command_menu_per_language(settings, srv):
    async with telegram_bot(settings, srv):
        indonesian = [c["command"] for c in srv.commands_for("id")]
        english = [c["command"] for c in srv.commands_for("en")]
        default = [c["command"] for c in srv.commands_for("")]
    assert indonesian[:3] == ["start", "bantuan", "batal"]
    assert english[:3] == ["start", "help", "cancel"]
    assert default == indonesian


async def test_failing_command_menu_is_not_fatal(settings, srv):
    async def refuse(record):
        raise ApiError(500, "Internal Server Error")

    srv.register_method("setMyCommands", refuse)
    async with telegram_bot(settings, srv):
        assert (await reply_to(srv, AYU, "/bantuan"))[0].startswith("Anda belum terdaftar")


async def test_restart_mid_conversation_on_telegram(settings, srv):
    async with telegram_bot(settings, srv):
        await reply_to(srv, AYU, "/start GUGUS1")
        await press(srv, AYU, "Setuju")
        await reply_to(srv, AYU, "Wayan Sudarma")
    async with telegram_bot(settings, srv, seed=False):
        done = await reply_to(srv, AYU, "SD Negeri 3 Ampenan")
    assert "Terima kasih, Wayan Sudarma!" in done[0]


async def test_photo_and_bad_input_get_clear_answers(settings, srv):
    async with telegram_bot(settings, srv):
        before = len(srv.sent_messages(AYU))
        srv.push_update(
            {
                "message": {
                    "message_id": 77,
                    "date": 1764547200,
                    "chat": {"id": AYU, "type": "private"},
                    "from": {"id": AYU, "is_bot": False, "first_name": "Ayu"},
                    "photo": [{"file_id": "p1", "file_unique_id": "p1", "width": 10, "height": 10}],
                }
            }
        )
        sent = await srv.wait_for_messages(AYU, before + 1)
        assert "hanya bisa membaca pesan teks" in sent[-1].text
        assert (
            "terlalu panjang" in (await reply_to(srv, AYU, "a" * 4090 + "🙂" * 5 + "b" * 6000))[0]
        )
        assert "tidak dikenal" in (await reply_to(srv, AYU, "/apaini"))[0]
        assert "belum terdaftar" in (await reply_to(srv, AYU, "🙂🙂🙂"))[0]
