"""The certificate as a PDF: A4 landscape, logo, the person, what they attended and the JP,
the two signatures, and the verification code with its QR code.

It says plainly that it is the KKG's certificate of attendance and not an official PKB
credit: a teacher must not be misled into filing it as one. fpdf2 draws it with the same
DejaVu font as the SPJ papers; segno makes the QR code without Pillow.
"""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING

from kkgbot import i18n
from kkgbot.certificates.models import Certificate
from kkgbot.certificates.service import SemesterLine, shown_code
from kkgbot.certificates.wording import day_text
from kkgbot.db.models import Kkg, Person
from kkgbot.meetings.service import local
from kkgbot.meetings.spj_pdf import FONTS
from kkgbot.people.signatories import Signatory, logo_path

if TYPE_CHECKING:
    from fpdf import FPDF

PDF_MIME = "application/pdf"


def verify_url(public_url: str | None, code: str) -> str | None:
    return f"{public_url.rstrip('/')}/verifikasi/{code}" if public_url else None


def file_name(cert: Certificate, day: date) -> str:
    if cert.semester:
        return f"sertifikat-jp-{cert.semester.replace('/', '-')}-{cert.code[:4]}.pdf"
    return f"sertifikat-{day:%Y-%m-%d}-rapat-{cert.meeting_id}.pdf"


def _qr_png(text: str) -> io.BytesIO:
    import segno

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=4, border=2)
    out.seek(0)
    return out


def _start() -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(18, 14, 18)
    pdf.add_page()
    return pdf


def _centred(pdf: FPDF, text: str, size: int, bold: bool = False, height: float = 8) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.multi_cell(0, height, text, align="C", new_x="LMARGIN", new_y="NEXT")


def _signature(pdf: FPDF, x: float, y: float, lines: list[str], who: Signatory, lang: str) -> None:
    pdf.set_xy(x, y)
    pdf.set_font("DejaVu", "", 10)
    for line in lines:
        pdf.set_x(x)
        pdf.cell(80, 5, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(16)
    pdf.set_x(x)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(80, 5, who.name or "....................", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.set_x(x)
    nip = who.nip or "...................."
    pdf.cell(80, 5, i18n.t(lang, "certificates.pdf_nip", nip=nip), align="C")


def certificate_pdf(
    *,
    cert: Certificate,
    person: Person,
    kkg: Kkg,
    lang: str,
    attended_text: str,
    lines: list[SemesterLine],
    signed: tuple[Signatory, Signatory],
    issued_day: date,
    public_url: str | None,
) -> bytes:
    """`attended_text`: what is certified ("Literasi Dasar, 1 Desember 2026: 2 JP");
    `lines`: a semester summary's meetings (empty for one meeting)."""

    def t(key: str, **params: object) -> str:
        return i18n.t(lang, f"certificates.{key}", **params)

    pdf = _start()
    logo = logo_path()
    if logo is not None:
        pdf.image(str(logo), x=18, y=12, h=22)
    _centred(pdf, t("pdf_title"), 22, bold=True, height=11)
    _centred(pdf, f"{kkg.name} · {kkg.district.name}", 12, height=7)
    pdf.ln(3)
    _centred(pdf, t("pdf_given_to"), 11, height=6)
    _centred(pdf, person.name or "—", 18, bold=True, height=10)
    details = [t("pdf_nip", nip=person.nip)] if person.nip else []
    details += [t("pdf_school", school=person.school)] if person.school else []
    if details:
        _centred(pdf, " · ".join(details), 10, height=6)
    pdf.ln(2)
    _centred(pdf, attended_text, 11, height=6)
    if lines:
        pdf.ln(2)
        widths = (12, 38, 150, 20)
        left = (pdf.w - sum(widths)) / 2
        pdf.set_font("DejaVu", "B", 9)
        pdf.set_x(left)
        for width, head in zip(
            widths, (t("pdf_no"), t("pdf_date"), t("pdf_activity"), "JP"), strict=True
        ):
            pdf.cell(width, 6, head, border=1, align="C")
        pdf.ln()
        pdf.set_font("DejaVu", "", 9)
        for n, line in enumerate(lines, start=1):
            pdf.set_x(left)
            day = local(line.meeting.starts_at, line.kkg).date()
            cells = (str(n), day_text(day, lang), line.meeting.title[:80], str(line.jp))
            for width, cell, align in zip(widths, cells, "CLLC", strict=True):
                pdf.cell(width, 6, cell, border=1, align=align)
            pdf.ln()
        pdf.set_x(left)
        pdf.set_font("DejaVu", "B", 9)
        pdf.cell(sum(widths[:3]), 6, t("pdf_total"), border=1, align="R")
        pdf.cell(widths[3], 6, str(cert.jp), border=1, align="C")
        pdf.ln()
    ketua, knows = signed
    y = max(pdf.get_y() + 6, 128)
    if y > pdf.h - 70:
        pdf.add_page()
        y = 20
    _signature(pdf, 30, y, [t("pdf_knows"), knows.title], knows, lang)
    place_day = f"{kkg.district.name}, {day_text(issued_day, lang)}"
    _signature(pdf, pdf.w - 110, y, [place_day, ketua.title], ketua, lang)
    # the verification block, bottom left: QR, code, address, and what this is not
    url = verify_url(public_url, cert.code)
    bottom = pdf.h - 40
    pdf.image(_qr_png(url or cert.code), x=18, y=bottom, w=28, h=28)
    pdf.set_xy(50, bottom + 2)
    pdf.set_font("DejaVu", "B", 9)
    pdf.cell(0, 5, t("pdf_code", code=shown_code(cert.code)), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    pdf.set_x(50)
    how = t("pdf_verify_url", url=url) if url else t("pdf_verify_chat", code=cert.code)
    pdf.cell(0, 5, how, new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(50)
    pdf.multi_cell(pdf.w - 68, 4.5, t("pdf_not_pkb"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
