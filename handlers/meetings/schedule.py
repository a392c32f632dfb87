"""/jadwal: a koordinator schedules a meeting, once or recurring, and every member is told.

`/jadwal Judul; 2026-12-05 09:00; Tempat; Agenda; Narasumber` does it in one line (2 hours
long, or `09:00-11:30` for another length); the conversation also asks how long it lasts
and whether it repeats. Dates are read by `kkgbot.dateparse` in the
KKG's zone, and every refusal says why. The summary is confirmed before anything is saved.
"""

from __future__ import annotations

from datetime import datetime

from handlers.common import chosen_kkg, kkg_step
from handlers.meetings.topic_step import TOPIC_STEP, topic_line
from kkgbot import dateparse_words as words
from kkgbot.dateparse import DateParseError, describe_local, parse_when
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow, Invalid, Option, Step, confirm_step, skip_option
from kkgbot.meetings import duration as meeting_length
from kkgbot.meetings import notify as meetings_notify
from kkgbot.meetings import series as meetings_series
from kkgbot.meetings import service as meetings
from kkgbot.meetings.calendar_feed import ICS_MIME, ics_name, meeting_ics
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.recurrence import HORIZON, Rule, occurrences, rules_for
from kkgbot.meetings.service import MeetingDraft, MeetingError
from kkgbot.people.messaging import store_file
from kkgbot.school_calendar import calendar as school_calendar


def checked(check):
    """A service validator as a step parser: its error becomes the person's explanation."""

    def parse(ctx: Ctx, text: str):
        try:
            return check(text)
        except MeetingError as bad:
            raise Invalid(bad.key, **bad.params) from bad

    return parse


async def read_start(ctx: Ctx, text: str) -> tuple[datetime, int | None]:
    """A start the person wrote, in the KKG's zone, and its length when they wrote an end
    too ("Sabtu depan 09.00-11.30"); None means no end was given."""
    kkg = await chosen_kkg(ctx)
    try:
        start_text, end_clock = meeting_length.split_range(str(text))
        parsed = parse_when(start_text, now=ctx.now, tz=kkg.timezone)
        meetings.check_ahead(parsed.utc, ctx.now)
        if end_clock is None:
            return parsed.utc, None
        return parsed.utc, meeting_length.minutes_until(parsed.utc, end_clock, kkg.timezone)
    except DateParseError as bad:
        understood = describe_local(bad.understood, ctx.lang) if bad.understood else ""
        raise Invalid(f"meetings.date_{bad.reason}", understood=understood) from bad
    except MeetingError as bad:
        raise Invalid(bad.key, **bad.params) from bad


async def check_end(ctx: Ctx, start: datetime, minutes: int) -> None:
    kkg = await chosen_kkg(ctx)
    try:
        meeting_length.check_end(start, minutes, kkg.timezone)
    except MeetingError as bad:
        params = dict(bad.params, duration=meeting_length.duration_text(minutes, ctx.lang))
        if ctx.lang != "id":
            params.update(
                start=params["start"].replace(".", ":"), end=params["end"].replace(".", ":")
            )
        raise Invalid(bad.key, **params) from bad


async def parse_start(ctx: Ctx, text: str) -> str:
    """The start as UTC ISO text; an end written with it fills the duration.

    Without an end, the one-line command takes the default length and the conversation
    asks next; either way a meeting that could not end by 22:00 is refused here.
    """
    start, minutes = await read_start(ctx, text)
    ctx.data.pop("duration", None)
    if minutes is not None:
        await check_end(ctx, start, minutes)
        ctx.data["duration"] = minutes
    elif ctx.data.get("_oneline"):
        await check_end(ctx, start, meetings.DEFAULT_MINUTES)
    else:
        await check_end(ctx, start, meeting_length.MIN_MINUTES)
    return start.isoformat()


def duration_options(ctx: Ctx) -> list[Option]:
    return [Option(m, meeting_length.duration_text(m, ctx.lang)) for m in meeting_length.CHOICES]


