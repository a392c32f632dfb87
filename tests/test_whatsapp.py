"""WhatsApp through Twilio: signed webhooks in, the real twilio Client out, the window rule."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from sqlalchemy import select
from twilio.base.exceptions import TwilioRestException

from kkgbot.channels.base import INVALID, RETRY, RETRY_AFTER, UNREACHABLE, split_text
from kkgbot.channels.whatsapp import TEXT_LIMIT, classify
from kkgbot.db.models import Identity, OutboxMessage, Person
from kkgbot.messages import MessageKind
from kkgbot.people import messaging
from tests.whatsapp_helpers import whatsapp_bot

AYU = "+6281200000101"
SARI = "+6281200000102"
NAME = "Putu Sari Dewi"


async def onboard(bot, number: str, name: str = NAME) -> None:
    texts = await bot.texts(number, "/start GUGUS1")
    assert texts[0].startswith("Selamat datang") and "[1] Setuju\n[2] Tidak setuju" in texts[0]
    assert (await bot.texts(number, "1"))[0].startswith("Siapa nama lengkap")
    await bot.texts(number, name)
    done = await bot.texts(number, "SDN 1 Mataram")
    assert "sudah bergabung dengan KKG Gugus 1 Mataram" in done[0]


async def person_id(bot, number: str) -> int:
    async with bot.app.sessionmaker() as s:
        return await s.scalar(
            select(Identity.person_id).where(
                Identity.channel == "whatsapp", Identity.address == number
            )
        )


async def rows(bot) -> list[OutboxMessage]:
    async with bot.app.sessionmaker() as s:
        return list(await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def bulk(bot, number: str, text: str, key: str, about: str = MessageKind.BROADCAST) -> None:
    """A message the bot starts, saying what it is (the template follows from that)."""
    async with bot.app.sessionmaker() as s, s.begin():
        pid = await person_id(bot, number)
        recipient = messaging.Recipient(pid, "id", "Asia/Makassar")
        await messaging.send(
            s, recipient, lambda lang: text, key=key, now=bot.app.clock.now(), about=about
        )
    await bot.app.dispatcher.drain()


async def test_onboarding_with_numbered_choices(settings):
    async with whatsapp_bot(settings) as bot:
        await onboard(bot, AYU)
        sent = bot.srv.sent_to(AYU)
        assert all(m.from_ == "whatsapp:+14155238886" for m in sent)
        assert all(m.status_callback == bot.public_url + "/twilio/status" for m in sent)
        async with bot.app.sessionmaker() as s:
            person = await s.scalar(select(Person).where(Person.name == NAME))
            assert person.consent_at is not None
            identity = await s.scalar(select(Identity).where(Identity.person_id == person.id))
            assert (identity.channel, identity.address) == ("whatsapp", AYU)
            assert identity.last_inbound_at == bot.app.clock.now()


async def test_an_imported_number_is_matched_to_its_person(settings):
    async with whatsapp_bot(settings) as bot:
        async with bot.app.sessionmaker() as s, s.begin():
            s.add(Person(name="Imported Guru", phone=SARI, created_at=bot.app.clock.now()))
        await bot.texts(SARI, "/start GUGUS1")
        async with bot.app.sessionmaker() as s:
            person = await s.scalar(select(Person).where(Person.phone == SARI))
            assert await person_id(bot, SARI) == person.id
            assert await s.scalar(select(Person).where(Person.name.is_(None))) is None


async def test_forged_missing_and_wrong_url_signatures_are_refused(settings, caplog):
    async with whatsapp_bot(settings) as bot:
        forged = await bot.srv.person_writes(bot.inbound_url, AYU, "/start", signature="AAAA")
        missing = await bot.srv.person_writes(bot.inbound_url, AYU, "/start", signature="")
        # signed for another host (a proxy's inside address): not our public URL
        params = {"MessageSid": "SMx1", "From": f"whatsapp:{AYU}", "Body": "/start"}
        other = bot.srv.sign("http://10.0.0.5:8080/twilio/whatsapp", params)
        async with httpx.AsyncClient() as client:
            wrong_url = await client.post(
                bot.inbound_url, data=params, headers={"X-Twilio-Signature": other}
            )
            status_forged = await client.post(
                bot.public_url + "/twilio/status",
                data={"MessageSid": "SM1", "MessageStatus": "delivered"},
                headers={"X-Twilio-Signature": "nope"},
            )
        assert [forged.status_code, missing.status_code, wrong_url.status_code] == [403] * 3
        assert status_forged.status_code == 403
        assert bot.srv.messages == [] and await rows(bot) == []
        assert "signature refused" in caplog.text


async def test_a_replayed_message_is_handled_once(settings):
    async with whatsapp_bot(settings) as bot:
        first = await bot.texts(AYU, "/bantuan", message_sid="SMreplay1")
        again = await bot.texts(AYU, "/bantuan", message_sid="SMreplay1")
        assert len(first) == 1 and again == []


async def test_malformed_webhooks_get_400_never_5xx(settings):
    async with whatsapp_bot(settings) as bot:
        url = bot.inbound_url
        bad_forms = [
            {"Body": "hi"},  # no MessageSid, no From
            {"MessageSid": "SM1", "From": "+6281", "Body": "hi"},  # not a WhatsApp number
            {"MessageSid": "SM2", "From": f"whatsapp:{AYU}", "NumMedia": "x"},
            {"MessageSid": "S" * 80, "From": f"whatsapp:{AYU}"},
        ]
        async with httpx.AsyncClient() as client:
            for form in bad_forms:
                signed = {"X-Twilio-Signature": bot.srv.sign(url, form)}
                answer = await client.post(url, data=form, headers=signed)
                assert answer.status_code == 400, form
            as_json = await client.post(url, content=json.dumps({"a": 1}), headers=signed)
            assert as_json.status_code == 400
            garbage = await client.post(
                url,
                content=b"\xff\xfe%%%=&&",
                headers={"Content-Type": "application/x-www-form-urlencoded", **signed},
            )
            assert garbage.status_code in (400, 403)
            status_form = {"MessageSid": "", "MessageStatus": ""}
            sig = bot.srv.sign(bot.public_url + "/twilio/status", status_form)
            empty = await client.post(
                bot.public_url + "/twilio/status",
                data=status_form,
                headers={"X-Twilio-Signature": sig},
            )
            assert empty.status_code == 400


async def test_media_and_location_get_the_text_only_reply(settings):
    async with whatsapp_bot(settings) as bot:
        voice = await bot.texts(AYU, "", extra={"NumMedia": "1", "MediaContentType0": "audio/ogg"})
        place = await bot.texts(AYU, "", extra={"Latitude": "-8.58", "Longitude": "116.1"})
        polite = "Maaf, saya hanya bisa membaca pesan teks. Silakan ketik jawaban Anda."
        assert voice == [polite] and place == [polite]


async def test_button_and_list_replies_answer_like_typed_labels(settings):
    async with whatsapp_bot(settings) as bot:
        await bot.texts(AYU, "/start GUGUS1")
        asked = await bot.texts(AYU, "", extra={"ButtonText": "Setuju", "ButtonPayload": "yes"})
        assert asked[0].startswith("Siapa nama lengkap")
        await bot.texts(AYU, NAME)
        await bot.texts(AYU, "SDN 1 Mataram")
        await bot.texts(AYU, "/bahasa")
        done = await bot.texts(AYU, "", extra={"ListId": "en", "ListTitle": "English"})
        assert done == ["Done, the language is now English."]


async def test_long_texts_split_on_paragraphs():
    paragraphs = [f"Paragraf {i}. " + "kata " * 60 for i in range(12)]
    parts = split_text("\n\n".join(p.strip() for p in paragraphs), TEXT_LIMIT)
    assert len(parts) > 1 and all(len(p) <= 1600 for p in parts)
    assert all(p.startswith("Paragraf") for p in parts)
    assert "".join(parts).replace("\n", "") == "".join(p.strip() for p in paragraphs)


async def test_window_rule_across_24_hours_template_then_the_full_message(settings):
    async with whatsapp_bot(settings, twilio_template_broadcast="HX" + "b" * 32) as bot:
        await onboard(bot, AYU)
        bot.app.clock.advance(timedelta(hours=23, minutes=50))
        await bulk(bot, AYU, "Pengumuman: rapat pindah ke aula.", "broadcast:1:ayu")
        inside = bot.srv.sent_to(AYU)[-1]
        assert inside.body == "Pengumuman: rapat pindah ke aula." and inside.content_sid is None

        bot.app.clock.advance(timedelta(hours=1))  # 24h50m after her last message
        await bulk(bot, AYU, "Pengumuman kedua: bawa RPP.\nTerima kasih.", "broadcast:2:ayu")
        template = bot.srv.sent_to(AYU)[-1]
        assert template.body is None and template.content_sid == "HX" + "b" * 32
        assert json.loads(template.content_variables) == {
            "1": "pengumuman",
            "2": "Pengumuman kedua: bawa RPP.",
        }
        held = (await rows(bot))[-1]
        assert held.status == "held" and held.external_id == template.sid

        answer = await bot.texts(AYU, "Ya, ada apa?")
        assert "Pengumuman kedua: bawa RPP.\nTerima kasih." in answer
        async with bot.app.sessionmaker() as s:
            status = await s.scalar(select(OutboxMessage.status).where(OutboxMessage.id == held.id))
        assert status == "sent"


async def test_without_a_template_the_message_waits_for_the_person(settings):
    async with whatsapp_bot(settings) as bot:
        await onboard(bot, AYU)
        bot.app.clock.advance(timedelta(hours=30))
        before = len(bot.srv.sent_to(AYU))
        await bulk(bot, AYU, "Materi baru tersedia.", "lesson:7:ayu", about=MessageKind.LESSON)
        assert len(bot.srv.sent_to(AYU)) == before  # nothing could be sent
        assert (await rows(bot))[-1].status == "held"
        assert "Materi baru tersedia." in await bot.texts(AYU, "halo")


async def test_twilio_errors_map_to_outcomes(settings):
    async with whatsapp_bot(settings) as bot:
        await onboard(bot, AYU)
        await onboard(bot, SARI, "Kadek Ratna Sari")
        bot.srv.unsubscribed.add(f"whatsapp:{AYU}")
        bot.srv.invalid_numbers.add(f"whatsapp:{SARI}")
        await bulk(bot, AYU, "Satu", "broadcast:e1:ayu")
        await bulk(bot, SARI, "Dua", "broadcast:e1:sari")
        statuses = [r.status for r in (await rows(bot))[-2:]]
        assert statuses == ["unreachable", "unreachable"]
        async with bot.app.sessionmaker() as s:
            ayu = await s.get(Person, await person_id(bot, AYU))
            assert ayu.unreachable_at is not None

        bot.srv.unsubscribed.clear()
        bot.srv.invalid_numbers.clear()
        await bot.texts(AYU, "halo lagi")  # she is back
        bot.srv.fault_rate, bot.srv.fault_codes = 1.0, [500]
        await bulk(bot, AYU, "Tiga", "broadcast:e3:ayu")
        last = (await rows(bot))[-1]
        assert last.status == "failed" and "500" in last.last_error
        bot.srv.fault_rate = 0.0


async def test_status_callbacks_update_the_outbox_row(settings):
    async with whatsapp_bot(settings) as bot:
        await onboard(bot, AYU)
        messages = bot.srv.sent_to(AYU)
        first, second = messages[-1], messages[-2]
        for status in ("sent", "delivered", "read", "sent"):  # out of order: never backwards
            answer = await bot.srv.report_status(first, status)
            assert answer.status_code == 204
        failed = await bot.srv.report_status(second, "undelivered", error_code=30008)
        assert failed.status_code == 204
        by_sid = {r.external_id: r for r in await rows(bot)}
        assert by_sid[first.sid].status == "delivered"
        assert "_read_at" in by_sid[first.sid].payload
        assert by_sid[second.sid].status == "dead"
        assert by_sid[second.sid].last_error == "whatsapp undelivered (error 30008)"


async def test_stop_and_mulai(settings):
    async with whatsapp_bot(settings) as bot:
        await onboard(bot, AYU)
        stopped = await bot.texts(AYU, "BERHENTI")
        assert stopped[0].startswith("Baik, Anda tidak akan lagi menerima")
        before = len(bot.srv.sent_to(AYU))
        await bulk(bot, AYU, "Siaran", "broadcast:s1:ayu")
        assert len(bot.srv.sent_to(AYU)) == before
        # a reply to her own message still goes
        assert (await bot.texts(AYU, "/bantuan"))[0]
        again = await bot.texts(AYU, "mulai")
        assert again[0].startswith("Terima kasih, Anda akan menerima pesan")
        await bulk(bot, AYU, "Siaran", "broadcast:s2:ayu")
        assert bot.srv.sent_to(AYU)[-1].body == "Siaran"


async def test_rate_limits_and_refused_requests(settings):
    async with whatsapp_bot(settings, max_rate_limited_retries=1) as bot:
        await onboard(bot, AYU)
        bot.srv.fault_rate, bot.srv.fault_codes = 1.0, [429]
        await bulk(bot, AYU, "Empat", "broadcast:r1:ayu")
        last = (await rows(bot))[-1]
        assert last.status == "failed" and "20429" in last.last_error  # backs off, not dead


def test_twilio_error_codes_in_dispatcher_terms():
    def outcome(status: int, code: int) -> str:
        return classify(TwilioRestException(status, "/Messages.json", "x", code=code)).outcome

    assert outcome(400, 21610) == outcome(400, 63024) == UNREACHABLE
    assert outcome(429, 20429) == RETRY_AFTER
    assert outcome(500, 20500) == outcome(503, 20503) == RETRY
    assert outcome(400, 21617) == outcome(400, 21619) == INVALID


async def test_63016_in_a_status_callback_resends_as_a_template(settings):
    async with whatsapp_bot(settings, twilio_template_default="HX" + "d" * 32) as bot:
        await onboard(bot, AYU)
        await bulk(bot, AYU, "Info rapat", "broadcast:w1:ayu")
        sent = bot.srv.sent_to(AYU)[-1]
        assert sent.body == "Info rapat"
        await bot.srv.report_status(sent, "failed", error_code=63016)
        await bot.app.dispatcher.drain()
        template = bot.srv.sent_to(AYU)[-1]
        assert template.content_sid == "HX" + "d" * 32
        assert (await rows(bot))[-1].status == "held"
        bot.app.clock.advance(timedelta(minutes=5))
        assert "Info rapat" in await bot.texts(AYU, "ok")


async def test_two_way_choices_as_quick_replies_when_a_content_sid_is_set(settings):
    async with whatsapp_bot(settings, twilio_quick_reply_sid="HX" + "q" * 32) as bot:
        await bot.writes(AYU, "/start GUGUS1")
        consent = bot.srv.sent_to(AYU)[-1]
        assert consent.content_sid == "HX" + "q" * 32 and consent.body is None
        variables = json.loads(consent.content_variables)
        assert variables["1"].startswith("Selamat datang")
        assert (variables["2"], variables["3"]) == ("Setuju", "Tidak setuju")
        pressed = await bot.texts(AYU, "", extra={"ButtonText": "Setuju", "ButtonPayload": "x"})
        assert pressed[0].startswith("Siapa nama lengkap")
