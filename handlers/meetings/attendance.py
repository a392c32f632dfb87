"""Attendance: /hadir KODE, the koordinator's roster and marking buttons, /ekspor.

Marking buttons carry the state they set (`a:mset:<meeting>:<person>:1` marks present,
`:0` takes it back), so pressing an old button twice changes nothing the second time.
"""

from __future__ import annotations

from handlers.meetings.access import can, load_meeting, reason_label
from kkgbot.db.models import Kkg, Person
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import EndConversation, Flow, Invalid, Step
from kkgbot.meetings import rsvp as meetings_rsvp
from kkgbot.meetings import service as meetings
from kkgbot.meetings.models import RSVP_MAYBE, RSVP_NO, RSVP_YES, Meeting
from kkgbot.meetings.notify import short_when
from kkgbot.meetings.rsvp import RosterRow
from kkgbot.meetings.service import MeetingError, local
from kkgbot.messages import Choice
from kkgbot.numbers import small_number
from kkgbot.understanding.codes import code_in


async def parse_code(ctx: Ctx, text: str) -> dict:
    code = code_in(str(text)) or str(text)  # "/hadir 376DBN bu, maaf tadi sinyal susah"
    try:
        done = await meetings_rsvp.check_in(ctx.session, ctx.person.id, code, ctx.now)
    except MeetingError as bad:
        if bad.key in ("meetings.code_wrong", "meetings.code_shape"):
            raise Invalid(bad.key, **bad.params) from bad
        ctx.say(bad.key, **bad.params)
        raise EndConversation from bad
    kkg = await ctx.session.get(Kkg, done.meeting.kkg_id)
    return {
        "title": done.meeting.title,
        "at": local(done.at, kkg).strftime("%H.%M" if ctx.lang == "id" else "%H:%M"),
        "jp": done.meeting.jp if done.jp is None else done.jp,
        "already": done.already,
        "late": done.late_minutes,
    }


class CheckinFlow(Flow):
    name = "meeting_checkin"
    steps = [Step("done", "meetings.ask_code", parse=parse_code)]

    async def finish(self, ctx: Ctx) -> None:
        checked_in_reply(ctx, ctx.data["done"])


def checked_in_reply(ctx: Ctx, done: dict) -> None:
    key = "meetings.checkin_already" if done["already"] else "meetings.checkin_saved"
    if done.get("late") and not done["already"]:
        key = "meetings.checkin_saved_late"
    ctx.say(key, title=done["title"], at=done["at"], jp=done["jp"], late=done.get("late"))


CHECKIN_WORDS = {
    "hadir", "hdr", "checkin", "check", "absen", "presensi", "kode", "kodenya", "code",
    "present", "here",
}  # fmt: skip


async def _part_of_a_code(ctx: Ctx, text: str) -> bool:
    """`376` alone while a check-in is open: part of a code, so say what a code looks like
    (rather than offering it to the koordinator as a message)."""
    word = text.strip()
    if not (3 <= len(word) <= 8 and word.isalnum() and sum(ch.isdigit() for ch in word) >= 2):
        return False
    if not await meetings_rsvp.has_open_window(ctx.session, ctx.person.id, ctx.now):
        return False
    ctx.say("meetings.code_shape")
    return True


async def typed_code(ctx: Ctx, text: str) -> bool:
    """A check-in typed as people do: `hadir 376DBN`, `Hadir bu, kodenya 376dbn`, `hadir pak
    376 d8n`, or the code alone while a check-in window is open. It gets the same answers as
    /hadir; `hadir` without a code is left to the RSVP or the /hadir command."""
    if ctx.person.onboarded_at is None:
        return False
    code = code_in(text)
    if code is None:
        return await _part_of_a_code(ctx, text)
    said = {w.strip(":.,!?").casefold() for w in text.split()}
    open_now = await meetings_rsvp.has_open_window(ctx.session, ctx.person.id, ctx.now)
    # With no check-in open, only a short message with a whole code is a check-in: a letter
    # saying "berhalangan hadir ... lomba FLS2N" is an answer to the RSVP, not a code.
    if not open_now and (not said & CHECKIN_WORDS or len(code) != 6 or len(said) > 12):
        return False
    try:
        done = await parse_code(ctx, code)
    except Invalid as bad:
        ctx.say(bad.key, **bad.params)
        return True
    except EndConversation:
        return True
    checked_in_reply(ctx, done)
    return True


def _names(rows: list[RosterRow], ctx: Ctx, with_reason: bool = False) -> str:
    if not rows:
        return "—"
    out = []
    for row in rows:
        name = row.name
        if with_reason and row.reason:
            name += f" ({reason_label(ctx, row.reason, row.reason_text)})"
        out.append(name)
    return ", ".join(out)


