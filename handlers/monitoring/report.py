"""/laporan (/report) and the post-meeting reflection in chat.

`/laporan` opens what waits for the person: a teacher's pending reflections and pulse (one
opens at once, several come as a list), the koordinator's seven-standards self-assessment
(`handlers/monitoring_standards.py`), and for a pengawas the results and figures of the
KKGs they supervise, with the support requests by name and the newest photos of student
work (only they and the koordinator see names and photos).

The reflection's buttons and small conversations are in `handlers/monitoring/reflection.py`.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.monitoring import pulse as monitoring_pulse
from handlers.monitoring import reflection as monitoring_reflection
from handlers.monitoring import standards as monitoring_standards
from kkgbot.db.models import Kkg
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import FlowRunner
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.notify import short_when
from kkgbot.messages import Choice
from kkgbot.monitoring import evidence, pulse, reflections, support_requests
from kkgbot.monitoring.figures import monitoring_figures
from kkgbot.people import roles
from kkgbot.people.permissions import allowed
from kkgbot.polls.workplan import month_name
from kkgbot.visits.service import visit_figures

FIGURES_DAYS = 30
MAX_PHOTOS = 5  # the newest photos of student work, with the figures
SKIP = "skip"
MAX_BUTTON = 60
_runner: FlowRunner | None = None


# --- /laporan ---------------------------------------------------------------------------


async def _pending_choices(ctx: Ctx) -> list[Choice]:
    out = []
    for row in await reflections.pending_for(ctx.session, ctx.person.id, ctx.now):
        meeting = await ctx.session.get(Meeting, row.meeting_id)
        kkg = await ctx.session.get(Kkg, row.kkg_id)
        assert meeting is not None and kkg is not None
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
    handler = {"rf": monitoring_reflection.reflection_action, "puo": monitoring_pulse.open_action}[
        name
    ]
    await handler(ctx, args)


async def supervisor_view(ctx: Ctx) -> None:
    """For a pengawas: each KKG's standards results, last 30 days' figures, support requests."""
    kkgs = await roles.kkgs_for(ctx.session, ctx.person.id, "report.results")
    if not kkgs:
        ctx.say("common.no_kkg")
        return
    start = ctx.now - timedelta(days=FIGURES_DAYS)
    figures = await monitoring_figures(ctx.session, [k.id for k in kkgs], start, ctx.now)
    visits = await visit_figures(ctx.session, [k.id for k in kkgs], start, ctx.now)
    for kkg in kkgs:
        ctx.reply(await monitoring_standards.summary_for(ctx, kkg))
        v = visits[kkg.id]
        ctx.reply("\n".join([await figures_text(ctx, kkg, figures[kkg.id], start), ctx.t(
            "monitoring.fig_visits", visits=v.visits, unvisited=v.unvisited_90,
            teachers=v.teachers)]))  # fmt: skip
        for photo in (await evidence.photos_for(ctx.session, kkg.id, start))[-MAX_PHOTOS:]:
            ctx.reply(evidence.caption(ctx.lang, photo), file_id=photo.file_id,
                      file_name="bukti-karya.jpg")  # fmt: skip


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{round(100 * value)}%"


def _mean(ctx: Ctx, value: float | None) -> str:
    text = "—" if value is None else f"{value:.1f}"
    return text.replace(".", ",") if ctx.lang == "id" else text


async def figures_text(ctx: Ctx, kkg: Kkg, f, start) -> str:
    lines = [ctx.t("monitoring.fig_head", kkg=kkg.name, days=FIGURES_DAYS)]
    if f.reflections_asked:
        lines.append(ctx.t("monitoring.fig_reflections", answered=f.reflections_answered,
                           asked=f.reflections_asked, rate=_pct(f.response_rate),
                           useful=_mean(ctx, f.mean_useful)))  # fmt: skip
    else:
        lines.append(ctx.t("monitoring.fig_no_reflections"))
    if f.followups_asked:
        lines.append(ctx.t("monitoring.fig_tried", tried=_pct(f.tried_share),
                           answered=f.followups_answered, asked=f.followups_asked,
                           mean=_mean(ctx, f.mean_student_response)))  # fmt: skip
    if f.pulse_answers:
        lines.append(ctx.t("monitoring.fig_pulse", share=_pct(f.pulse_share_4_5),
                           count=f.pulse_answers, asked=f.pulse_asked))  # fmt: skip
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
    monitoring_reflection.register(registry, _runner)
    monitoring_pulse.register(registry)
    monitoring_standards.register(registry, _runner)
