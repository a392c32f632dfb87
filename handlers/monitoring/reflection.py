"""The reflection on a meeting in chat: its buttons, and the short conversations for what
is typed or sent (the teacher's own practice, what got in the way, support, a photo).

Buttons are standalone (`a:rf:<meeting>:<stage>:<n>`, see kkgbot/monitoring/reflections)
so they work for the 7 days each moment is open; a step that takes free text or a photo
is a small flow, so that whatever comes next is taken as the answer.
"""

from __future__ import annotations

from kkgbot.db.models import Kkg
from kkgbot.delivery import questions
from kkgbot.engine.commands import Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow, FlowRunner, Invalid, Option, Step, read_option, skip_option
from kkgbot.meetings.models import Meeting
from kkgbot.messages import Action
from kkgbot.monitoring import evidence, reflections
from kkgbot.monitoring.models import Reflection
from kkgbot.monitoring.reflections import OTHER, ReflectionError
from kkgbot.numbers import small_number
from kkgbot.understanding.text import looks_like_words, tokens_of

SKIP = "skip"
STAGES = ("p", "u", "t", "s", "b")
_runner: FlowRunner | None = None


async def _meeting_and_kkg(ctx: Ctx, meeting_id: int) -> tuple[Meeting, Kkg]:
    meeting = await ctx.session.get(Meeting, meeting_id)
    assert meeting is not None
    kkg = await ctx.session.get(Kkg, meeting.kkg_id)
    assert kkg is not None
    return meeting, kkg


async def ask_next(ctx: Ctx, row: Reflection, note: str | None = None) -> None:
    """The question the person's report for this meeting is waiting for."""
    meeting, kkg = await _meeting_and_kkg(ctx, row.meeting_id)
    label = reflections.meeting_label(meeting, kkg, ctx.lang)
    if reflections.followup_open(row, ctx.now):
        if row.tried_at is None:
            ctx.reply(
                reflections.tried_question(row, meeting, kkg, ctx.lang, head=note),
                reflections.tried_choices(meeting.id, ctx.lang),
            )
        elif row.tried and row.student_response is None:
            parts = [p for p in (note, label, ctx.t("monitoring.rf_q_students")) if p]
            ctx.reply("\n\n".join(parts), reflections.students_choices(meeting.id, ctx.lang))
        else:
            ctx.say("monitoring.rf_done", meeting=label)
    elif not (row.plan_practice or row.plan_text):
        ctx.reply(
            reflections.plan_question(meeting, kkg, ctx.lang, head=note),
            reflections.plan_choices(meeting, ctx.lang),
        )
    elif row.useful is None:
        parts = [p for p in (note, label, ctx.t("monitoring.rf_q_useful")) if p]
        ctx.reply("\n\n".join(parts), reflections.useful_choices(meeting.id, ctx.lang))
    else:
        ctx.say("monitoring.rf_done", meeting=label)


def _parse(args: list[str]) -> tuple[int, str | None, int | None] | None:
    meeting_id = small_number(args[0]) if args else None
    if meeting_id is None:
        return None
    if len(args) == 1:
        return meeting_id, None, None
    if len(args) == 3 and args[1] in STAGES and (value := small_number(args[2], 1)) is not None:
        return meeting_id, args[1], value
    return None


async def reflection_action(ctx: Ctx, args: list[str]) -> None:
    parsed = _parse(args)
    if parsed is None:
        ctx.say("common.stale_button")
        return
    meeting_id, stage, value = parsed
    assert _runner is not None
    s, pid, now = ctx.session, ctx.person.id, ctx.now
    try:
        if stage is None:
            await ask_next(ctx, await reflections.current_row(s, meeting_id, pid, now))
        elif stage == "p":
            row = await reflections.set_plan(s, meeting_id, pid, value or 0, now)
            if value == 0:
                await _runner.start(ctx, PLAN, str(meeting_id))
            elif row.useful is None:
                await ask_next(ctx, row, ctx.t("monitoring.rf_plan_saved"))
            else:
                ctx.say("monitoring.rf_plan_changed", plan=reflections.plan_label(row, ctx.lang))
        elif stage == "u":
            row = await reflections.set_useful(s, meeting_id, pid, value or 0, now)
            if row.answered_at is None:
                await ask_next(ctx, row)
            else:
                await _runner.start(ctx, SUPPORT, str(meeting_id))
        elif stage == "t":
            if value not in (0, 1):
                raise ReflectionError("monitoring.rf_pick_tried")
            row = await reflections.set_tried(s, meeting_id, pid, value == 1, now)
            if row.tried:
                await ask_next(ctx, row)
            else:
                ctx.reply(
                    ctx.t("monitoring.rf_q_barrier"),
                    reflections.barrier_choices(meeting_id, ctx.lang),
                )
        elif stage == "s":
            await reflections.set_students(s, meeting_id, pid, value or 0, now)
            await _runner.start(ctx, PHOTO, str(meeting_id))
        else:
            row = await reflections.set_barrier(s, meeting_id, pid, value or 0, now)
            if row.barrier == OTHER:
                await _runner.start(ctx, BARRIER, str(meeting_id))
            else:
                ctx.say("monitoring.rf_barrier_thanks")
    except ReflectionError as bad:
        ctx.say(bad.key, **bad.params)


# --- Small flows for what is typed or sent ------------------------------------------------


def _skip_options(ctx: Ctx) -> list[Option]:
    return [skip_option(ctx, SKIP, "monitoring.rf_skip")]


def _checked(clean):
    def parse(ctx: Ctx, value: object):
        if value == SKIP:
            return None
        try:
            return clean(str(value))
        except ReflectionError as bad:
            raise Invalid(bad.key, **bad.params) from bad

    return parse


