"""Broadcasts: scopes, each person once, refusals that change nothing, scheduling and
quiet hours, and the delivery summary the sender gets."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from kkgbot.broadcasts import service as broadcasts
from kkgbot.broadcasts.models import Broadcast
from kkgbot.db.models import Identity, Kkg, OutboxMessage
from kkgbot.delivery import outbox
from kkgbot.people import kkgs, roles
from tests.conftest import START
from tests.digest_data import new_member, person
from tests.test_meetings import say

WITA = ZoneInfo("Asia/Makassar")


async def broadcast_rows(app, batch: str | None = None) -> list[tuple[str, str]]:
    async with app.sessionmaker() as s:
        query = (
            select(Identity.address, OutboxMessage.batch_id)
            .join(Identity, Identity.person_id == OutboxMessage.person_id)
            .where(OutboxMessage.idempotency_key.like("broadcast:%"))
            .order_by(Identity.address)
        )
        return [(a, b) for a, b in await s.execute(query) if batch is None or b == batch]


async def count_broadcasts(app) -> int:
    async with app.sessionmaker() as s:
        return await s.scalar(select(func.count()).select_from(Broadcast))


async def second_kkg(app) -> None:
    """KKG Gugus 2 (two new members and guru1, who is in both), supervised by the pengawas."""
    async with app.sessionmaker() as s, s.begin():
        kkg2 = await kkgs.create_kkg(s, name="KKG Gugus 2 Mataram", district="Kota Mataram",
                                     timezone="WITA", now=START, invite_code="GUGUS2")  # fmt: skip
        await new_member(s, kkg2, "b1", "Anggota Dua Satu")
        await new_member(s, kkg2, "b2", "Anggota Dua Dua")
        await roles.join_kkg(s, person=await person(s, "guru1"), kkg=kkg2, now=START)
        await roles.grant(s, person=await person(s, "pengawas"), role="pengawas", kkg=kkg2,
                          now=START)  # fmt: skip


async def test_koordinator_one_line_reaches_their_kkg_only(console_app):
    await second_kkg(console_app)
    preview = await say(console_app, "koordinator", "/siaran Rapat Sabtu; bawa laptop ya 🙏")
    assert (
        "📢 Siaran dari Rahmawati (KKG Gugus 1 Mataram):\n\nRapat Sabtu; bawa laptop ya 🙏"
        in preview
    )
    assert "Penerima: 8 orang" in preview and "[1] Ya\n[2] Batal" in preview
    sent = await say(console_app, "koordinator", "Ya")
    assert "Siaran sedang dikirim ke 8 orang" in sent
    rows = await broadcast_rows(console_app)
    assert [a for a, _ in rows] == [f"guru{i}" for i in range(1, 9)]  # not b1, b2, not herself
    assert {b for _, b in rows} == {"broadcast-1"}
    async with console_app.sessionmaker() as s:
        kinds = set(await s.scalars(select(OutboxMessage.kind).where(
            OutboxMessage.batch_id == "broadcast-1")))  # fmt: skip
    assert kinds == {outbox.BULK}
    # the summary follows once the batch is done
    await console_app.advance_to(START + timedelta(minutes=1))
    async with console_app.sessionmaker() as s:
        text = await s.scalar(select(OutboxMessage.payload["text"].as_string()).where(
            OutboxMessage.idempotency_key == "broadcast-summary:b-1"))  # fmt: skip
    assert text == ('📬 Laporan siaran "Rapat Sabtu; bawa laptop ya 🙏": terkirim 8 dari 8, '
                    "gagal 0, tidak terjangkau 0.")  # fmt: skip


async def test_pengawas_reaches_chosen_kkgs_each_person_once(console_app):
    await second_kkg(console_app)
    await say(console_app, "pengawas", "/siaran")
    ask = await say(console_app, "pengawas", "Pelatihan asesmen diagnostik minggu depan.")
    assert "satu file atau gambar" in ask and "[1] Lewati" in ask
    # text that is not a file is explained; "tidak ada" is the skip, in the person's words
    assert "Lewati" in await say(console_app, "pengawas", "fotonya menyusul")
    choices = await say(console_app, "pengawas", "tidak ada")
    assert "[1] Semua KKG binaan (2 KKG)" in choices
    assert "[3] KKG Gugus 2 Mataram" in choices
    # a KKG that is not theirs is refused and asked again
    assert "bukan KKG yang bisa Anda jangkau" in await say(console_app, "pengawas", "KKG Lain")
    assert "Kapan dikirim?" in await say(console_app, "pengawas", "2,3")
    preview = await say(console_app, "pengawas", "Kirim sekarang")
    assert "Penerima: 11 orang (KKG Gugus 1 Mataram, KKG Gugus 2 Mataram)" in preview
    await say(console_app, "pengawas", "1")
    rows = await broadcast_rows(console_app)
    addresses = [a for a, _ in rows]
    assert sorted(addresses) == sorted(
        ["koordinator", "b1", "b2"] + [f"guru{i}" for i in range(1, 9)]
    )
    assert addresses.count("guru1") == 1  # in both KKGs, told once


async def test_admin_reaches_the_district(console_app):
    await second_kkg(console_app)
    await say(console_app, "admin", "/siaran")
    await say(console_app, "admin", "Libur semester dimulai 19 Desember.")
    scopes = await say(console_app, "admin", "Lewati")
    assert "[1] Seluruh KKG Kota Mataram (2 KKG)" in scopes
    await say(console_app, "admin", "1")
    await say(console_app, "admin", "Kirim sekarang")
    await say(console_app, "admin", "Ya")
    assert len(await broadcast_rows(console_app)) == 11


async def test_refusals_and_bad_input_change_nothing(console_app):
    refused = await say(console_app, "guru1", "/siaran halo semua")
    assert "hanya untuk" in refused
    assert "bukan hanya tanda atau emoji" in await say(console_app, "koordinator", "/siaran 🎉🎉🎉")
    long = await say(console_app, "koordinator", "/siaran " + "kata " * 700)
    assert "terlalu panjang (3499 huruf)" in long
    assert "terlalu panjang" in await say(console_app, "koordinator", "/siaran " + "x" * 10_000)
    await say(console_app, "koordinator", "/siaran")
    await say(console_app, "koordinator", "Jangan lupa isi refleksi.")
    await say(console_app, "koordinator", "Lewati")
    past = await say(console_app, "koordinator", "kemarin 10.00")
    assert "sudah lewat (Senin, 30 November 2026 pukul 10.00 WITA)" in past
    assert "antara pukul 06.00 dan 21.00" in await say(console_app, "koordinator", "besok 23.00")
    assert "tidak bisa dipahami" in await say(console_app, "koordinator", "asdfgh qwerty")
    await say(console_app, "koordinator", "besok 07.00")
    assert "dibatalkan" in (await say(console_app, "koordinator", "Batal")).lower()
    assert await count_broadcasts(console_app) == 0
    assert await broadcast_rows(console_app) == []


async def test_scheduled_and_quiet_hours(console_app):
    await say(console_app, "koordinator", "/siaran")
    await say(console_app, "koordinator", "Besok pagi kumpul di SDN 1.")
    await say(console_app, "koordinator", "Lewati")
    preview = await say(console_app, "koordinator", "besok 07.00")
    assert "Dikirim: Rabu, 2 Desember 2026 pukul 07.00 WITA." in preview
    assert "dijadwalkan" in await say(console_app, "koordinator", "Ya")
    assert await broadcast_rows(console_app) == []
    await console_app.advance_to(datetime(2026, 12, 2, 7, 30, tzinfo=WITA))
    async with console_app.sessionmaker() as s:
        times = set(await s.scalars(select(OutboxMessage.sent_at).where(
            OutboxMessage.batch_id == "broadcast-1")))  # fmt: skip
        summary = await s.scalar(select(OutboxMessage.sent_at).where(
            OutboxMessage.idempotency_key == "broadcast-summary:b-1"))  # fmt: skip
    assert {t.astimezone(WITA).strftime("%d %H:%M") for t in times} == {"02 07:00"}
    assert summary is not None
    # sent at 22:00, a broadcast waits for 06:00 in the members' zone
    await console_app.advance_to(datetime(2026, 12, 2, 22, 0, tzinfo=WITA))
    await say(console_app, "koordinator", "/siaran Pengingat: laporan bulanan.")
    await say(console_app, "koordinator", "Ya")
    async with console_app.sessionmaker() as s:
        held = set(await s.scalars(select(OutboxMessage.not_before).where(
            OutboxMessage.batch_id == "broadcast-2")))  # fmt: skip
    assert {t.astimezone(WITA).strftime("%d %H:%M") for t in held} == {"03 06:00"}


async def test_delivery_summary_counts_failures(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        sender = await person(s, "koordinator")
        kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
        row = await broadcasts.create(s, sender=sender, kkg_ids=[kkg.id], scope_label=kkg.name,
                                      text="Uji laporan pengiriman", send_at=START, now=START)  # fmt: skip
        ids = list(await s.scalars(select(OutboxMessage.id).where(
            OutboxMessage.batch_id == row.batch_id).order_by(OutboxMessage.id)))  # fmt: skip
        assert len(ids) == 8
        statuses = {ids[0]: outbox.UNREACHABLE, ids[1]: outbox.DEAD}
        for oid in ids:
            await s.execute(update(OutboxMessage).where(OutboxMessage.id == oid).values(
                status=statuses.get(oid, outbox.SENT)))  # fmt: skip
        assert await broadcasts.next_due(s, START) == START + timedelta(seconds=1)
    await console_app.jobs.run_due(START)
    async with console_app.sessionmaker() as s:
        text = await s.scalar(select(OutboxMessage.payload["text"].as_string()).where(
            OutboxMessage.idempotency_key == "broadcast-summary:b-1"))  # fmt: skip
        assert await broadcasts.next_due(s, START) is None
    assert text.endswith("terkirim 6 dari 8, gagal 1, tidak terjangkau 1.")
    await console_app.jobs.run_due(START + timedelta(minutes=5))  # told once
    async with console_app.sessionmaker() as s:
        n = await s.scalar(select(func.count()).where(
            OutboxMessage.idempotency_key.like("broadcast-summary:%")))  # fmt: skip
    assert n == 1


async def test_koordinator_of_two_kkgs_chooses(console_app):
    await second_kkg(console_app)
    async with console_app.sessionmaker() as s, s.begin():
        kkg2 = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS2"))
        await roles.grant(s, person=await person(s, "koordinator"), role="koordinator", kkg=kkg2,
                          now=START)  # fmt: skip
    await say(console_app, "koordinator", "/siaran")
    await say(console_app, "koordinator", "Jadwal rapat gabungan menyusul.")
    options = await say(console_app, "koordinator", "Lewati")
    assert "[1] Semua KKG saya (2 KKG)" in options and "binaan" not in options
    await say(console_app, "koordinator", "KKG Gugus 2 Mataram")
    await say(console_app, "koordinator", "Kirim sekarang")
    await say(console_app, "koordinator", "Ya")
    assert [a for a, _ in await broadcast_rows(console_app)] == ["b1", "b2", "guru1"]