async def parse_duration(ctx: Ctx, value: str | int) -> int:
    minutes = checked(meeting_length.parse_duration)(ctx, value)
    await check_end(ctx, _start(ctx), minutes)
    return minutes


def skip_options(ctx: Ctx) -> list[Option]:
    return [skip_option(ctx)]


def parse_agenda(ctx: Ctx, text: str) -> str | None:
    return checked(meetings.valid_agenda)(ctx, text) if text else None


async def parse_narasumber(ctx: Ctx, text: str) -> dict | None:
    """A member of the KKG (matched by name) or anyone else's name, as written."""
    if not text:
        return None
    name = checked(meetings.valid_person_name)(ctx, text)
    member = await meetings.find_member_by_name(ctx.session, ctx.data["kkg_id"], name)
    if member is not None:
        return {"name": member.name, "person_id": member.id}
    return {"name": name, "person_id": None}


def _start(ctx: Ctx) -> datetime:
    return datetime.fromisoformat(ctx.data["when"])


async def repeat_options(ctx: Ctx) -> list[Option]:
    kkg = await chosen_kkg(ctx)
    rules = rules_for(meetings.local(_start(ctx), kkg))
    return [Option("", ctx.t("meetings.repeat_once"))] + [
        Option(r.key, ctx.t("meetings.repeat_rule", rule=meetings_notify.rule_text(r, ctx.lang)))
        for r in rules
    ]


def draft_from(ctx: Ctx) -> MeetingDraft:
    nara = ctx.data.get("narasumber") or {}
    return MeetingDraft(
        kkg_id=ctx.data["kkg_id"],
        title=ctx.data["title"],
        starts_at=_start(ctx),
        place=ctx.data["place"],
        agenda=ctx.data.get("agenda"),
        narasumber_name=nara.get("name"),
        narasumber_person_id=nara.get("person_id"),
        duration_minutes=ctx.data.get("duration") or meetings.DEFAULT_MINUTES,
    )


def preview(draft: MeetingDraft) -> Meeting:
    """An unsaved Meeting, only to render the card in the summary."""
    return Meeting(
        id=0,
        kkg_id=draft.kkg_id,
        title=draft.title,
        starts_at=draft.starts_at,
        duration_minutes=draft.duration_minutes,
        place=draft.place,
        agenda=draft.agenda,
        narasumber_name=draft.narasumber_name,
    )


async def overlap_warning(
    ctx: Ctx, starts: list[datetime], minutes: int, exclude_id: int | None = None
) -> str:
    """The first clash with another meeting of the KKG, as a warning line (or "")."""
    kkg = await chosen_kkg(ctx)
    for start in starts:
        clash = await meetings.overlapping(ctx.session, kkg.id, start, minutes, exclude_id)
        if clash:
            other = clash[0]
            return ctx.t(
                "meetings.overlap_warning",
                title=other.title,
                when=meetings_notify.short_when(other, kkg, ctx.lang),
            )
    return ""


async def holiday_note(ctx: Ctx, kkg, starts: list[datetime]) -> str:
    """A meeting on a holiday or in a break may still be held; the koordinator is told."""
    cal = await school_calendar.for_kkg(ctx.session, kkg)
    for start in starts:
        local = meetings.local(start, kkg).date()
        name = cal.off(local)
        if name is not None:
            months = words.MONTH_NAMES_ID if ctx.lang == "id" else words.MONTH_NAMES_EN
            when = f"{local.day} {months[local.month - 1]} {local.year}"
            return ctx.t("calendar.meeting_note", date=when, name=name)
    return ""


def series_starts(ctx: Ctx, kkg, rule: Rule) -> list[datetime]:
    start = _start(ctx)
    return occurrences(
        rule, kkg.timezone, meetings.local(start, kkg), ctx.now, max(ctx.now + HORIZON, start)
    )


