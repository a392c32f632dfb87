"""/rapat and the meeting buttons every member uses: details, RSVP, the decline reason.

RSVP buttons are standalone actions (`a:rsvp:<meeting>:<answer>`) rather than
conversation steps, so the buttons under an old announcement or reminder keep working and
pressing one twice only says the answer is already recorded.
"""

from __future__ import annotations

from handlers.meetings.access import (
    can,
    load_meeting,
    member_kkgs,
    reason_label,
    reply_ics,
    viewer_kkgs,
)
from kkgbot.db import audit
from kkgbot.db.models import Kkg
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow, FlowRunner, Invalid, Option, Step
from kkgbot.meetings import calendar_feed
from kkgbot.meetings import notify as meetings_notify
from kkgbot.meetings import rsvp as meetings_rsvp
from kkgbot.meetings import service as meetings
from kkgbot.meetings.models import RSVP_ANSWERS, RSVP_NO, Meeting
from kkgbot.meetings.notify import answer_label, card, short_when
from kkgbot.meetings.service import MeetingError, ends_at
from kkgbot.messages import Choice
from kkgbot.numbers import small_number
from kkgbot.people.identities import clean_text
from kkgbot.polls import workplan
from kkgbot.understanding.reading import content_words, numbers_of
from kkgbot.understanding.reasons import has_reason, reason_kind, reason_kinds
from kkgbot.understanding.text import looks_like_words, tokens_of

REASONS = ("izin", "sakit", "tugas")


def _line(ctx: Ctx, meeting: Meeting, kkg: Kkg, many: bool) -> str:
    prefix = f"{kkg.name} · " if many else ""
    return f"{prefix}{meeting.title} — {short_when(meeting, kkg, ctx.lang)} — {meeting.place}"


async def show_list(ctx: Ctx, args: str) -> None:
    """Upcoming meetings with the person's answer; leaders also see past attendance."""
    kkgs = await viewer_kkgs(ctx)
    if not kkgs:
        ctx.say("common.no_kkg")
        return
    by_id = {k.id: k for k in kkgs}
    mine = {k.id for k in await member_kkgs(ctx)}
    leading = {k.id for k in kkgs if await can(ctx, "meetings.roster", k.id)}
    many = len(kkgs) > 1
    soon = await meetings.upcoming(ctx.session, list(by_id), ctx.now, limit=6)
    answers = await meetings_rsvp.answers_of(ctx.session, [m.id for m in soon], ctx.person.id)
    lines = [ctx.t("meetings.list_header")]
    choices = []
    for n, meeting in enumerate(soon, start=1):
        kkg = by_id[meeting.kkg_id]
        lines.append(f"{n}. {_line(ctx, meeting, kkg, many)}")
        if meeting.kkg_id in mine:
            lines.append(
                "   "
                + ctx.t(
                    "meetings.your_answer", answer=answer_label(answers.get(meeting.id), ctx.lang)
                )
            )
        choices.append(
            Choice.act(
                f"{meeting.title} · {short_when(meeting, kkg, ctx.lang)}"[:60], "mtg", meeting.id
            )
        )
    if not soon:
        lines.append(ctx.t("meetings.list_none"))
    for kkg in kkgs:
        plan = await workplan.work_plan(ctx.session, kkg.id)
        if plan:
            lines.append("")
            lines.append(ctx.t("meetings.workplan_header", kkg=kkg.name))
            lines += [f"• {entry.line(ctx.lang)}" for entry in plan[:8]]
    held = await meetings.past(ctx.session, list(by_id), ctx.now, limit=5)
    if held:
        lines.append("")
        lines.append(ctx.t("meetings.past_header"))
    for meeting in held:
        kkg = by_id[meeting.kkg_id]
        text = f"• {_line(ctx, meeting, kkg, many)}"
        if meeting.kkg_id in leading:
            present = await meetings_rsvp.present_count(ctx.session, meeting.id)
            total = len(await meetings_rsvp.member_ids(ctx.session, kkg.id))
            rate = round(100 * present / total) if total else 0
            text += " — " + ctx.t("meetings.past_rate", present=present, members=total, rate=rate)
        if meeting.notes_text or meeting.notes_file_id:
            text += " — " + ctx.t("meetings.past_has_notes")
        lines.append(text)
        if meeting.kkg_id in leading or meeting.notes_text or meeting.notes_file_id:
            choices.append(
                Choice.act(
                    f"{meeting.title} · {short_when(meeting, kkg, ctx.lang)}"[:60],
                    "mtg",
                    meeting.id,
                )
            )
    if ctx.settings.public_url and mine:
        token = await calendar_feed.feed_token(ctx.session, min(mine), ctx.now)
        url = ctx.settings.public_url.rstrip("/") + calendar_feed.feed_path(token)
        lines += ["", ctx.t("meetings.feed_line", url=url)]
    if choices:
        lines += ["", ctx.t("meetings.list_pick" if soon else "meetings.list_pick_past")]
    if ctx.settings.public_url and mine and await can(ctx, "meetings.manage", min(mine)):
        choices.append(Choice.act(ctx.t("web.feed_renew_button"), "feedrenew", min(mine)))
    ctx.reply("\n".join(lines), choices)