class _OneStep(Flow):
    oneline = False

    async def begin(self, ctx: Ctx, args: str) -> bool:
        ctx.data["meeting_id"] = int(args)
        return True


class PlanFlow(_OneStep):
    """The teacher writes the practice they will try."""

    name = "reflection_plan"
    steps = [Step("plan", "monitoring.rf_q_plan_text", parse=_checked(reflections.clean_plan),
                  free_text=True)]  # fmt: skip

    async def finish(self, ctx: Ctx) -> None:
        mid = ctx.data["meeting_id"]
        try:
            row = await reflections.set_plan_text(
                ctx.session, mid, ctx.person.id, ctx.data["plan"], ctx.now
            )
        except ReflectionError as bad:
            ctx.say(bad.key, **bad.params)
            return
        if row.useful is None:
            await ask_next(ctx, row, ctx.t("monitoring.rf_plan_saved"))
        else:
            ctx.say("monitoring.rf_plan_changed", plan=row.plan_text)


class BarrierFlow(_OneStep):
    """What got in the way, in the teacher's words."""

    name = "reflection_barrier"
    steps = [Step("barrier", "monitoring.rf_q_barrier_text", options=_skip_options,
                  parse=_checked(reflections.clean_plan), free_text=True)]  # fmt: skip

    async def finish(self, ctx: Ctx) -> None:
        text = ctx.data["barrier"]
        if text:
            try:
                await reflections.set_barrier_text(
                    ctx.session, ctx.data["meeting_id"], ctx.person.id, text, ctx.now
                )
            except ReflectionError as bad:
                ctx.say(bad.key, **bad.params)
                return
        ctx.say("monitoring.rf_barrier_thanks")


def _photo_parse(ctx: Ctx, value: object) -> None:
    if value == SKIP:
        return None
    raise Invalid("monitoring.rf_photo_or_skip")


class PhotoFlow(_OneStep):
    """An optional photo of student work (bukti karya), sent with the rules it is kept by."""

    name = "reflection_photo"
    steps = [Step("photo", "monitoring.rf_q_photo", options=_skip_options, parse=_photo_parse,
                  accepts_file=True)]  # fmt: skip

    async def finish(self, ctx: Ctx) -> None:
        photo: dict | None = ctx.data["photo"]
        if photo is None:
            ctx.say("monitoring.rf_done_tried")
            return
        try:
            await evidence.attach_photo(
                ctx.session, ctx.data["meeting_id"], ctx.person.id, photo["file_id"], ctx.now
            )
        except ReflectionError as bad:
            ctx.say(bad.key, **bad.params)
            return
        ctx.say("monitoring.rf_photo_saved")


# --- The optional support question (first moment) ---------------------------------------


def _support_prompt(ctx: Ctx) -> str:
    """The thanks for the answers so far only the first time; a re-ask is the question alone."""
    again = ctx.data.get("asked", False)
    ctx.data["asked"] = True
    return ctx.t("monitoring.rf_q_support_again" if again else "monitoring.rf_q_support")


class SupportFlow(_OneStep):
    name = "reflection_support"
    steps = [Step("support", _support_prompt, options=_skip_options,
                  parse=_checked(reflections.clean_support), free_text=True)]  # fmt: skip

    async def finish(self, ctx: Ctx) -> None:
        meeting_id, text = ctx.data["meeting_id"], ctx.data["support"]
        try:
            await reflections.set_support(ctx.session, meeting_id, ctx.person.id, text, ctx.now)
        except ReflectionError as bad:
            ctx.say(bad.key, **bad.params)
            return
        if text:
            ctx.say("monitoring.rf_done_support")
        else:
            ctx.say("monitoring.rf_done_first")


PLAN, BARRIER, PHOTO, SUPPORT = PlanFlow(), BarrierFlow(), PhotoFlow(), SupportFlow()


def register(registry: Registry, runner: FlowRunner) -> None:
    global _runner
    _runner = runner
    for flow in (PLAN, BARRIER, PHOTO, SUPPORT):
        registry.flow(flow)
    registry.action("rf", reflection_action)
    registry.text_hook(typed_plan)


async def typed_plan(ctx: Ctx, text: str) -> bool:
    """ "Saya mau coba kartu huruf bergambar", typed to "what will you try in class?" while
    that is the newest question waiting: the teacher's own plan, without pressing "Tulis
    sendiri" first. A listed practice, a number, a command or a short word is left to the
    ordinary reading (it may answer that question or another)."""
    if text.lstrip().startswith("/") or not ctx.person.onboarded_at:
        return False
    waiting = await questions.open_for(ctx.session, ctx.person.id, ctx.now)
    newest = next((q for q in waiting if q.answered_at is None), None)
    first = Action.parse((newest.choices or [{}])[0].get("data", "")) if newest else None
    if first is None or first.name != "rf" or len(first.args) < 2 or first.args[1] != "p":
        return False
    ws = tokens_of(text)
    options = [Option(i, c.get("label", "")) for i, c in enumerate(newest.choices or [])]
    if (
        ws.asks
        or len(ws.tokens) < 3
        or not looks_like_words(ws.tokens)
        or read_option(text, options)
    ):
        return False
    meeting_id = small_number(first.args[0])
    if meeting_id is None:
        return False
    try:
        row = await reflections.set_plan_text(ctx.session, meeting_id, ctx.person.id, text, ctx.now)
    except ReflectionError as bad:
        ctx.say(bad.key, **bad.params)
        return True
    await questions.mark_answered(ctx.session, ctx.person.id, newest.key, ctx.now)
    await ask_next(ctx, row, ctx.t("monitoring.rf_plan_saved"))
    return True
