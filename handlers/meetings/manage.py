"""The koordinator's meeting buttons: edit, cancel, notulen.

Each starts a short conversation from a button (`a:medit:<id>` etc.) and ends with the
house confirmation; members are told what changed, with an updated .ics.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime

from handlers.common import chosen_kkg
from handlers.meetings.access import load_meeting
from handlers.meetings.schedule import (
    check_end,
    checked,
    duration_options,
    overlap_warning,
    parse_narasumber,
    read_start,
)
from kkgbot.engine.commands import Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import (
    EndConversation,
    Flow,
    FlowRunner,
    Invalid,
    Option,
    Step,
    confirm_step,
)
from kkgbot.meetings import duration as meetings_duration
from kkgbot.meetings import notify as meetings_notify
from kkgbot.meetings import series as meetings_series
from kkgbot.meetings import service as meetings
from kkgbot.meetings.models import Meeting, MeetingSeries
from kkgbot.meetings.service import EDITABLE, ends_at

NOTES_MAX = 3500


async def _meeting(ctx: Ctx) -> Meeting:
    """The meeting of this conversation, still editable (not cancelled, not over)."""
    meeting = await meetings.get(ctx.session, ctx.data["meeting_id"])
    if meeting is None or meeting.cancelled_at is not None:
        ctx.say("meetings.is_cancelled", title=meeting.title if meeting else "")
        raise EndConversation
    return meeting


async def _begin(ctx: Ctx, args: str, *, must_be_upcoming: bool) -> bool:
    meeting, kkg = await load_meeting(ctx, [args], "meetings.manage")
    if meeting is None:
        return False
    if meeting.cancelled_at is not None:
        ctx.say("meetings.is_cancelled", title=meeting.title)
        return False
    if must_be_upcoming and ends_at(meeting) <= ctx.now:
        ctx.say("meetings.already_over", title=meeting.title)
        return False
    ctx.data.update(meeting_id=meeting.id, kkg_id=kkg.id)
    return True


def field_options(ctx: Ctx) -> list[Option]:
    return [Option(f, ctx.t(f"meetings.field_{f}").capitalize()) for f in EDITABLE]


def value_options(ctx: Ctx) -> list[Option]:
    if ctx.data["field"] in ("agenda", "narasumber"):
        return [Option("", ctx.t("meetings.clear_value"))]
    if ctx.data["field"] == "duration":
        return duration_options(ctx)
    return []


def ask_value(ctx: Ctx) -> str:
    return ctx.t(f"meetings.ask_new_{ctx.data['field']}")


async def parse_value(ctx: Ctx, value: str):
    field = ctx.data["field"]
    if field == "title":
        return checked(meetings.valid_title)(ctx, value)
    if field == "place":
        return checked(meetings.valid_place)(ctx, value)
    if field == "agenda":
        return checked(meetings.valid_agenda)(ctx, value) if value else None
    if field == "narasumber":
        return await parse_narasumber(ctx, value)
    meeting = await _meeting(ctx)
    if field == "duration":
        minutes = checked(meetings_duration.parse_duration)(ctx, value)
        if minutes == meeting.duration_minutes:
            raise Invalid("meetings.edit_same_duration")
        await check_end(ctx, meeting.starts_at, minutes)
        return minutes
    start, minutes = await read_start(ctx, value)
    minutes = minutes or meeting.duration_minutes
    if (start, minutes) == (meeting.starts_at, meeting.duration_minutes):
        raise Invalid("meetings.edit_same")
    await check_end(ctx, start, minutes)
    ctx.data["new_duration"] = minutes if minutes != meeting.duration_minutes else None
    return start.isoformat()


async def describe(ctx: Ctx, meeting: Meeting, field: str, value) -> str:
    kkg = await chosen_kkg(ctx)
    return meetings_notify.describe_value(field, value, meeting, kkg, ctx.lang)


def current(meeting: Meeting, field: str):
    return {
        "title": meeting.title,
        "when": (meeting.starts_at, meeting.duration_minutes),
        "duration": meeting.duration_minutes,
        "place": meeting.place,
        "agenda": meeting.agenda,
        "narasumber": meeting.narasumber_name,
    }[field]


def new_value(ctx: Ctx):
    """The answer as the service takes it; a new time is (start, minutes) for the notices."""
    field, value = ctx.data["field"], ctx.data["value"]
    if field != "when":
        return value
    return datetime.fromisoformat(value), ctx.data.get("new_duration")


async def edit_summary(ctx: Ctx) -> str:
    meeting = await _meeting(ctx)
    field = ctx.data["field"]
    start, minutes = meeting.starts_at, meeting.duration_minutes
    if field == "when":
        start, new_minutes = new_value(ctx)
        minutes = new_minutes or minutes
        shown = (start, minutes)
    else:
        shown = new_value(ctx)
        minutes = shown if field == "duration" else minutes
    old = await describe(ctx, meeting, field, current(meeting, field))
    new = await describe(ctx, meeting, field, shown)
    lines = [ctx.t("meetings.edit_confirm", title=meeting.title,
                   what=ctx.t(f"meetings.field_{field}"), old=old, new=new)]  # fmt: skip
    if field in ("when", "duration"):
        warning = await overlap_warning(ctx, [start], minutes, exclude_id=meeting.id)
        if warning:
            lines.append(warning)
    lines.append(ctx.t("meetings.edit_question"))
    return "\n".join(lines)


class EditFlow(Flow):
    name = "meeting_edit"
    oneline = False
    steps = [
        Step("field", "meetings.ask_field", options=field_options),
        Step("value", ask_value, options=value_options, free_text=True, parse=parse_value),
        confirm_step(edit_summary),
    ]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        return await _begin(ctx, args, must_be_upcoming=True)

    async def finish(self, ctx: Ctx) -> None:
        meeting = await _meeting(ctx)
        kkg = await chosen_kkg(ctx)
        field = ctx.data["field"]
        old = current(meeting, field)
        value = new_value(ctx)
        if field == "narasumber" and value:
            value = (value["name"], value["person_id"])
        if field == "when":
            value, minutes = value
            if minutes:  # an end written with the new start: one change, both fields
                await meetings.update(
                    ctx.session, meeting, "duration", minutes, now=ctx.now, actor_id=ctx.person.id
                )
        await meetings.update(
            ctx.session, meeting, field, value, now=ctx.now, actor_id=ctx.person.id
        )
        told = await meetings_notify.notify_changed(
            ctx.session, meeting, kkg, field=field, old=old, now=ctx.now,
            offsets=ctx.settings.reminder_offsets_hours, exclude=ctx.person.id,
        )  # fmt: skip
        ctx.say("meetings.edit_saved", told=told)


def scope_options(ctx: Ctx) -> list[Option]:
    return [
        Option("one", ctx.t("meetings.cancel_one")),
        Option("series", ctx.t("meetings.cancel_series")),
    ]


async def has_series(ctx: Ctx) -> bool:
    meeting = await _meeting(ctx)
    if meeting.series_id is None:
        return False
    return await meetings_series.count_in_series(ctx.session, meeting.series_id, ctx.now) > 1


async def cancel_summary(ctx: Ctx) -> str:
    meeting = await _meeting(ctx)
    kkg = await chosen_kkg(ctx)
    key = (
        "meetings.cancel_confirm_series"
        if ctx.data.get("scope") == "series"
        else "meetings.cancel_confirm"
    )
    return ctx.t(key, title=meeting.title, when=meetings_notify.when_text(meeting, kkg, ctx.lang))


class CancelFlow(Flow):
    name = "meeting_cancel"
    oneline = False
    steps = [
        Step("scope", "meetings.ask_cancel_scope", options=scope_options, when=has_series),
        confirm_step(cancel_summary),
    ]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        return await _begin(ctx, args, must_be_upcoming=True)

    async def finish(self, ctx: Ctx) -> None:
        meeting = await _meeting(ctx)
        kkg = await chosen_kkg(ctx)
        if ctx.data.get("scope") == "series" and meeting.series_id is not None:
            series_id = meeting.series_id
            cancelled = await meetings_series.cancel_series(
                ctx.session, series_id, now=ctx.now, actor_id=ctx.person.id
            )
            series = await ctx.session.get(MeetingSeries, series_id)
            told = await meetings_notify.notify_series_cancelled(
                ctx.session, series, cancelled, kkg, now=ctx.now, exclude=ctx.person.id
            )
            ctx.say("meetings.series_cancelled", count=len(cancelled), told=told)
            return
        await meetings.cancel(ctx.session, meeting, now=ctx.now, actor_id=ctx.person.id)
        told = await meetings_notify.notify_cancelled(
            ctx.session, meeting, kkg, now=ctx.now,
            offsets=ctx.settings.reminder_offsets_hours, exclude=ctx.person.id,
        )  # fmt: skip
        ctx.say("meetings.cancelled", title=meeting.title, told=told)


def clean_notes(ctx: Ctx, text: str) -> str:
    """Notes keep their line breaks; control characters and runs of spaces go."""
    text = unicodedata.normalize("NFC", str(text))
    lines = [
        " ".join("".join(ch for ch in line if unicodedata.category(ch)[0] != "C").split())
        for line in text.split("\n")
    ]
    notes = "\n".join(lines).strip()
    if len(notes) > NOTES_MAX:
        raise Invalid("meetings.notes_too_long", max=NOTES_MAX)
    if sum(1 for ch in notes if ch.isalnum()) < 5:
        raise Invalid("meetings.notes_invalid")
    return notes


def _notes_summary(ctx: Ctx) -> str:
    """The confirmation shows typed notes, or the name of the file that was sent."""
    notes = ctx.data["notes"]
    if isinstance(notes, dict):  # a file (Step.accepts_file)
        return ctx.t("meetings.notes_confirm_file", name=notes["name"])
    return ctx.t("meetings.notes_confirm", notes=notes[:300])


class NotesFlow(Flow):
    """Notulen as text, a link, or a file (PDF, photo of the handwritten notes...)."""

    name = "meeting_notes"
    oneline = False
    steps = [
        Step("notes", "meetings.ask_notes", parse=clean_notes, accepts_file=True),
        confirm_step(_notes_summary),
    ]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        if not await _begin(ctx, args, must_be_upcoming=False):
            return False
        meeting = await _meeting(ctx)
        if meeting.starts_at > ctx.now:
            ctx.say("meetings.notes_not_yet")
            return False
        return True

    async def finish(self, ctx: Ctx) -> None:
        meeting = await _meeting(ctx)
        notes = ctx.data["notes"]
        upload = notes if isinstance(notes, dict) else None
        await meetings.set_notes(
            ctx.session,
            meeting,
            text=None if upload else notes,
            file_id=upload["file_id"] if upload else None,
            now=ctx.now,
            actor_id=ctx.person.id,
        )
        ctx.say("meetings.notes_saved", title=meeting.title)


def register(registry: Registry) -> None:
    runner = FlowRunner(registry.flows)
    for name, flow in (("medit", EditFlow()), ("mcancel", CancelFlow()), ("mnotes", NotesFlow())):
        registry.flow(flow)

        async def start(ctx: Ctx, args: list[str], flow: Flow = flow) -> None:
            await runner.start(ctx, flow, args[0] if len(args) == 1 else "")

        registry.action(name, start)
