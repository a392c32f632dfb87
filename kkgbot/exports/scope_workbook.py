"""The scope export: one workbook of attendance, polls, self-reports and learning.

One sheet per topic, for the KKGs a koordinator, pengawas or admin may export (and the
CLI's `admin export`). Column headings are in the reader's language; times in each
KKG's zone. The monitoring self-reports (issue 6) appear as figures per KKG once that
feature is installed; until then the sheet says there is no data yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # openpyxl is imported where a workbook is made: it slows start-up
    from openpyxl import Workbook

import io
import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg
from kkgbot.digest.period import term_bounds
from kkgbot.learning.figures import completion_figures
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.notify import answer_label
from kkgbot.meetings.rsvp import roster
from kkgbot.meetings.service import local
from kkgbot.monitoring.figures import monitoring_figures
from kkgbot.polls import results as polls_results
from kkgbot.polls.models import Poll

log = logging.getLogger(__name__)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HISTORY = timedelta(days=366)


def file_name(kkgs: list[Kkg], now: datetime) -> str:
    """Dated in the KKG's zone: at 07:00 WITA it is already today there, not yesterday."""
    stamp = local(now, kkgs[0]).strftime("%Y-%m-%d") if kkgs else now.strftime("%Y-%m-%d")
    if len(kkgs) == 1:
        return f"rekap-{kkgs[0].invite_code.lower()}-{stamp}.xlsx"
    return f"rekap-{len(kkgs)}-kkg-{stamp}.xlsx"


def _sheet(book: Workbook, title: str, head: list[str]):
    from openpyxl.styles import Font

    sheet = book.create_sheet(title[:31])
    sheet.append(head)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    return sheet


async def scope_workbook(session: AsyncSession, kkgs: list[Kkg], now: datetime, lang: str) -> bytes:
    """Attendance, polls, reports and learning of the KKGs, over the last year."""
    from openpyxl import Workbook

    c = lambda key, **kw: i18n.t(lang, f"exports.col_{key}", **kw)  # noqa: E731
    s = lambda key: i18n.t(lang, f"exports.sheet_{key}")  # noqa: E731
    yes, no = i18n.t(lang, "common.yes_button"), i18n.t(lang, "exports.no_word")
    book = Workbook()
    book.remove(book.active)
    meetings_sheet = _sheet(book, s("meetings"), [c("kkg"), c("date"), c("title"), c("place"),
                            c("narasumber"), c("members"), c("present"), c("jp"),
                            c("present_rate")])  # fmt: skip
    people_sheet = _sheet(book, s("attendance"), [c("kkg"), c("date"), c("title"), c("name"),
                          c("school"), c("rsvp"), c("present"), c("jp")])  # fmt: skip
    polls_sheet = _sheet(book, s("polls"), [c("kkg"), c("question"), c("deadline"), c("rank"),
                         c("option"), c("votes"), c("voters"), c("members")])  # fmt: skip
    lessons_sheet = _sheet(book, s("lessons"), [c("kkg"), c("name"), c("module"), c("lessons"),
                           c("given"), c("answered"), c("correct"), c("completed")])  # fmt: skip
    for kkg in kkgs:
        held = await session.scalars(
            select(Meeting)
            .where(
                Meeting.kkg_id == kkg.id,
                Meeting.cancelled_at.is_(None),
                Meeting.starts_at < now,
                Meeting.starts_at >= now - HISTORY,
            )
            .order_by(Meeting.starts_at)
        )
        for meeting in held:
            day = local(meeting.starts_at, kkg).strftime("%Y-%m-%d %H:%M")
            rows = await roster(session, meeting, now)
            present = [r for r in rows if r.checked_in_at]
            meetings_sheet.append([kkg.name, day, meeting.title, meeting.place,
                                   meeting.narasumber_name or "", len(rows), len(present),
                                   meeting.jp, len(present) / len(rows) if rows else 0])  # fmt: skip
            meetings_sheet.cell(meetings_sheet.max_row, 9).number_format = "0%"
            for r in rows:
                people_sheet.append([kkg.name, day, meeting.title, r.name, r.school or "",
                                     answer_label(r.answer, lang), yes if r.checked_in_at else no,
                                     r.jp])  # fmt: skip
        for poll in await session.scalars(
            select(Poll)
            .where(Poll.kkg_id == kkg.id, Poll.created_at >= now - HISTORY)
            .order_by(Poll.created_at)
        ):
            results = await polls_results.compute(session, poll)
            deadline = local(poll.deadline, kkg).strftime("%Y-%m-%d %H:%M")
            for rank, row in enumerate(results.rows, start=1):
                polls_sheet.append([kkg.name, poll.question, deadline, rank, row.title(lang),
                                    row.votes, results.voters, results.members])  # fmt: skip
        report = await completion_figures(session, kkg.id, now - HISTORY, now)
        for f in report.figures:
            lessons_sheet.append([kkg.name, f.name or "", f.module_title, f.lessons, f.given,
                                  f.answered, f.correct, yes if f.completed_at else no])  # fmt: skip
    await _reports_sheet(session, book, kkgs, now, lang)
    for sheet in book.worksheets:
        sheet.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _reports_sheet(session, book: Workbook, kkgs: list[Kkg], now: datetime, lang: str):
    """Self-reports as figures per KKG this term, as the digest counts them."""
    c = lambda key: i18n.t(lang, f"exports.col_{key}")  # noqa: E731
    sheet = _sheet(book, i18n.t(lang, "exports.sheet_reports"),
                   [c("kkg"), c("asked"), c("answered"), c("response_rate"), c("tried"),
                    c("student_response"), c("support"), c("pulse_answers"), c("pulse_share"),
                    c("standards")])  # fmt: skip
    if not kkgs:
        sheet.append([i18n.t(lang, "digest.no_data")])
        return
    zone = kkgs[0].timezone
    start, _ = term_bounds(now, zone)
    try:
        async with session.begin_nested():  # a failure must not abort the transaction
            found = await monitoring_figures(session, [k.id for k in kkgs], start, now)
    except Exception:
        log.exception("monitoring figures failed for the export of %d KKGs", len(kkgs))
        sheet.append([i18n.t(lang, "digest.no_data")])
        return
    for kkg in kkgs:
        m = found.get(kkg.id)
        if m is None:
            sheet.append([kkg.name])
            continue
        sheet.append([kkg.name, m.reflections_asked, m.reflections_answered, m.response_rate,
                      m.tried_share, m.mean_student_response, m.support_requests,
                      m.pulse_answers, m.pulse_share_4_5, m.standards_score])  # fmt: skip
        # shares are numbers a spreadsheet can sum, shown as percents (not 0.3333333)
        for column in (4, 5, 9):
            sheet.cell(sheet.max_row, column).number_format = "0%"
        sheet.cell(sheet.max_row, 6).number_format = "0.0"