async def renew_feed(ctx: Ctx, args: list[str]) -> None:
    """A koordinator renews the KKG's calendar feed URL (issue 9): the old one stops working."""
    kkg_id = small_number(args[0]) if args else None
    kkg = await ctx.session.get(Kkg, kkg_id) if kkg_id is not None else None
    if kkg is None or not ctx.settings.public_url or not await can(ctx, "meetings.manage", kkg.id):
        ctx.say("common.stale_button")
        return
    token = await calendar_feed.renew_token(ctx.session, kkg.id, ctx.now)
    audit.record(
        ctx.session,
        at=ctx.now,
        action="calendar_feed.renew",
        actor_person_id=ctx.person.id,
        kkg_id=kkg.id,
    )
    url = ctx.settings.public_url.rstrip("/") + calendar_feed.feed_path(token)
    ctx.say("web.feed_renewed", kkg=kkg.name, url=url)


async def show_detail(ctx: Ctx, args: list[str]) -> None:
    meeting, kkg = await load_meeting(ctx, args, "meetings.list")
    if meeting is None:
        return
    member = kkg.id in {k.id for k in await member_kkgs(ctx)}
    manager = await can(ctx, "meetings.manage", kkg.id)
    leader = await can(ctx, "meetings.roster", kkg.id)
    lines = [card(meeting, kkg, ctx.lang)]
    if meeting.cancelled_at is not None:
        lines.append(ctx.t("meetings.detail_cancelled"))
    ended = ends_at(meeting) <= ctx.now
    if member and not ended:
        answer = (await meetings_rsvp.answers_of(ctx.session, [meeting.id], ctx.person.id)).get(
            meeting.id
        )
        lines.append(ctx.t("meetings.your_answer", answer=answer_label(answer, ctx.lang)))
    if manager and meetings_rsvp.window_open(meeting, ctx.now):
        lines.append(ctx.t("meetings.detail_code", code=meeting.checkin_code))
    if meeting.notes_text:
        lines += ["", ctx.t("meetings.notes_header"), meeting.notes_text]
    notes_file = await meetings.notes_file_name(ctx.session, meeting)
    if notes_file:
        lines += [
            "",
            ctx.t("meetings.notes_header"),
            ctx.t("meetings.notes_file_line", name=notes_file),
        ]
    choices: list[Choice] = []
    if notes_file:
        choices.append(Choice.act(ctx.t("meetings.button_notes_file"), "mnfile", meeting.id))
    live = meeting.cancelled_at is None
    if member and live and not ended:
        choices += meetings_notify.rsvp_choices(meeting.id, ctx.lang)
    if live and not ended:
        choices.append(Choice.act(ctx.t("meetings.button_ics"), "mics", meeting.id))
    if leader and live:
        choices.append(Choice.act(ctx.t("meetings.button_roster"), "mroster", meeting.id))
    if manager and live:
        if not ended:
            choices.append(Choice.act(ctx.t("meetings.button_edit"), "medit", meeting.id))
            choices.append(Choice.act(ctx.t("meetings.button_cancel"), "mcancel", meeting.id))
        if meeting.starts_at <= ctx.now:
            choices.append(Choice.act(ctx.t("meetings.button_notes"), "mnotes", meeting.id))
    ctx.reply("\n".join(lines), choices)


async def send_notes_file(ctx: Ctx, args: list[str]) -> None:
    """The notulen file, on request (a button under the meeting), to whoever may see it."""
    meeting, _kkg = await load_meeting(ctx, args, "meetings.list")
    if meeting is None:
        return
    name = await meetings.notes_file_name(ctx.session, meeting)
    if name is None:
        ctx.say("meetings.notes_file_gone", title=meeting.title)
        return
    ctx.reply(ctx.t("meetings.notes_file_caption", title=meeting.title),
              file_id=meeting.notes_file_id, file_name=name)  # fmt: skip


async def send_ics(ctx: Ctx, args: list[str]) -> None:
    meeting, kkg = await load_meeting(ctx, args, "meetings.list")
    if meeting is not None:
        await reply_ics(ctx, meeting, kkg, ctx.t("meetings.ics_caption", title=meeting.title))


def reason_options(ctx: Ctx) -> list[Option]:
    return [Option(r, ctx.t(f"meetings.reason_{r}")) for r in REASONS]


