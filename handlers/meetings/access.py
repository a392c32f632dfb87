"""Who may see or act on a meeting from a button: the checks every meeting action shares.

Buttons bypass the router's command check (an old button may outlive a role), so each
meeting action checks here, against the meeting's own KKG, before doing anything.
"""

from __future__ import annotations

from kkgbot.db.models import Kkg
from kkgbot.engine.context import Ctx
from kkgbot.meetings import service as meetings
from kkgbot.meetings.calendar_feed import ICS_MIME, ics_name, meeting_ics
from kkgbot.meetings.models import Meeting
from kkgbot.numbers import small_number
from kkgbot.people import roles
from kkgbot.people.messaging import store_file


async def kkgs_for(ctx: Ctx, action: str) -> list[Kkg]:
    """KKGs the person may perform `action` in; an admin's are those of their district."""
    return await roles.kkgs_in_scope(ctx.session, ctx.person.id, action)


async def viewer_kkgs(ctx: Ctx) -> list[Kkg]:
    return await kkgs_for(ctx, "meetings.list")


async def member_kkgs(ctx: Ctx) -> list[Kkg]:
    return await roles.member_kkgs(ctx.session, ctx.person.id)


async def can(ctx: Ctx, action: str, kkg_id: int) -> bool:
    return kkg_id in {k.id for k in await kkgs_for(ctx, action)}


def meeting_arg(args: list[str]) -> int | None:
    return small_number(args[0]) if args else None


async def load_meeting(
    ctx: Ctx, args: list[str], action: str
) -> tuple[Meeting, Kkg] | tuple[None, None]:
    """The meeting a button names, if it exists and the person may `action` it; else says why."""
    meeting_id = meeting_arg(args)
    meeting = await meetings.get(ctx.session, meeting_id) if meeting_id is not None else None
    if meeting is None:
        ctx.say("common.stale_button")
        return None, None
    if not await can(ctx, action, meeting.kkg_id):
        ctx.say("meetings.not_allowed")
        return None, None
    kkg = await ctx.session.get(Kkg, meeting.kkg_id)
    assert kkg is not None
    return meeting, kkg


async def reply_ics(ctx: Ctx, meeting: Meeting, kkg: Kkg, text: str) -> None:
    data = meeting_ics(
        meeting, kkg, lang=ctx.lang, offsets_hours=ctx.settings.reminder_offsets_hours, now=ctx.now
    )
    file_id = await store_file(ctx.session, ics_name(meeting), ICS_MIME, data, ctx.now)
    ctx.reply(text, file_id=file_id, file_name=ics_name(meeting))


def reason_label(ctx: Ctx, kind: str, text: str | None) -> str:
    """ "Sakit: saya lagi demam": the kind the koordinator counts and the person's own words
    (only the words when the kind is "lain", which says nothing more)."""
    label = ctx.t(f"meetings.reason_{kind}")
    if not text:
        return label
    return text if kind == "lain" else f"{label}: {text}"
