"""Exports: the /ekspor menu (the meeting's daftar hadir stays first), the scope workbook,
the SPJ PDFs (they open and name the people), and `bot.py admin export`."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kkgbot.db.models import Kkg, StoredFile
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.spj_pdf import activity_report_pdf, attendance_pdf
from tests.test_cli import bot
from tests.test_meetings import say, schedule


async def held_meeting(app) -> Meeting:
    meeting = await schedule(
        app,
        "Literasi Dasar; 2026-12-01 13:00; SDN 1 Mataram; Membaca terbimbing; Ni Made Ayu Lestari",
    )
    await app.advance_to(meeting.starts_at + timedelta(minutes=5))
    async with app.sessionmaker() as s:
        code = (await s.get(Meeting, meeting.id)).checkin_code
    for who in ("guru1", "guru2"):
        assert "Presensi tercatat" in await say(app, who, f"/hadir {code}")
    await app.advance_to(meeting.starts_at + timedelta(hours=3))
    return meeting


async def stored(app, like: str) -> bytes:
    async with app.sessionmaker() as s:
        row = await s.scalar(
            select(StoredFile).where(StoredFile.name.like(like)).order_by(StoredFile.id.desc())
        )
        return row.data


def pdf_text(data: bytes, tmp_path=None) -> str:
    """The text a reader would copy out of the PDF (pypdf, as a PDF viewer extracts it)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_menu_keeps_the_daftar_hadir_first_and_adds_the_rest(console_app, tmp_path):
    meeting = await held_meeting(console_app)
    menu = await say(console_app, "koordinator", "/ekspor")
    assert "[1] Literasi Dasar · Sel 1 Des 13.00 WITA" in menu
    assert "[2] Rekap: kehadiran, survei, laporan, materi (.xlsx)" in menu
    assert "[3] Dokumen SPJ rapat" in menu
    reply = await say(console_app, "koordinator", "2")
    assert "[file: rekap-gugus1-2026-12-01.xlsx]" in reply
    book = load_workbook(io.BytesIO(await stored(console_app, "rekap-%.xlsx")))
    assert book.sheetnames == ["Rapat", "Kehadiran", "Survei", "Materi", "Laporan"]
    meetings = list(book["Rapat"].iter_rows(values_only=True))
    # the koordinator ran the meeting: she counts as present (issue 18)
    assert meetings[1][2:] == (
        "Literasi Dasar", "SDN 1 Mataram", "Ni Made Ayu Lestari", 9, 3, 2, 3 / 9
    )  # fmt: skip
    present = {
        r[3] for r in book["Kehadiran"].iter_rows(min_row=2, values_only=True) if r[6] == "Ya"
    }
    assert present == {"Ni Made Ayu Lestari", "Lalu Ahmad Zaini", "Rahmawati"}
    # the SPJ documents
    await say(console_app, "koordinator", "/ekspor")
    assert "rapat yang mana" in await say(console_app, "koordinator", "3")
    reply = await say(console_app, "koordinator", "1")
    assert f"[file: daftar-hadir-2026-12-01-rapat-{meeting.id}.pdf]" in reply
    assert f"[file: laporan-kegiatan-2026-12-01-rapat-{meeting.id}.pdf]" in reply
    # a guru gets no export at all
    assert "hanya untuk" in await say(console_app, "guru1", "/ekspor")


async def test_pdfs_open_and_name_the_people(console_app, tmp_path):
    meeting = await held_meeting(console_app)
    async with console_app.sessionmaker() as s:
        meeting = await s.get(Meeting, meeting.id)
        kkg = await s.get(Kkg, meeting.kkg_id)
        attendance = await attendance_pdf(s, meeting, kkg)
        report = await activity_report_pdf(s, meeting, kkg)
    assert attendance.startswith(b"%PDF") and report.startswith(b"%PDF")
    text = pdf_text(attendance, tmp_path)
    for needle in (
        "DAFTAR HADIR",
        "KKG Gugus 1 Mataram",
        "Tanda tangan",
        "Baiq Nurul Hidayati",
        "Yohanes Bili",
        "Selasa, 1 Desember 2026",
        "3 dari 9 anggota",
        "Rahmawati",
    ):
        assert needle in text, needle
    text = pdf_text(report, tmp_path)
    for needle in (
        "LAPORAN KEGIATAN",
        "Narasumber",
        "Ni Made Ayu Lestari",
        "Membaca terbimbing",
        "Lalu Ahmad Zaini",
        "Tanda tangan",
        "notulen belum diisi",
    ):
        assert needle in text, needle
    assert "Yohanes Bili" not in text  # the report lists those who came


@pytest.mark.slow  # the export CLI as a real subprocess
async def test_cli_export(db_url, tmp_path):
    assert bot(db_url, "admin", "seed-demo").returncode == 0
    out = tmp_path / "rekap.xlsx"
    done = bot(db_url, "admin", "export", "--kkg", "GUGUS1", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "ditulis ke" in done.stdout
    book = load_workbook(out)
    assert book.sheetnames == ["Rapat", "Kehadiran", "Survei", "Materi", "Laporan"]
    missing = bot(db_url, "admin", "export", "--kkg", "TIDAKADA", "--out", str(out))
    assert missing.returncode == 2 and "tidak ditemukan" in missing.stdout
    bad = bot(
        db_url, "admin", "export", "--kkg", "GUGUS1", "--out", str(tmp_path / "no" / "x.xlsx")
    )
    assert bad.returncode == 2 and "tidak bisa ditulis" in bad.stdout
