"""/ekspor as a menu: the daftar hadir of a meeting (the meetings feature's export), the
scope's workbook of attendance, polls, reports and learning, and the SPJ PDFs of a meeting.

The meeting list comes first, as before, so a koordinator who wants today's daftar hadir
still types one number; the other exports follow it in the same list.
"""

from __future__ import annotations

from handlers.meetings.access import kkgs_for, load_meeting
from kkgbot.db.models import Kkg
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import EndConversation, Flow, Option, Step
from kkgbot.exports.scope_workbook import XLSX_MIME, file_name, scope_workbook
from kkgbot.meetings import rsvp as meetings_rsvp
from kkgbot.meetings import service as meetings
from kkgbot.meetings.attendance_sheet import XLSX_MIME as SHEET_MIME
from kkgbot.meetings.attendance_sheet import attendance_sheet
from kkgbot.meetings.attendance_sheet import file_name as sheet_name
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.notify import short_when
from kkgbot.meetings.spj_pdf import PDF_MIME, activity_report_pdf, attendance_pdf, pdf_names
from kkgbot.people.messaging import member_ids, store_file

REKAP, SPJ, ALL = "rekap", "spj", "all"
ACTION = "meetings.export"


async def _meetings(ctx: Ctx, kkg: Kkg) -> list[Option]:
    held = await meetings.past(ctx.session, [kkg.id], ctx.now, limit=8)
    soon = await meetings.upcoming(ctx.session, [kkg.id], ctx.now, limit=2)
    listed = sorted(
        {m.id: m for m in held + soon}.values(), key=lambda m: m.starts_at, reverse=True
    )
    return [Option(m.id, f"{m.title} · {short_when(m, kkg, ctx.lang)}"[:60]) for m in listed]


async def export_kkg_when(ctx: Ctx) -> bool:
    kkgs = await kkgs_for(ctx, ACTION)
    if not kkgs:
        ctx.say("common.no_kkg")
        raise EndConversation
    if len(kkgs) == 1:
        ctx.data["kkg_id"] = kkgs[0].id
        return False
    return True


async def kkg_options(ctx: Ctx) -> list[Option]:
    options = [Option(k.id, k.name) for k in await kkgs_for(ctx, ACTION)]
    if len(options) > 1:
        options.append(Option(ALL, ctx.t("exports.all_kkgs", count=len(options))))
    return options


async def _held(ctx: Ctx, kkg: Kkg) -> list[Option]:
    """Meetings held (over, not cancelled): the only ones with a laporan kegiatan and SPJ."""
    held = await meetings.past(ctx.session, [kkg.id], ctx.now, limit=8)
    return [
        Option(m.id, f"{m.title} · {short_when(m, kkg, ctx.lang)}"[:60])
        for m in held
        if meetings_rsvp.held(m, ctx.now)
    ]


async def menu_options(ctx: Ctx) -> list[Option]:
    options = []
    if ctx.data["kkg_id"] != ALL:
        kkg = await ctx.session.get(Kkg, ctx.data["kkg_id"])
        options = await _meetings(ctx, kkg)
        options.append(Option(REKAP, ctx.t("exports.menu_rekap")))
        if await _held(ctx, kkg):
            options.append(Option(SPJ, ctx.t("exports.menu_spj")))
        return options
    return [Option(REKAP, ctx.t("exports.menu_rekap"))]


async def menu_prompt(ctx: Ctx) -> str:
    if ctx.data["kkg_id"] == ALL:
        return ctx.t("exports.ask_menu")
    kkg = await ctx.session.get(Kkg, ctx.data["kkg_id"])
    if not await _meetings(ctx, kkg):
        return ctx.t("exports.ask_menu_no_meetings", kkg=kkg.name)
    return ctx.t("meetings.ask_export_meeting")


async def spj_options(ctx: Ctx) -> list[Option]:
    return await _held(ctx, await ctx.session.get(Kkg, ctx.data["kkg_id"]))


