"""Cancelling a scheduled broadcast: who may, what the list shows, bad answers, a cancelled
one never sent (also after a restart), and one already going out refused with the reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from kkgbot.broadcasts import scheduled as broadcasts_scheduled
from kkgbot.broadcasts import service as broadcasts
from kkgbot.broadcasts.models import Broadcast
from kkgbot.broadcasts.service import BroadcastError
from kkgbot.db.models import AuditEntry, Kkg, OutboxMessage
from kkgbot.people import kkgs, roles
from tests.conftest import START
from tests.digest_data import new_member, person
from tests.test_meetings import new_app, say

WITA = ZoneInfo("Asia/Makassar")
TOMORROW_7 = datetime(2026, 12, 2, 7, 0, tzinfo=WITA)


async def schedule_broadcast(app, who: str, text: str, when: str = "besok 07.00") -> None:
    await say(app, who, "/siaran")
    await say(app, who, text)
    await say(app, who, "Lewati")  # no file
    if who != "koordinator":
        await say(app, who, "1")  # the whole scope
    await say(app, who, when)
    assert "dijadwalkan" in await say(app, who, "Ya")


async def sent_in(app, batch: str) -> int:
    async with app.sessionmaker() as s:
        return await s.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.batch_id == batch)
        )


async def test_the_sender_lists_and_cancels_and_it_never_goes_even_after_a_restart(settings):
    app = new_app(settings, START)
    await app.seed_demo()
    await schedule_broadcast(app, "koordinator", "Besok pagi kumpul di SDN 1.")
    await schedule_broadcast(
        app, "koordinator", "Laporan bulanan dikumpulkan Jumat.", "besok 08.00"
    )
    listing = await say(app, "koordinator", "/batalsiaran")
    assert "Rabu, 2 Desember 2026 pukul 07.00 WITA untuk KKG Gugus 1 Mataram" in listing
    assert '"Besok pagi kumpul di SDN 1."' in listing and "[2] 02/12 08.00 · Laporan" in listing
    assert "pilih salah satu" in (await say(app, "koordinator", "9")).lower()
    assert "pilih salah satu" in (await say(app, "koordinator", "🙂")).lower()
    confirm = await say(app, "koordinator", "1")
    assert "tidak akan dikirim ke siapa pun" in confirm and "[1] Ya\n[2] Batal" in confirm
    assert "Tidak ada yang diubah" in await say(app, "koordinator", "Batal")
    await say(app, "koordinator", "/batalsiaran 1")
    assert "dibatalkan dan tidak akan dikirim" in await say(app, "koordinator", "Ya")
    async with app.sessionmaker() as s:
        first = await s.get(Broadcast, 1)
        audit = await s.scalar(select(AuditEntry).where(AuditEntry.action == "broadcast.cancel"))
    assert first.cancelled_at == START and audit.details["broadcast"] == 1
    await app.close()  # the process stops before the broadcast's time

    app2 = new_app(settings, START + timedelta(hours=1))
    await app2.advance_to(TOMORROW_7 + timedelta(hours=2))
    assert await sent_in(app2, "broadcast-1") == 0
    assert await sent_in(app2, "broadcast-2") == 8  # the other one still went
    left = await say(app2, "koordinator", "/batalsiaran")
    await app2.close()
    assert "Tidak ada siaran terjadwal" in left


async def test_one_already_going_out_is_refused_with_the_reason(console_app):
    soon = datetime(2026, 12, 1, 8, 10, tzinfo=WITA)  # START is 08.00 WITA
    await schedule_broadcast(console_app, "koordinator", "Kumpul di SDN 1.", "hari ini 08.10")
    await say(console_app, "koordinator", "/batalsiaran")
    await say(console_app, "koordinator", "1")  # chosen, then the time comes before "Ya"
    await console_app.advance_to(soon + timedelta(minutes=1))
    refused = await say(console_app, "koordinator", "Ya")
    assert "sudah mulai dikirim ke 8 orang" in refused
    assert await sent_in(console_app, "broadcast-1") == 8
    async with console_app.sessionmaker() as s:
        row = await s.get(Broadcast, 1)
    assert row.cancelled_at is None and row.queued_at is not None
    assert "Tidak ada siaran terjadwal" in await say(console_app, "koordinator", "/batalsiaran")


async def test_a_cancel_first_wins_over_the_job(console_app):
    await schedule_broadcast(console_app, "koordinator", "Besok pagi kumpul di SDN 1.")
    async with console_app.sessionmaker() as s, s.begin():
        sender = await person(s, "koordinator")
        await broadcasts_scheduled.cancel(s, 1, person_id=sender.id, now=START)
        await broadcasts.run_due(s, TOMORROW_7 + timedelta(minutes=5))
        with pytest.raises(BroadcastError) as twice:
            await broadcasts_scheduled.cancel(s, 1, person_id=sender.id, now=START)
    assert twice.value.key == "broadcast.cancel_already"
    assert await sent_in(console_app, "broadcast-1") == 0


async def test_admin_may_cancel_others_outside_the_scope_see_nothing(console_app):
    await schedule_broadcast(console_app, "koordinator", "Besok pagi kumpul di SDN 1.")
    async with console_app.sessionmaker() as s, s.begin():
        other = await kkgs.create_kkg(s, name="KKG Gugus 9 Kupang", district="Kota Kupang",
                                      timezone="WITA", now=START, invite_code="KUPANG")  # fmt: skip
        budi = await new_member(s, other, "budi", "Budi Koordinator")
        await roles.grant(s, person=budi, role="koordinator", kkg=other, now=START)
        stranger_id = budi.id
    assert "Tidak ada siaran terjadwal" in await say(console_app, "budi", "/batalsiaran")
    with pytest.raises(BroadcastError, match="cancel_unknown"):
        async with console_app.sessionmaker() as s, s.begin():
            await broadcasts_scheduled.cancel(s, 1, person_id=stranger_id, now=START)
    assert "hanya untuk" in await say(console_app, "guru1", "/batalsiaran")
    listing = await say(console_app, "admin", "/batalsiaran")
    assert "(dari Rahmawati)" in listing
    await say(console_app, "admin", "1")
    assert "dibatalkan" in await say(console_app, "admin", "Ya")
    async with console_app.sessionmaker() as s:
        row = await s.get(Broadcast, 1)
        kkg_count = await s.scalar(select(func.count()).select_from(Kkg))
    assert row.cancelled_at is not None and kkg_count == 2


async def test_english_and_nothing_to_cancel(console_app):
    await say(console_app, "koordinator", "/bahasa English")
    assert "no scheduled broadcast" in await say(console_app, "koordinator", "/cancelbroadcast")
