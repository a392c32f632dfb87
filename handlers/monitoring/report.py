"""/laporan (/report) and the post-meeting reflection in chat.

`/laporan` opens what waits for the person: a teacher's pending reflections and pulse (one
opens at once, several come as a list), the koordinator's seven-standards self-assessment
(`handlers/monitoring_standards.py`), and for a pengawas the results and figures of the
KKGs they supervise, with the support requests by name (only they and the koordinator
see names).

The reflection's first two questions are standalone buttons (`a:rf:<meeting>:t:<0|1>`,
`a:rf:<meeting>:s:<1..5>`) that work for 7 days; the optional support question is a short
conversation so that whatever is typed next is taken as the answer.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.monitoring import pulse as monitoring_pulse
from handlers.monitoring import standards as monitoring_standards
from kkgbot.db.models import Kkg
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow, FlowRunner, Invalid, Option, Step, skip_option
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.notify import short_when
from kkgbot.messages import Choice
from kkgbot.monitoring import pulse, reflections, support_requests
from kkgbot.monitoring.figures import monitoring_figures
from kkgbot.monitoring.models import Reflection
from kkgbot.monitoring.reflections import ReflectionError
from kkgbot.numbers import small_number
from kkgbot.people import roles
from kkgbot.people.permissions import allowed
from kkgbot.polls.workplan import month_name

FIGURES_DAYS = 30
SKIP = "skip"
MAX_BUTTON = 60
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
    if row.tried:
        label = reflections.meeting_label(meeting, kkg, ctx.lang)
        parts = [p for p in (note, label, ctx.t("monitoring.rf_q_students")) if p]
        ctx.reply("\n\n".join(parts), reflections.students_choices(meeting.id, ctx.lang))
    else:
        ctx.reply(
            reflections.tried_question(meeting, kkg, ctx.lang, head=note),
            reflections.tried_choices(meeting.id, ctx.lang),
        )


# --- The reflection's buttons ---------------------------------------------------------


def _parse(args: list[str]) -> tuple[int, str | None, int | None] | None:
    row_id = small_number(args[0]) if args else None
    if row_id is None:
        return None
    if len(args) == 1:
        return row_id, None, None
    if len(args) == 3 and args[1] in ("t", "s") and (score := small_number(args[2], 1)) is not None:
        return row_id, args[1], score
    return None


async def reflection_action(ctx: Ctx, args: list[str]) -> None:
    parsed = _parse(args)
    if parsed is None:
        ctx.say("common.stale_button")
        return
    meeting_id, stage, value = parsed
    try:
        if stage is None:
            await ask_next(
                ctx, await reflections.row_for(ctx.session, meeting_id, ctx.person.id, ctx.now)
            )
            return
        if stage == "t":
            if value not in (0, 1):
                raise ReflectionError("monitoring.rf_pick_tried")
            row = await reflections.set_tried(
                ctx.session, meeting_id, ctx.person.id, value == 1, ctx.now
            )
            if row.tried:
                await ask_next(ctx, row)
                return
        else:
            await reflections.set_students(
                ctx.session, meeting_id, ctx.person.id, value or 0, ctx.now
            )
    except ReflectionError as bad:
        ctx.say(bad.key, **bad.params)
        return
    assert _runner is not None
    await _runner.start(ctx, SUPPORT, str(meeting_id))


# --- The optional support question ------------------------------------------------------


def _support_prompt(ctx: Ctx) -> str:
    """The thanks for the answers so far only the first time; a re-ask is the question alone."""
    again = ctx.data.get("asked", False)
    ctx.data["asked"] = True
    return ctx.t("monitoring.rf_q_support_again" if again else "monitoring.rf_q_support")


def _support_options(ctx: Ctx) -> list[Option]:
    return [skip_option(ctx, SKIP, "monitoring.rf_skip")]


def _support_parse(ctx: Ctx, value: object) -> str | None:
    if value == SKIP:
        return None
    try:
        return reflections.clean_support(str(value))
    except ReflectionError as bad:
        raise Invalid(bad.key, **bad.params) from bad


class SupportFlow(Flow):
    name = "reflection_support"
    oneline = False
    steps = [
        Step(
            "support",
            _support_prompt,
            options=_support_options,
            parse=_support_parse,
            free_text=True,
        ),  # fmt: skip
    ]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        ctx.data["meeting_id"] = int(args)
        return True

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
            meeting, kkg = await _meeting_and_kkg(ctx, meeting_id)
            ctx.say("monitoring.rf_done", meeting=reflections.meeting_label(meeting, kkg, ctx.lang))


SUPPORT = SupportFlow()


# --- /laporan ---------------------------------------------------------------------------


async def _pending_choices(ctx: Ctx) -> list[Choice]:
    out = []
    for row in await reflections.pending_for(ctx.session, ctx.person.id, ctx.now):
        meeting, kkg = await _meeting_and_kkg(ctx, row.meeting_id)
        title = f"{meeting.title} · {short_when(meeting, kkg, ctx.lang)}"
        label = ctx.t("monitoring.pending_reflection", title=title)
        out.append(Choice.act(label[:MAX_BUTTON], "rf", meeting.id))
    for row in await pulse.pending_for(ctx.session, ctx.person.id, ctx.now):
        month = month_name(row.month, ctx.lang)
        out.append(Choice.act(ctx.t("monitoring.pending_pulse", month=month), "puo", row.id))
    return out


async def report(ctx: Ctx, args: str) -> None:
    held = await ctx.role_names()
    pending = await _pending_choices(ctx)
    if allowed("report.standards", held):
        if not pending:
            await monitoring_standards.start(ctx, args)
            return
        ctx.reply(
            ctx.t("monitoring.pending_with_standards"),
            [Choice.act(ctx.t("monitoring.pending_standards"), "sas")] + pending,
        )
        return
    if allowed("report.results", held):
        await supervisor_view(ctx)
    if len(pending) == 1:
        await ctx_open(ctx, pending[0].data)
    elif pending:
        ctx.reply(ctx.t("monitoring.pending_head", count=len(pending)), pending)
    elif not allowed("report.results", held):
        ctx.say("monitoring.none_pending")


async def ctx_open(ctx: Ctx, data: str) -> None:
    name, *args = data.split(":")[1:]
    handler = {"rf": reflection_action, "puo": monitoring_pulse.open_action}[name]
    await handler(ctx, args)


async def supervisor_view(ctx: Ctx) -> None:
    """For a pengawas: each KKG's standards results, last 30 days' figures, support requests."""
    kkgs = await roles.kkgs_for(ctx.session, ctx.person.id, "report.results")
    if not kkgs:
        ctx.say("common.no_kkg")
        return
    start = ctx.now - timedelta(days=FIGURES_DAYS)
    figures = await monitoring_figures(ctx.session, [k.id for k in kkgs], start, ctx.now)
    for kkg in kkgs:
        ctx.reply(await monitoring_standards.summary_for(ctx, kkg))
        ctx.reply(await figures_text(ctx, kkg, figures[kkg.id], start))


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)}%"


async def figures_text(ctx: Ctx, kkg: Kkg, f, start) -> str:
    lines = [ctx.t("monitoring.fig_head", kkg=kkg.name, days=FIGURES_DAYS)]
    if f.reflections_asked:
        mean = "—" if f.mean_student_response is None else f"{f.mean_student_response:.1f}"
        lines.append(ctx.t("monitoring.fig_reflections", answered=f.reflections_answered,
                           asked=f.reflections_asked, rate=_pct(f.response_rate),
                           tried=_pct(f.tried_share),
                           mean=mean.replace(".", ",") if ctx.lang == "id" else mean))  # fmt: skip
    else:
        lines.append(ctx.t("monitoring.fig_no_reflections"))
    if f.pulse_answers:
        lines.append(
            ctx.t("monitoring.fig_pulse", share=_pct(f.pulse_share_4_5), count=f.pulse_answers)
        )
    else:
        lines.append(ctx.t("monitoring.fig_no_pulse"))
    requests = await support_requests.support_list(ctx.session, kkg.id, since=start)
    if requests:
        lines.append(ctx.t("monitoring.fig_support_head", count=len(requests)))
        for name, title, text, _ in requests:
            lines.append(ctx.t("monitoring.support_line", name=name or "—", title=title, text=text))
    return "\n".join(lines)


def register(registry: Registry) -> None:
    global _runner
    _runner = FlowRunner(registry.flows)
    registry.command(Command("laporan", "report", "report", run=report, order=55))
    registry.flow(SUPPORT)
    registry.action("rf", reflection_action)
    monitoring_pulse.register(registry)
    monitoring_standards.register(registry, _runner)
