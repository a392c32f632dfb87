"""`python -m bench.certificates`: how long a certificate PDF takes to draw, and its size.

A teacher waits for /sertifikat in the chat, and a koordinator may ask for the semester
summaries of a whole KKG; the figure to watch is the time per certificate against a
baseline of a bare one-page PDF in the same font (fpdf2's own cost), so the ratio shows
what the QR code, the logo-less layout and the summary table add.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime, timedelta

from kkgbot.certificates.models import Certificate
from kkgbot.certificates.pdf import certificate_pdf
from kkgbot.certificates.service import SemesterLine
from kkgbot.db.models import District, Kkg, Person
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.spj_pdf import FONTS
from kkgbot.people.signatories import Signatory

NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)


def _bare() -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "", 12)
    for line in ("SERTIFIKAT KEHADIRAN", "Ni Made Ayu Lestari", "Literasi Dasar, 2 JP"):
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _certificate(lines: int) -> bytes:
    kkg = Kkg(id=1, name="KKG Gugus 1 Mataram", timezone="Asia/Makassar")
    kkg.district = District(id=1, name="Kota Mataram")
    person = Person(id=1, name="Ni Made Ayu Lestari", school="SDN 1 Mataram",
                    nip="198503122010012015")  # fmt: skip
    meetings = [
        Meeting(id=i, kkg_id=1, title=f"Literasi kelas awal, bagian {i}",
                starts_at=NOW - timedelta(days=14 * i), duration_minutes=120, jp=2)
        for i in range(1, lines + 1)
    ]  # fmt: skip
    cert = Certificate(code="ACDEFGHJKMNP", kind="semester" if lines else "meeting",
                       person_id=1, meeting_id=None if lines else 1,
                       semester="2026/2027-1" if lines else None, jp=2 * max(lines, 1),
                       meetings=max(lines, 1), issued_at=NOW)  # fmt: skip
    return certificate_pdf(
        cert=cert, person=person, kkg=kkg, lang="id",
        attended_text="atas kehadirannya dalam kegiatan KKG \"Literasi Dasar\" pada 1 Desember 2026, sebanyak 2 JP.",
        lines=[SemesterLine(m, kkg, 2, None) for m in meetings],
        signed=(Signatory("Ketua KKG", "Rahmawati", None),
                Signatory("Pengawas Sekolah", "Lalu Hendra Wijaya", "196805121994031007")),
        issued_day=date(2026, 12, 1), public_url="https://kkg.example",
    )  # fmt: skip


def _time(make, n: int) -> tuple[float, int]:
    make()  # fonts loaded, imports done: the figure is the steady cost
    started = time.perf_counter()
    for _ in range(n):
        data = make()
    return (time.perf_counter() - started) / n * 1000, len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30)
    n = parser.parse_args().n
    base_ms, base_size = _time(_bare, n)
    rows = [("bare page (baseline)", base_ms, base_size)]
    rows.append(("certificate, one meeting", *_time(lambda: _certificate(0), n)))
    rows.append(("semester summary, 12 meetings", *_time(lambda: _certificate(12), n)))
    print(f"{'what':<32} {'ms/pdf':>8} {'ratio':>6} {'kB':>6}")
    for name, ms, size in rows:
        print(f"{name:<32} {ms:>8.1f} {ms / base_ms:>6.1f} {size / 1024:>6.1f}")


if __name__ == "__main__":
    main()
