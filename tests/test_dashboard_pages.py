"""The overview, one KKG's page and the downloads, read by a pengawas, an admin and a
koordinator: scope in every query (an id edited in the URL answers 404), names only for
the KKG's koordinator and pengawas, sorting, the kecamatan filter, weekly trends."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from kkgbot.db.models import Kkg
from kkgbot.digest import snapshots
from kkgbot.meetings.models import Meeting
from kkgbot.people import kkgs
from tests.conftest import START
from tests.dashboard_helpers import dashboard_bot
from tests.digest_data import build, meeting


async def _data(app):
    async with app.sessionmaker() as s, s.begin():
        kkg1, kkg2 = await build(s)
        kkg1.kecamatan, kkg2.kecamatan = "Mataram", "Ampenan"
        other = await kkgs.create_kkg(
            s, name="KKG Gugus Lain", district="Kabupaten Lain", timezone="WIB", now=START
        )
        stranger = meeting(other.id, START - timedelta(days=3), "Rapat lain")
        s.add(stranger)
        await s.flush()
        return kkg1.id, kkg2.id, other.id, stranger.id


def _names_in_order(html: str) -> list[str]:
    return re.findall(r'<a href="/dasbor/kkg/\d+">([^<]+)</a>', html)


async def test_overview_scope_sorting_and_filter(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as bot:
        one, two, other, _ = await _data(bot.app)
        client = await bot.signed_in("pengawas")
        page = await client.get("/dasbor")
        assert page.status_code == 200
        assert _names_in_order(page.text) == ["KKG Gugus 1 Mataram", "KKG Gugus 2 Mataram"]
        assert "KKG Gugus Lain" not in page.text and len(page.content) < 200_000
        down = await client.get("/dasbor?urut=name&arah=turun")
        assert _names_in_order(down.text) == ["KKG Gugus 2 Mataram", "KKG Gugus 1 Mataram"]
        # Gugus 2 never met: no attendance rate, so it goes last whichever way is asked
        for way in ("naik", "turun"):
            by_rate = await client.get(f"/dasbor?urut=attendance_rate&arah={way}")
            assert _names_in_order(by_rate.text)[0] == "KKG Gugus 1 Mataram"
        assert 'class="num bad" data-col="meetings_30d">0<' in by_rate.text  # Gugus 2
        only = await client.get("/dasbor?kecamatan=Ampenan")
        assert _names_in_order(only.text) == ["KKG Gugus 2 Mataram"]
        for probe in (f"/dasbor/kkg/{other}", f"/dasbor/kkg/{other}/rekap.xlsx", "/dasbor/kkg/x"):
            refused = await client.get(probe)
            assert refused.status_code == 404 and "tidak ditemukan" in refused.text
        admin = await bot.signed_in("admin")
        assert "KKG Gugus Lain" not in (await admin.get("/dasbor")).text
        koordinator = await bot.signed_in("koordinator")
        assert _names_in_order((await koordinator.get("/dasbor")).text) == ["KKG Gugus 1 Mataram"]
        assert (await koordinator.get(f"/dasbor/kkg/{two}")).status_code == 404
        for c in (client, admin, koordinator):
            await c.aclose()


async def test_kkg_page_names_and_downloads(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as bot:
        one, two, other, stranger = await _data(bot.app)
        pengawas = await bot.signed_in("pengawas")
        page = await pengawas.get(f"/dasbor/kkg/{one}")
        assert page.status_code == 200
        text = page.text
        assert "Ni Made Ayu Lestari" in text and "Rapat 27/11" in text
        assert "Rapat berikutnya" in text and "direncanakan" in text
        assert "Literasi dasar" in text and "Belum ada kunjungan yang tercatat." in text
        admin = await bot.signed_in("admin")
        hidden = (await admin.get(f"/dasbor/kkg/{one}")).text
        assert "Ni Made Ayu Lestari" not in hidden and "Anggota 1" in hidden
        rekap = await pengawas.get(f"/dasbor/kkg/{one}/rekap.xlsx")
        assert rekap.status_code == 200 and rekap.content[:2] == b"PK"
        assert "attachment" in rekap.headers["content-disposition"]
        whole = await pengawas.get("/dasbor/rekap.xlsx")
        assert whole.status_code == 200 and whole.content[:2] == b"PK"
        async with bot.app.sessionmaker() as s:
            held = await s.scalar(
                select(Meeting.id).where(Meeting.kkg_id == one, Meeting.title == "Rapat 27/11")
            )
        pdf = await pengawas.get(f"/dasbor/kkg/{one}/rapat/{held}/hadir.pdf")
        assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
        report = await pengawas.get(f"/dasbor/kkg/{one}/rapat/{held}/laporan.pdf")
        assert report.status_code == 200 and report.content[:4] == b"%PDF"
        # another KKG's meeting under this KKG's id: not found
        assert (
            await pengawas.get(f"/dasbor/kkg/{one}/rapat/{stranger}/hadir.pdf")
        ).status_code == 404
        await pengawas.aclose()
        await admin.aclose()


async def test_trends_come_from_weekly_snapshots(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as bot:
        one, two, *_ = await _data(bot.app)
        for week in range(3):
            async with bot.app.sessionmaker() as s, s.begin():
                assert await snapshots.take(s, START + timedelta(weeks=week)) == 3
        async with bot.app.sessionmaker() as s, s.begin():
            assert await snapshots.take(s, START + timedelta(weeks=2, hours=1)) == 0  # once a week
        bot.app.clock.set(START + timedelta(weeks=2, hours=2))
        client = await bot.signed_in("pengawas")
        page = await client.get("/dasbor?urut=attendance_rate")
        assert page.text.count("<polyline") >= 1
        kkg_page = await client.get(f"/dasbor/kkg/{one}")
        assert kkg_page.text.count("<svg") >= 5
        async with bot.app.sessionmaker() as s:
            kkg = await s.get(Kkg, one)
            assert kkg is not None
        await client.aclose()


async def test_monday_job_writes_snapshots(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as bot:
        await _data(bot.app)
        await bot.app.advance_to(START + timedelta(days=6))  # Monday 7 Dec, 08:00 WITA
        async with bot.app.sessionmaker() as s:
            rows = (await s.scalars(select(snapshots.KkgWeekSnapshot))).all()
        this_week = [r for r in rows if str(r.week) == "2026-12-07"]
        assert len(this_week) == 3 and len({(r.kkg_id, r.week) for r in rows}) == len(rows)