async def summary(ctx: Ctx) -> str:
    kkg = await chosen_kkg(ctx)
    draft = draft_from(ctx)
    parts = [ctx.t("meetings.confirm_header"), meetings_notify.card(preview(draft), kkg, ctx.lang)]
    if topic := topic_line(ctx):
        parts.append(topic)
    starts = [draft.starts_at]
    if ctx.data.get("repeat"):
        rule = Rule.from_key(ctx.data["repeat"], meetings.local(draft.starts_at, kkg).time())
        starts = series_starts(ctx, kkg, rule)
        parts.append(
            ctx.t(
                "meetings.confirm_series",
                rule=meetings_notify.rule_text(rule, ctx.lang),
                count=len(starts),
            )
        )
    warning = await overlap_warning(ctx, starts, draft.duration_minutes)
    if warning:
        parts.append(warning)
    note = await holiday_note(ctx, kkg, starts)
    if note:
        parts.append(note)
    parts.append(ctx.t("meetings.confirm_question"))
    return "\n".join(parts)


class ScheduleFlow(Flow):
    name = "meeting_schedule"
    steps = [
        kkg_step("meetings.schedule"),
        Step("title", "meetings.ask_title", parse=checked(meetings.valid_title)),
        Step("when", "meetings.ask_when", parse=parse_start),
        Step(
            "duration",
            "meetings.ask_duration",
            options=duration_options,
            free_text=True,
            parse=parse_duration,
            from_line=False,
            when=lambda ctx: not ctx.data.get("_oneline") and not ctx.data.get("duration"),
        ),
        Step(
            "repeat",
            "meetings.ask_repeat",
            options=repeat_options,
            from_line=False,
            when=lambda ctx: not ctx.data.get("_oneline"),
        ),
        Step("place", "meetings.ask_place", parse=checked(meetings.valid_place)),
        Step(
            "agenda",
            "meetings.ask_agenda",
            options=skip_options,
            free_text=True,
            optional=True,
            parse=parse_agenda,
        ),
        Step(
            "narasumber",
            "meetings.ask_narasumber",
            options=skip_options,
            free_text=True,
            optional=True,
            parse=parse_narasumber,
        ),
        TOPIC_STEP,
        confirm_step(summary),
    ]

    async def finish(self, ctx: Ctx) -> None:
        kkg = await chosen_kkg(ctx)
        draft = draft_from(ctx)
        offsets = ctx.settings.reminder_offsets_hours
        key = meetings.code_key_for(ctx.settings)
        series = None
        if ctx.data.get("repeat"):
            rule = Rule.from_key(ctx.data["repeat"], meetings.local(draft.starts_at, kkg).time())
            series, created = await meetings_series.create_series(
                ctx.session, draft, rule, creator_id=ctx.person.id, now=ctx.now, code_key=key
            )
            meeting = created[0]
        else:
            created = []
            meeting = await meetings.create_meeting(
                ctx.session, draft, creator_id=ctx.person.id, now=ctx.now, code_key=key
            )
        for made in created or [meeting]:
            made.topic_id = ctx.data.get("topic")
        told = await meetings_notify.announce(
            ctx.session,
            meeting,
            kkg,
            now=ctx.now,
            offsets=offsets,
            exclude=ctx.person.id,
            series=series,
            upcoming=created,
        )
        data = meeting_ics(meeting, kkg, lang=ctx.lang, offsets_hours=offsets, now=ctx.now)
        file_id = await store_file(ctx.session, ics_name(meeting), ICS_MIME, data, ctx.now)
        text = "meetings.saved_series" if series else "meetings.saved"
        ctx.reply(
            ctx.t(text, title=meeting.title, count=len(created), told=told),
            file_id=file_id,
            file_name=ics_name(meeting),
        )


def register(registry: Registry) -> None:
    registry.command(
        Command("jadwal", "schedule", "meetings.schedule", flow=ScheduleFlow(), order=30)
    )
