"""Printable PDFs for the KKG's accountability paperwork (SPJ dana BOS, laporan ke Dinas).

Two documents per meeting, in Indonesian (the language of the paperwork): the daftar
hadir with a signature column, and the laporan kegiatan (title, date, narasumber,
agenda, notulen, attendance with signatures). fpdf2 draws them with the DejaVu font that
matplotlib already ships, so every Indonesian name (and any character a koordinator
types) prints; no system font is needed.
"""

from __future__ import annotations

from datetime import datetime
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.dateparse_words import MONTH_NAMES_ID
from kkgbot.db.models import Kkg
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.notify import when_text
from kkgbot.meetings.remarks import remark
from kkgbot.meetings.rsvp import RosterRow, held, roster
from kkgbot.meetings.service import local, notes_file_name
from kkgbot.people import signatories
from kkgbot.people.signatories import Signatory

if TYPE_CHECKING:  # fpdf2 (and matplotlib, for its font) cost a second to import: the bot
    from fpdf import FPDF  # starts without them and loads them for the first PDF

PDF_MIME = "application/pdf"
LANG = "id"
# matplotlib's data folder (`matplotlib.get_data_path()`), found without importing it.
FONTS = Path(find_spec("matplotlib").origin).parent / "mpl-data" / "fonts" / "ttf"
# No, Nama, NIP, Sekolah, Keterangan, Tanda tangan (mm, A4 portrait: 180 between margins)
WIDTHS = (9, 48, 37, 40, 12, 34)


def t(key: str, **params: object) -> str:
    return i18n.t(LANG, f"exports.{key}", **params)


def _pdf() -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    return pdf


