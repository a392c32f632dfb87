"""The daftar hadir of a meeting as a spreadsheet, the form the dinas and schools file.

Column headings are in the reader's language; times in the KKG's zone. The columns a
bendahara looks for come first (No, Nama, NIP, Sekolah, Keterangan), then what the bot
knows besides, and a column to sign; figures are numbers, the attendance rate a percent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is imported where a workbook is made: it slows start-up
    pass

import io
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.notify import answer_label, when_text
from kkgbot.meetings.remarks import counts, remark
from kkgbot.meetings.rsvp import held, roster
from kkgbot.meetings.service import local

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = (
    "no",
    "name",
    "nip",
    "school",
    "remark",
    "rsvp",
    "reason",
    "checked_in",
    "method",
    "jp",
    "signature",
)


def file_name(meeting: Meeting, kkg: Kkg) -> str:
    day = local(meeting.starts_at, kkg).strftime("%Y-%m-%d")
    return f"daftar-hadir-{day}-rapat-{meeting.id}.xlsx"


async def attendance_sheet(
    session: AsyncSession, meeting: Meeting, kkg: Kkg, lang: str, now: datetime | None = None
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    def t(key: str, **params: object) -> str:
        return i18n.t(lang, f"meetings.{key}", **params)

    book = Workbook()
    sheet = book.active
    sheet.title = t("xlsx_sheet")[:31]
    sheet.append([t("xlsx_heading", title=meeting.title)])
    sheet.append([kkg.name])
    sheet.append([when_text(meeting, kkg, lang)])
    sheet.append([meeting.place])
    sheet.append([])
    sheet.append([t(f"xlsx_{c}") for c in COLUMNS])
    for cell in sheet[1] + sheet[6]:
        cell.font = Font(bold=True)
    rows = await roster(session, meeting, now)
    is_held = held(meeting, now) if now is not None else meeting.ended_at is not None
    for n, row in enumerate(rows, start=1):
        reason = ""
        if row.reason:
            reason = t(f"reason_{row.reason}")
            if row.reason_text:
                reason = f"{reason}: {row.reason_text}"
        checked = local(row.checked_in_at, kkg).strftime("%H:%M") if row.checked_in_at else ""
        sheet.append(
            [
                n,
                row.name,
                row.nip or "",
                row.school or "",
                remark(row, is_held),
                answer_label(row.answer, lang),
                reason,
                checked,
                t(f"xlsx_method_{row.method}") if row.method else "",
                row.jp,
                "",
            ]
        )
    present = sum(1 for r in rows if r.checked_in_at)
    sheet.append([])
    sheet.append([t("xlsx_total", present=present, members=len(rows))])
    sheet.append([t("xlsx_rate"), present / len(rows) if rows else 0])
    sheet.cell(sheet.max_row, 2).number_format = "0%"
    for code, count in counts(rows, is_held).items():
        sheet.append([t(f"xlsx_remark_{code}"), count])
    widths = (5, 28, 20, 26, 11, 14, 28, 12, 14, 6, 20)
    for letter, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
