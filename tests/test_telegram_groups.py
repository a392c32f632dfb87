"""The KKG's Telegram group, through the real PTB Application and the fake Bot API:
linking and unlinking, talk in the group that the bot leaves alone, commands answered
privately, the group's upgrade to a supergroup, the bot's removal, and RSVP presses from
many members redrawing one announcement with counts only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from kkgbot.db.models import Kkg, OutboxMessage, Person
from kkgbot.delivery.outbox import BULK, Draft, enqueue
from kkgbot.groups.models import KkgGroup
from kkgbot.inbox.models import MemberMessage
from kkgbot.meetings.models import Rsvp
from kkgbot.people import roles
from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram_helpers import TOKEN, press, reply_to, telegram_bot

KOOR, AYU, BUDI, SITI, STRANGER = 6001, 6002, 6003, 6004, 6099
GROUP, SUPERGROUP = -4001, -1004001


@pytest.fixture
async def srv():
    async with FakeTelegramServer(token=TOKEN) as server:
        yield server
        assert server.internal_errors == []


async def onboard(srv, user: int, name: str) -> None:
    await reply_to(srv, user, "/start GUGUS1")
    await press(srv, user, "Setuju")
    await reply_to(srv, user, name)
    done = await reply_to(srv, user, "SDN 1 Mataram")
    assert "sudah bergabung dengan KKG Gugus 1 Mataram" in done[0]


async def make_koordinator(app, name: str) -> None:
    async with app.sessionmaker() as s, s.begin():
        person = await s.scalar(select(Person).where(Person.name == name))
        kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
        await roles.grant(s, person=person, role="koordinator", kkg=kkg, now=app.clock.now())


async def in_group(srv, user: int, text: str, count: int = 1, chat: int = GROUP) -> list[str]:
    before = len(srv.sent_messages(chat))
    srv.user_sends(user, text, chat_id=chat)
    sent = await srv.wait_for_messages(chat, before + count, timeout=10)
    return [m.text or "" for m in sent[before:]]


async def settled(app, srv) -> None:
    """Every update handled and the outbox empty (nothing more will be sent)."""
    await srv.wait_until(lambda: not srv.pending_updates, 10, "updates handled")
    for _ in range(40):
        async with app.sessionmaker() as s:
            busy = await s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_(("queued", "sending", "failed")))
            )
        if not busy:
            return
        import asyncio

        await asyncio.sleep(0.05)


async def linked_group(app) -> KkgGroup | None:
    async with app.sessionmaker() as s:
        return await s.scalar(select(KkgGroup))


async def setup_linked(app, srv) -> None:
    await onboard(srv, KOOR, "Rina Koordinator")
    await make_koordinator(app, "Rina Koordinator")
    srv.bot_added_to_group(GROUP, KOOR, title="KKG Gugus 1")
    hello = await srv.wait_for_messages(GROUP, 1)
    assert "/hubungkan KODE" in hello[0].text
    linked = await in_group(srv, KOOR, "/hubungkan@kkg_test_bot GUGUS1")
    assert linked[0].startswith("Grup ini sekarang terhubung dengan KKG Gugus 1 Mataram")


async def test_link_refusals_talk_and_commands(settings, srv):
    async with telegram_bot(settings, srv) as app:
        await onboard(srv, AYU, "Ni Made Ayu")
        srv.bot_added_to_group(GROUP, AYU)
        await srv.wait_for_messages(GROUP, 1)
        # a member who is not koordinator cannot link; a wrong code changes nothing
        refused = await in_group(srv, AYU, "/hubungkan GUGUS1")
        assert refused == [
            "Maaf, hanya koordinator KKG Gugus 1 Mataram yang dapat menghubungkan grup ini. "
            "Tidak ada yang diubah."
        ]
        assert "tidak dikenal" in (await in_group(srv, AYU, "/hubungkan XXXXXX"))[0]
        assert await linked_group(app) is None

        await onboard(srv, KOOR, "Rina Koordinator")
        await make_koordinator(app, "Rina Koordinator")
        await in_group(srv, KOOR, "/hubungkan GUGUS1")
        group = await linked_group(app)
        assert group is not None and group.chat_id == str(GROUP)

        # talk in the group: no answer anywhere, no person made, nothing for the koordinator
        async with app.sessionmaker() as s:
            people_before = await s.scalar(select(func.count()).select_from(Person))
        sent_before = len(srv.sent_messages())
        for text in ("iya hadir", "1", "Bu, besok saya izin ya", "Setuju"):
            srv.user_sends(STRANGER, text, chat_id=GROUP)
            srv.user_sends(AYU, text, chat_id=GROUP)
        await settled(app, srv)
        assert len(srv.sent_messages()) == sent_before
        async with app.sessionmaker() as s:
            assert await s.scalar(select(func.count()).select_from(Person)) == people_before
            assert await s.scalar(select(func.count()).select_from(MemberMessage)) == 0

        # a command typed in the group is answered privately
        before = len(srv.sent_messages(AYU))
        group_before = len(srv.sent_messages(GROUP))
        srv.user_sends(AYU, "/bantuan", chat_id=GROUP)
        private = await srv.wait_for_messages(AYU, before + 1)
        assert "/profil" in private[-1].text
        await settled(app, srv)
        assert len(srv.sent_messages(GROUP)) == group_before
        # ... or, for someone with no private chat, with a button that opens one
        invite = await in_group(srv, STRANGER, "/rapat")
        assert "percakapan pribadi" in invite[0]
        button = srv.last_message(GROUP).buttons[0]
        assert button["url"] == "https://t.me/kkg_test_bot?start=GUGUS1"

        # /hubungkan typed privately explains where it belongs
        assert "grup Telegram KKG" in (await reply_to(srv, KOOR, "/hubungkan GUGUS1"))[0]
        # the koordinator's /undang offers the startgroup link
        invite_text = (await reply_to(srv, KOOR, "/undang"))[0]
        assert "https://t.me/kkg_test_bot?startgroup=GUGUS1" in invite_text

        # /putuskan: only the koordinator
        assert "hanya koordinator" in (await in_group(srv, AYU, "/putuskan"))[0]
        assert "tidak lagi terhubung" in (await in_group(srv, KOOR, "/putuskan"))[0]
        assert await linked_group(app) is None


async def test_startgroup_link_migration_and_removal(settings, srv):
    async with telegram_bot(settings, srv) as app:
        await onboard(srv, KOOR, "Rina Koordinator")
        await make_koordinator(app, "Rina Koordinator")
        # the startgroup deep link arrives as "/start CODE" in the group
        srv.bot_added_to_group(GROUP, KOOR)
        await srv.wait_for_messages(GROUP, 1)
        linked = await in_group(srv, KOOR, "/start@kkg_test_bot GUGUS1")
        assert "terhubung dengan KKG Gugus 1 Mataram" in linked[0]

        srv.migrate_group(GROUP, SUPERGROUP, KOOR)
        await settled(app, srv)
        assert (await linked_group(app)).chat_id == str(SUPERGROUP)
        # a post queued for the old id before the upgrade follows the group (ChatMigrated)
        async with app.sessionmaker() as s, s.begin():
            draft = Draft(
                channel="telegram", address=str(GROUP), text="Halo", key="late", kind=BULK
            )
            await enqueue(s, draft, app.clock.now())
        app.dispatcher.notify()
        late = await srv.wait_for_messages(SUPERGROUP, 1)
        assert late[-1].text == "Halo"

        before = len(srv.sent_messages(KOOR))
        srv.bot_removed_from_group(SUPERGROUP, KOOR)
        told = await srv.wait_for_messages(KOOR, before + 1)
        assert "dikeluarkan dari grup Telegram KKG Gugus 1 Mataram" in told[-1].text
        assert await linked_group(app) is None


async def test_rsvp_presses_from_many_members_redraw_counts(settings, srv):
    async with telegram_bot(settings, srv) as app:
        await setup_linked(app, srv)
        for user, name in ((AYU, "Ni Made Ayu"), (BUDI, "Budi Santoso"), (SITI, "Siti Aminah")):
            await onboard(srv, user, name)
        group_before = len(srv.sent_messages(GROUP))
        await reply_to(srv, KOOR, "/jadwal Literasi kelas awal; 2026-12-12 09:00; SDN 1 Mataram")
        await press(srv, KOOR, "Ya", count=1)
        posted = await srv.wait_for_messages(GROUP, group_before + 1)
        announcement = posted[-1]
        assert announcement.text.startswith("📣 Rapat baru KKG Gugus 1 Mataram:")
        assert "Hadir 0 · Tidak hadir 0 · Mungkin 0" in announcement.text
        assert [b["text"] for b in announcement.buttons] == ["Hadir", "Tidak hadir", "Mungkin"]

        for user, label in ((AYU, "Hadir"), (BUDI, "Tidak hadir"), (SITI, "Hadir")):
            before = len(srv.sent_messages(user))
            srv.user_presses(user, label, chat_id=GROUP)
            mine = await srv.wait_for_messages(user, before + 1)
            assert "Literasi kelas awal" in mine[before].text  # confirmed privately
        await srv.wait_until(
            lambda: (
                "Hadir 2 · Tidak hadir 1 · Mungkin 0"
                in (srv.current_message(GROUP, announcement.message_id).get("text") or "")
            ),
            10,
            "the announcement redrawn with the counts",
        )
        current = srv.current_message(GROUP, announcement.message_id)
        for name in ("Ayu", "Budi", "Siti"):
            assert name not in current["text"]  # counts only, never who
        # Budi was asked for his reason privately, not in the group
        assert any("alasan" in (m.text or "").lower() for m in srv.sent_messages(BUDI)[-2:])

        # someone with no private chat: Telegram opens the bot's deep link for them
        srv.user_presses(STRANGER, "Hadir", chat_id=GROUP)
        await srv.wait_until(
            lambda: any(a["user_id"] == STRANGER for a in srv.answered_callbacks), 10, "answer"
        )
        answer = next(a for a in srv.answered_callbacks if a["user_id"] == STRANGER)
        assert answer["url"] == "https://t.me/kkg_test_bot?start=GUGUS1"
        await settled(app, srv)
        async with app.sessionmaker() as s:
            assert await s.scalar(select(func.count()).select_from(Rsvp)) == 3


async def test_poll_in_the_group_opens_private_ballots(settings, srv):
    async with telegram_bot(settings, srv) as app:
        await setup_linked(app, srv)
        await onboard(srv, AYU, "Ni Made Ayu")
        group_before = len(srv.sent_messages(GROUP))
        await reply_to(
            srv, KOOR, "/survei Topik semester genap?; 9 | 11 | Kelas rangkap; 2; 2026-12-05 17:00"
        )
        await press(srv, KOOR, "Ya", count=1)
        posted = await srv.wait_for_messages(GROUP, group_before + 1)
        assert posted[-1].text.startswith("📊 Survei kebutuhan topik KKG Gugus 1 Mataram:")
        assert [b["text"] for b in posted[-1].buttons] == ["Isi survei (pribadi)"]
        assert "Literasi" not in posted[-1].text  # the ballot itself stays private

        before = len(srv.sent_messages(AYU))
        srv.user_presses(AYU, "Isi survei (pribadi)", chat_id=GROUP)
        ballot = await srv.wait_for_messages(AYU, before + 1)
        assert "Topik semester genap?" in ballot[-1].text
        assert "Kirim" in [b["text"] for b in srv.last_message(AYU).buttons]

        srv.user_presses(STRANGER, "Isi survei (pribadi)", chat_id=GROUP)
        await srv.wait_until(
            lambda: any(a["user_id"] == STRANGER for a in srv.answered_callbacks), 10, "answer"
        )
        answer = next(a for a in srv.answered_callbacks if a["user_id"] == STRANGER)
        assert answer["url"] == "https://t.me/kkg_test_bot?start=GUGUS1"