def _heading(pdf: FPDF, title: str, kkg: Kkg) -> None:
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(0, 8, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(0, 6, kkg.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, kkg.district.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _field(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(38, 6, label)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 6, f": {value}", new_x="LMARGIN", new_y="NEXT")


def _meeting_fields(pdf: FPDF, meeting: Meeting, kkg: Kkg) -> None:
    _field(pdf, t("pdf_activity"), meeting.title)
    _field(pdf, t("pdf_when"), when_text(meeting, kkg, LANG))
    _field(pdf, t("pdf_place"), meeting.place)
    _field(pdf, t("pdf_narasumber"), meeting.narasumber_name or "-")


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """The text cut to its cell (with room for the padding), so columns never overlap."""
    while text and pdf.get_string_width(text) > width - 2:
        text = text[:-1]
    return text


def _table(pdf: FPDF, rows: list[RosterRow], held: bool) -> None:
    pdf.set_font("DejaVu", "B", 9)
    heads = (t("pdf_no"), t("pdf_name"), t("pdf_nip"), t("pdf_school"), t("pdf_remark"),
             t("pdf_signature"))  # fmt: skip
    for width, head in zip(WIDTHS, heads, strict=True):
        pdf.cell(width, 8, head, border=1, align="C")
    pdf.ln()
    pdf.set_font("DejaVu", "", 9)
    for n, row in enumerate(rows, start=1):
        if pdf.will_page_break(10):
            pdf.add_page()
        pdf.cell(WIDTHS[0], 10, str(n), border=1, align="C")
        pdf.cell(WIDTHS[1], 10, _fit(pdf, row.name, WIDTHS[1]), border=1)
        pdf.cell(WIDTHS[2], 10, row.nip or "", border=1, align="C")
        pdf.cell(WIDTHS[3], 10, _fit(pdf, row.school or "", WIDTHS[3]), border=1)
        pdf.cell(WIDTHS[4], 10, remark(row, held), border=1, align="C")
        # Indonesian forms stagger the signature: odd numbers left, even numbers right.
        align = "L" if n % 2 else "C"
        pdf.cell(WIDTHS[5], 10, f"{n}. ......", border=1, align=align)
        pdf.ln()
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(0, 5, t("pdf_remark_legend"), new_x="LMARGIN", new_y="NEXT")


def _signed_by(pdf: FPDF, x: float, lines: list[str], who: Signatory, top: float) -> None:
    pdf.set_xy(x, top)
    pdf.set_font("DejaVu", "", 10)
    for line in lines:
        pdf.set_x(x)
        pdf.cell(80, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(16)
    pdf.set_x(x)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(80, 6, who.name or "....................", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(x)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(80, 6, f"NIP {who.nip or '....................'}", new_x="LMARGIN", new_y="NEXT")


async def _signature(pdf: FPDF, session: AsyncSession, meeting: Meeting, kkg: Kkg) -> None:
    """The "Mengetahui" block: the pengawas (or dinas, config/certificates.yaml) on the
    left, the ketua KKG with the place and day on the right, each with their NIP."""
    ketua, knows = await signatories.for_kkg(session, kkg)
    day = local(meeting.starts_at, kkg)
    if pdf.will_page_break(50):
        pdf.add_page()
    pdf.ln(6)
    top = pdf.get_y()
    _signed_by(pdf, pdf.l_margin, [t("pdf_knows"), f"{knows.title},"], knows, top)
    place = f"{kkg.district.name}, {day.day} {MONTH_NAMES_ID[day.month - 1]} {day.year}"
    _signed_by(pdf, pdf.w - pdf.r_margin - 80, [place, f"{ketua.title},"], ketua, top)


def _present(rows: list[RosterRow]) -> list[RosterRow]:
    return [r for r in rows if r.checked_in_at]


def _held(meeting: Meeting, now: datetime | None) -> bool:
    return held(meeting, now) if now is not None else meeting.ended_at is not None


async def attendance_pdf(
    session: AsyncSession, meeting: Meeting, kkg: Kkg, now: datetime | None = None
) -> bytes:
    """Daftar hadir: every member with NIP, school and Keterangan, a column to sign."""
    is_held = _held(meeting, now)
    rows = await roster(session, meeting, now)
    pdf = _pdf()
    _heading(pdf, t("pdf_attendance_title"), kkg)
    _meeting_fields(pdf, meeting, kkg)
    _field(
        pdf, t("pdf_count"), t("pdf_count_value", present=len(_present(rows)), members=len(rows))
    )
    pdf.ln(3)
    _table(pdf, rows, is_held)
    await _signature(pdf, session, meeting, kkg)
    return bytes(pdf.output())


async def activity_report_pdf(
    session: AsyncSession, meeting: Meeting, kkg: Kkg, now: datetime | None = None
) -> bytes:
    """Laporan kegiatan: what the meeting was, what it produced, who came (and signed).
    Only for a meeting held: /ekspor does not offer it before."""
    rows = await roster(session, meeting, now)
    present = _present(rows)
    pdf = _pdf()
    _heading(pdf, t("pdf_report_title"), kkg)
    _meeting_fields(pdf, meeting, kkg)
    _field(pdf, t("pdf_agenda"), meeting.agenda or "-")
    _field(pdf, t("pdf_jp"), str(meeting.jp))
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(0, 6, t("pdf_notes"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    notes = meeting.notes_text or t("pdf_no_notes")
    notes_file = await notes_file_name(session, meeting)
    if notes_file:  # the notulen are a file: the report says it goes with it
        notes = t("pdf_notes_file", name=notes_file)
    pdf.multi_cell(0, 6, notes, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 10)
    summary = t("pdf_count_value", present=len(present), members=len(rows))
    pdf.cell(0, 6, f"{t('pdf_attendance')}: {summary}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    _table(pdf, present, True)
    await _signature(pdf, session, meeting, kkg)
    return bytes(pdf.output())


def pdf_names(meeting: Meeting, kkg: Kkg) -> tuple[str, str]:
    day = local(meeting.starts_at, kkg).strftime("%Y-%m-%d")
    return (
        f"daftar-hadir-{day}-rapat-{meeting.id}.pdf",
        f"laporan-kegiatan-{day}-rapat-{meeting.id}.pdf",
    )
