"""The weekly digest: figures against a hand-computed data set, its text, chart and
spreadsheet, /ringkasan, and the Monday 07:00 schedule in three zones."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from kkgbot.db.models import Identity, OutboxMessage, StoredFile
from kkgbot.digest import figures as digest_figures
from kkgbot.digest import rounds as digest
from kkgbot.digest.models import DigestRound
from kkgbot.digest.period import period_for
from kkgbot.learning.models import Learner
from kkgbot.people import kkgs, roles
from tests.conftest import START
from tests.digest_data import build, new_member, person
from tests.test_meetings import say

WITA = "Asia/Makassar"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def test_figures_match_the_hand_computed_data_set(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        kkg1, kkg2 = await build(s)
        period = period_for(START, WITA)
        figs = await digest_figures.digest_figures(s, [kkg1.id, kkg2.id], period, names=True)
    assert period.term_start == datetime(2026, 7, 1, tzinfo=ZoneInfo(WITA))
    one, two = figs[kkg1.id], figs[kkg2.id]
    assert one.members == 9 and two.members == 5
    # four held this term (the cancelled one does not count), one of them this week
    assert (one.held_week, one.held_term, one.planned) == (1, 4, 1)
    assert (one.attended_week, one.attended_term) == (3, 18)
    assert one.rate_term == pytest.approx(18 / 36)
    assert one.rate_week == pytest.approx(3 / 9)
    assert one.trend == [6, 5, 4, 3] and one.falling
    # guru6, guru7, guru8 never came (guru5 came on 6 Oct, within 60 days)
    assert one.inactive == 3
    assert one.inactive_names == ["Dewi Anggraeni", "Muhammad Rizki", "Yohanes Bili"]
    # most active fifth = ceil(9/5) = 2 members with 4 each: 8 of 18 attendances
    assert one.top_fifth_share == pytest.approx(8 / 18)
    assert one.top_topics == [("Literasi dasar", 2), ("Numerasi", 2), ("Asesmen", 1)]
    assert one.votes_term == 5
    assert (one.plan_total, one.plan_from_votes, one.plan_term) == (2, 1, 1)
    assert (one.lessons_given_week, one.lessons_answered_week) == (4, 2)
    assert (one.lessons_given_term, one.lessons_answered_term) == (6, 3)
    assert one.modules_completed_term == 1
    assessment = [digest_figures.ALERT_NO_ASSESSMENT] if one.monitoring is not None else []
    assert one.alerts == [digest_figures.ALERT_FALLING, *assessment]
    # the second KKG: nothing happened
    assert (two.held_term, two.attended_term, two.inactive) == (0, 0, 5)
    assert two.rate_term is None and two.top_fifth_share is None and two.trend == []
    assert two.alerts == [digest_figures.ALERT_NO_MEETING, digest_figures.ALERT_NO_PLAN,
                          *assessment]  # fmt: skip


async def test_text_chart_and_spreadsheet(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        await build(s)
        pengawas = await person(s, "pengawas")
        admin = await person(s, "admin")
        scope = await digest.scope_of(s, pengawas.id)
        mine = digest.render(await digest.build(s, scope, START, WITA, "id"), "id")
        district = await digest.scope_of(s, admin.id)
        theirs = digest.render(await digest.build(s, district, START, WITA, "en"), "en")
    text = mine.text
    assert text.startswith("📊 Ringkasan KKG · 2 KKG binaan")
    # alerts come first, the KKG with no meeting at the top
    alerts = text.index("⚠️ Perlu perhatian (2 dari 2 KKG)")
    assert (
        alerts
        < text.index("• KKG Gugus 2 Mataram: tidak ada rapat 30 hari")
        < text.index("• KKG Gugus 1 Mataram: kehadiran turun 3 rapat berturut-turut")
        < text.index("🏫 KKG Gugus 1 Mataram (9 anggota)")
    )
    assert (
        "Kehadiran: minggu ini 33% (3 dari 9); semester 50% (18 dari 36); peserta rapat terakhir 6 → 5 → 4 → 3"
        in text
    )
    assert "Tidak hadir 60 hari: 3 orang (Dewi Anggraeni, Muhammad Rizki, Yohanes Bili)" in text
    assert "Porsi kehadiran oleh seperlima anggota teraktif: 44%" in text
    assert "Topik paling diminta: Literasi dasar (2), Numerasi (2), Asesmen (1)" in text
    assert (
        "Program kerja: 1 topik semester ini; praktik kelas pilihan anggota: 50% (1 dari 2)" in text
    )
    assert (
        "Materi: 2 dari 4 dijawab minggu ini; penyelesaian semester 50% (3 dari 6); 1 modul selesai"
        in text
    )
    assert len(text) < 2500  # a phone screen or two, well under Telegram's 4096
    # the admin's district version: counts, no names, in English
    assert theirs.text.startswith("📊 KKG digest · Kota Mataram")
    assert "No attendance in 60 days: 3 people\n" in theirs.text
    assert "Dewi" not in theirs.text
    width, height = png_size(mine.chart)
    assert width == 800 and 150 <= height <= 600
    book = load_workbook(io.BytesIO(mine.xlsx))
    assert book.sheetnames == ["Rapat", "Kehadiran", "Tidak hadir 60 hari",
                               "Topik dan program kerja", "Refleksi dan survei bulanan", "Materi",
                               "Standar", "Peringatan"]  # fmt: skip
    rows = list(book["Kehadiran"].iter_rows(values_only=True))
    assert rows[0][0] == "KKG"
    by_kkg = {r[0]: r for r in rows[1:]}
    assert by_kkg["KKG Gugus 1 Mataram"][1:6] == (0.333, 0.5, "6 → 5 → 4 → 3", 3, 0.444)
    names = [r[1] for r in book["Tidak hadir 60 hari"].iter_rows(min_row=2, values_only=True)]
    assert names[:3] == ["Dewi Anggraeni", "Muhammad Rizki", "Yohanes Bili"]
    assert len(names) == 8  # and the five of Gugus 2
    assert "Tidak hadir 60 hari" not in load_workbook(io.BytesIO(theirs.xlsx)).sheetnames


async def test_ringkasan_on_demand_and_refusals(console_app):
    reply = await say(console_app, "pengawas", "/ringkasan")
    assert "📊 Ringkasan KKG · 1 KKG binaan" in reply
    assert "[file: ringkasan-2026-12-01.png]" in reply and "ringkasan-2026-12-01.xlsx" in reply
    assert "📊 KKG digest" not in reply
    assert "Kota Mataram" in await say(console_app, "admin", "/digest")
    for who in ("guru1", "koordinator"):
        refused = await say(console_app, who, "/ringkasan")
        assert "hanya untuk" in refused and "📊" not in refused
    async with console_app.sessionmaker() as s:
        png = await s.scalar(select(StoredFile).where(StoredFile.name.like("ringkasan-%.png")))
        assert png_size(png.data)[0] == 800


async def test_monday_0700_in_three_zones(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        for name, district, zone, handle in (
            ("KKG Gugus 3 Ambon", "Kota Ambon", "WIT", "p_ambon"),
            ("KKG Gugus 4 Pontianak", "Kota Pontianak", "WIB", "p_pontianak"),
        ):
            kkg = await kkgs.create_kkg(s, name=name, district=district, timezone=zone, now=START)
            sup = await new_member(s, kkg, handle, f"Pengawas {district}")
            await roles.grant(s, person=sup, role="pengawas", kkg=kkg, now=START)
            await roles.revoke(s, person=sup, role="guru", kkg=kkg, now=START)
        for pid in await s.scalars(select(Identity.person_id)):
            s.add(Learner(person_id=pid, paused_at=START, updated_at=START))  # no lessons
    await console_app.advance_to(datetime(2026, 12, 8, 3, 0, tzinfo=UTC))
    async with console_app.sessionmaker() as s:
        rows = (
            await s.execute(
                select(Identity.address, OutboxMessage.not_before)
                .join(Identity, Identity.person_id == OutboxMessage.person_id)
                .where(OutboxMessage.idempotency_key.like("digest:%:text"))
                .order_by(OutboxMessage.not_before, OutboxMessage.id)
            )
        ).all()
        rounds = await s.scalar(select(func.count()).select_from(DigestRound))
    zones = {"p_ambon": "Asia/Jayapura", "pengawas": WITA, "admin": WITA,
             "p_pontianak": "Asia/Jakarta"}  # fmt: skip
    local = [
        (who, when.astimezone(ZoneInfo(zones[who])).strftime("%a %d %H:%M")) for who, when in rows
    ]
    assert local == [
        ("p_ambon", "Mon 07 07:00"),
        ("pengawas", "Mon 07 07:00"),
        ("admin", "Mon 07 07:00"),
        ("p_pontianak", "Mon 07 07:00"),
    ]
    assert rounds == 4
    # Monday 30 Nov was before they became supervisors; the next one comes a week later.
    await console_app.advance_to(datetime(2026, 12, 14, 3, 0, tzinfo=UTC))
    async with console_app.sessionmaker() as s:
        n = await s.scalar(
            select(func.count()).where(OutboxMessage.idempotency_key.like("digest:%:text"))
        )
    assert n == 8