def parse_reason(ctx: Ctx, value: str) -> dict:
    if value in REASONS:
        return {"reason": value, "text": None}
    text = clean_text(str(value))
    if len(text) > 200:
        raise Invalid("meetings.reason_too_long", max=200)
    named = numbers_of(content_words(tokens_of(text).tokens))
    picked = sorted(set(named[0])) if named else []
    if len(picked) > 1 and all(1 <= n <= len(REASONS) for n in picked):  # "2, 3": which one?
        labels = [ctx.t(f"meetings.reason_{REASONS[n - 1]}") for n in picked]
        raise Invalid("common.which_one", choices=" / ".join(labels))
    kinds = reason_kinds(text)
    if {"sakit", "tugas"} <= set(kinds):  # "sakit, terus ada tugas juga": both, so which?
        labels = [ctx.t(f"meetings.reason_{k}") for k in ("sakit", "tugas")]
        raise Invalid("common.which_one", choices=" / ".join(labels))
    kind = kinds[0] if kinds else "lain"  # "lagi demam" is Sakit, 🤒 too; kept as typed
    if kind == "lain" and not looks_like_words(tokens_of(text).tokens):
        raise Invalid("meetings.reason_invalid")  # "jjjjjjj", "🙂🙂": no reason
    return {"reason": kind, "text": text}  # "lagi demam" is Sakit, kept as typed


class DeclineReasonFlow(Flow):
    """Asked right after "Tidak hadir"; the answer itself is already recorded."""

    name = "meeting_decline"
    oneline = False
    steps = [
        Step(
            "why",
            "meetings.ask_reason",
            options=reason_options,
            free_text=True,
            parse=parse_reason,
            takes_questions=False,
        )
    ]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        ctx.data["meeting_id"] = int(args)
        return True

    async def finish(self, ctx: Ctx) -> None:
        why = ctx.data["why"]
        saved = await meetings_rsvp.set_reason(
            ctx.session, ctx.data["meeting_id"], ctx.person.id, why["reason"], why["text"]
        )
        if not saved:
            ctx.say("meetings.reason_not_needed")
            return
        ctx.say("meetings.reason_saved", reason=reason_label(ctx, why["reason"], why["text"]))


async def _typed_reason(ctx: Ctx, meeting_id: int) -> bool:
    """The reason given in the same message as the answer, before it or after it; True when
    one was recorded (then nothing more is asked)."""
    if not ctx.typed_text:
        return False
    words = next(
        (
            clean_text(t)[:200]
            for t in (ctx.typed_rest, ctx.typed_before)
            if has_reason(t) and not tokens_of(t or "").asks  # a question is not a reason
        ),
        "",
    )
    kind = reason_kind(ctx.typed_text)
    if not words and kind == "lain":
        return False
    await meetings_rsvp.set_reason(ctx.session, meeting_id, ctx.person.id, kind, words or None)
    ctx.say("meetings.reason_saved", reason=reason_label(ctx, kind, words or None))
    return True


def register(registry: Registry) -> None:
    decline = registry.flow(DeclineReasonFlow())
    runner = FlowRunner(registry.flows)

    async def rsvp(ctx: Ctx, args: list[str]) -> None:
        if len(args) != 2 or args[1] not in RSVP_ANSWERS:
            ctx.say("common.stale_button")
            return
        meeting, kkg = await load_meeting(ctx, args[:1], "meetings.checkin")
        if meeting is None:
            return
        answer = args[1]
        try:
            previous = await meetings_rsvp.set_answer(
                ctx.session, meeting, ctx.person.id, answer, ctx.now
            )
        except MeetingError as bad:
            ctx.say(bad.key, **bad.params)
            return
        when = short_when(meeting, kkg, ctx.lang)
        label = answer_label(answer, ctx.lang)
        if previous == answer:
            ctx.say("meetings.rsvp_same", answer=label, title=meeting.title, when=when)
            row = await meetings_rsvp.rsvp_of(ctx.session, meeting.id, ctx.person.id)
            if answer != RSVP_NO or (row is not None and row.reason):
                return
        elif previous is None:
            ctx.say("meetings.rsvp_saved", answer=label, title=meeting.title, when=when)
        else:
            ctx.say("meetings.rsvp_changed", old=answer_label(previous, ctx.lang), answer=label,
                    title=meeting.title, when=when)  # fmt: skip
        if answer != RSVP_NO:
            return
        if await _typed_reason(ctx, meeting.id):  # "tidak bisa, anak saya sakit": no more asked
            return
        await runner.start(ctx, decline, str(meeting.id))

    registry.command(Command("rapat", "meetings", "meetings.list", run=show_list, order=31))
    registry.action("rsvp", rsvp)
    registry.action("mtg", show_detail)
    registry.action("mics", send_ics)
    registry.action("mnfile", send_notes_file)
    registry.action("feedrenew", renew_feed)