class ExportMenuFlow(Flow):
    name = "meeting_export"  # the name the meetings feature's conversation rows carry
    steps = [
        Step("kkg_id", "common.choose_kkg", options=kkg_options, when=export_kkg_when),
        Step("meeting_id", menu_prompt, options=menu_options),
        Step("spj_meeting_id", "exports.ask_spj_meeting", options=spj_options,
             when=lambda ctx: ctx.data.get("meeting_id") == SPJ),
    ]  # fmt: skip

    async def finish(self, ctx: Ctx) -> None:
        choice = ctx.data["meeting_id"]
        if choice == REKAP:
            await send_workbook(ctx)
        elif choice == SPJ:
            await send_pdfs(ctx, ctx.data["spj_meeting_id"])
        else:
            meeting, kkg = await load_meeting(ctx, [str(choice)], ACTION)
            if meeting is not None:
                await reply_sheet(ctx, meeting, kkg)


async def send_workbook(ctx: Ctx) -> None:
    allowed = await kkgs_for(ctx, ACTION)
    chosen = ctx.data["kkg_id"]
    kkgs = allowed if chosen == ALL else [k for k in allowed if k.id == chosen]
    if not kkgs:
        ctx.say("meetings.not_allowed")
        return
    data = await scope_workbook(ctx.session, kkgs, ctx.now, ctx.lang)
    name = file_name(kkgs, ctx.now)
    named = await member_ids(ctx.session, [k.id for k in kkgs])
    file_id = await store_file(ctx.session, name, XLSX_MIME, data, ctx.now, names=named)
    ctx.reply(ctx.t("exports.rekap_ready", count=len(kkgs)), file_id=file_id, file_name=name)


async def send_pdfs(ctx: Ctx, meeting_id: int) -> None:
    meeting, kkg = await load_meeting(ctx, [str(meeting_id)], ACTION)
    if meeting is None:
        return
    if not meetings_rsvp.held(meeting, ctx.now):  # an old button, or cancelled since
        ctx.say("exports.spj_not_held", title=meeting.title)
        return
    attendance_name, report_name = pdf_names(meeting, kkg)
    named = await member_ids(ctx.session, [kkg.id])
    data = await attendance_pdf(ctx.session, meeting, kkg, ctx.now)
    file_id = await store_file(ctx.session, attendance_name, PDF_MIME, data, ctx.now, names=named)
    ctx.reply(ctx.t("exports.pdf_attendance_ready", title=meeting.title), file_id=file_id,
              file_name=attendance_name)  # fmt: skip
    data = await activity_report_pdf(ctx.session, meeting, kkg, ctx.now)
    file_id = await store_file(ctx.session, report_name, PDF_MIME, data, ctx.now, names=named)
    ctx.reply(ctx.t("exports.pdf_report_ready", title=meeting.title), file_id=file_id,
              file_name=report_name)  # fmt: skip


async def reply_sheet(ctx: Ctx, meeting: Meeting, kkg: Kkg) -> None:
    data = await attendance_sheet(ctx.session, meeting, kkg, ctx.lang, ctx.now)
    name = sheet_name(meeting, kkg)
    named = await member_ids(ctx.session, [kkg.id])
    file_id = await store_file(ctx.session, name, SHEET_MIME, data, ctx.now, names=named)
    ctx.reply(ctx.t("meetings.export_ready", title=meeting.title), file_id=file_id, file_name=name)


async def export_button(ctx: Ctx, args: list[str]) -> None:
    """The roster's "daftar hadir" button: the sheet of that one meeting."""
    meeting, kkg = await load_meeting(ctx, args, ACTION)
    if meeting is not None:
        await reply_sheet(ctx, meeting, kkg)


def register(registry: Registry) -> None:
    registry.command(Command("ekspor", "export", ACTION, flow=ExportMenuFlow(), order=60))
    registry.action("mexport", export_button)