async def roster_text(ctx: Ctx, meeting: Meeting, kkg: Kkg) -> str:
    rows = await meetings_rsvp.roster(ctx.session, meeting)
    groups = {a: [r for r in rows if r.answer == a] for a in (RSVP_YES, RSVP_NO, RSVP_MAYBE)}
    silent = [r for r in rows if r.answer is None]
    present = [r for r in rows if r.checked_in_at]
    return "\n".join(
        [
            ctx.t("meetings.roster_header", title=meeting.title, when=short_when(meeting, kkg, ctx.lang)),
            ctx.t("meetings.roster_counts", yes=len(groups[RSVP_YES]), no=len(groups[RSVP_NO]),
                  maybe=len(groups[RSVP_MAYBE]), none=len(silent), present=len(present)),
            ctx.t("meetings.roster_yes", names=_names(groups[RSVP_YES], ctx)),
            ctx.t("meetings.roster_no", names=_names(groups[RSVP_NO], ctx, with_reason=True)),
            ctx.t("meetings.roster_maybe", names=_names(groups[RSVP_MAYBE], ctx)),
            ctx.t("meetings.roster_none", names=_names(silent, ctx)),
            ctx.t("meetings.roster_present", names=_names(present, ctx)),
        ]
    )  # fmt: skip


async def show_roster(ctx: Ctx, args: list[str]) -> None:
    meeting, kkg = await load_meeting(ctx, args, "meetings.roster")
    if meeting is None:
        return
    choices = []
    if await can(ctx, "meetings.manage", kkg.id) and meeting.cancelled_at is None:
        choices.append(Choice.act(ctx.t("meetings.button_mark"), "mmark", meeting.id))
    choices.append(Choice.act(ctx.t("meetings.button_export"), "mexport", meeting.id))
    ctx.reply(await roster_text(ctx, meeting, kkg), choices)


async def marking_reply(ctx: Ctx, meeting: Meeting, head: str = "") -> None:
    rows = await meetings_rsvp.roster(ctx.session, meeting)
    choices = [
        Choice.act(
            ("✅ " if r.checked_in_at else "▫️ ") + r.name[:50],
            "mset",
            meeting.id,
            r.person_id,
            0 if r.checked_in_at else 1,
        )
        for r in rows
    ]
    present = sum(1 for r in rows if r.checked_in_at)
    text = ctx.t("meetings.mark_help", title=meeting.title, present=present, members=len(rows))
    ctx.reply(f"{head}\n{text}" if head else text, choices)


async def show_marking(ctx: Ctx, args: list[str]) -> None:
    meeting, _ = await load_meeting(ctx, args, "meetings.manage")
    if meeting is None:
        return
    if meeting.cancelled_at is not None:
        ctx.say("meetings.is_cancelled", title=meeting.title)
        return
    if meeting.starts_at - meetings.CHECKIN_OPENS > ctx.now:
        ctx.say("meetings.roster_not_yet")
        return
    await marking_reply(ctx, meeting)


async def set_mark(ctx: Ctx, args: list[str]) -> None:
    person_id = small_number(args[1]) if len(args) == 3 else None
    if person_id is None or args[2] not in ("0", "1"):
        ctx.say("common.stale_button")
        return
    meeting, _ = await load_meeting(ctx, args[:1], "meetings.manage")
    if meeting is None:
        return
    person = await ctx.session.get(Person, person_id)
    rows = {r.person_id: r for r in await meetings_rsvp.roster(ctx.session, meeting)}
    if person is None or person.id not in rows or meeting.cancelled_at is not None:
        ctx.say("common.stale_button")
        return
    wanted, present = args[2] == "1", rows[person.id].checked_in_at is not None
    if wanted == present:
        key = "meetings.mark_already_present" if present else "meetings.mark_already_absent"
        await marking_reply(ctx, meeting, ctx.t(key, name=person.name))
        return
    try:
        now_present = await meetings_rsvp.toggle_attendance(
            ctx.session, meeting, person.id, by=ctx.person.id, now=ctx.now
        )
    except MeetingError as bad:
        ctx.say(bad.key, **bad.params)
        return
    key = "meetings.marked_present" if now_present else "meetings.marked_absent"
    await marking_reply(ctx, meeting, ctx.t(key, name=person.name))


def register(registry: Registry) -> None:
    registry.command(Command("hadir", "checkin", "meetings.checkin", flow=CheckinFlow(), order=32))
    registry.text_hook(typed_code)
    registry.glued("hadir", "checkin")  # /hadir376DBN
    registry.action("mroster", show_roster)
    registry.action("mmark", show_marking)
    registry.action("mset", set_mark)
