"""The seven-standards self-assessment in chat: one item per message, saved as answered.

Each item is one short conversation (`Ya`, `Sebagian`, `Belum`, `Berhenti dulu`; a note
after `;`), and answering it starts the next, so the koordinator can stop anywhere and
`/laporan` resumes at the first unanswered item, after an idle hour or a restart alike.
Results (score per standard, overall, the three weakest items) are shown to the
koordinator at the end and to the KKG's pengawas in `/laporan`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from kkgbot import i18n
from kkgbot.db.models import Kkg
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import (
    EndConversation,
    Flow,
    FlowRunner,
    Invalid,
    Option,
    Step,
    match_option,
)
from kkgbot.monitoring import standards
from kkgbot.monitoring.models import StandardsAssessment
from kkgbot.monitoring.standards import NO, PARTLY, VALUES, YES
from kkgbot.numbers import small_number
from kkgbot.people import roles

STOP = "stop"
VALUE_KEYS = {YES: "monitoring.sa_yes", PARTLY: "monitoring.sa_partly", NO: "monitoring.sa_no"}
_runner: FlowRunner | None = None


def short_date(moment: datetime, tz: str, lang: str) -> str:
    """`1 Des 2026`."""
    local = moment.astimezone(ZoneInfo(tz))
    month = i18n.t(lang, "meetings.month_short").split(",")[local.month - 1]
    return f"{local.day} {month} {local.year}"


def value_label(lang_t, value: int) -> str:
    return lang_t(VALUE_KEYS[value])


def term_label(ctx: Ctx, term: str) -> str:
    year, half = term.split("-")
    return ctx.t(f"monitoring.term.{half}", year=year)


async def eligible(ctx: Ctx) -> list[Kkg]:
    return await roles.kkgs_for(ctx.session, ctx.person.id, "report.standards")


async def _kkg(ctx: Ctx) -> Kkg:
    kkg = await ctx.session.get(Kkg, ctx.data["kkg_id"])
    assert kkg is not None
    return kkg


async def _assessment(ctx: Ctx) -> StandardsAssessment:
    row = await ctx.session.get(StandardsAssessment, ctx.data["assessment_id"])
    assert row is not None
    return row


# --- The KKG, then the next item ---------------------------------------------------------


async def _ask_kkg(ctx: Ctx) -> bool:
    if "kkg_id" in ctx.data:
        return False
    kkgs = await eligible(ctx)
    if len(kkgs) == 1:
        ctx.data["kkg_id"] = kkgs[0].id
        return False
    return True


async def _kkg_options(ctx: Ctx) -> list[Option]:
    return [Option(k.id, k.name) for k in await eligible(ctx)]


async def _kkg_parse(ctx: Ctx, value: object) -> int:
    for kkg in await eligible(ctx):
        if value == kkg.id or str(value).casefold() in (
            kkg.name.casefold(),
            kkg.invite_code.casefold(),
        ):
            return kkg.id
    raise Invalid("common.choose_kkg")


async def _has_item(ctx: Ctx) -> bool:
    """Opens (or starts) this term's assessment; with nothing left, shows the results."""
    kkg = await _kkg(ctx)
    assessment = await standards.open_or_start(ctx.session, kkg, ctx.person.id, ctx.now)
    item = await standards.next_item(ctx.session, assessment)
    if item is None:
        ctx.reply(await results_text(ctx, kkg, assessment))
        ctx.say("monitoring.sa_next_term")
        raise EndConversation
    ctx.data["assessment_id"], ctx.data["item_id"] = assessment.id, item.id
    return True


async def _progress(ctx: Ctx) -> tuple[int, int]:
    done = await standards.answers(ctx.session, ctx.data["assessment_id"])
    return len(done), len(standards.checklist().items)


async def _item_prompt(ctx: Ctx) -> str:
    kkg = await _kkg(ctx)
    assessment = await _assessment(ctx)
    checklist = standards.checklist()
    item = checklist.item(ctx.data["item_id"])
    assert item is not None
    done, total = await _progress(ctx)
    parts = []
    if ctx.data.pop("saved", False):  # the acknowledgement once, not on a re-ask
        parts.append(ctx.t("monitoring.sa_saved", done=done, total=total))
    elif not ctx.data.get("introduced"):
        ctx.data["introduced"] = True
        term = term_label(ctx, assessment.term)
        parts.append(ctx.t("monitoring.sa_intro", kkg=kkg.name, term=term, done=done, total=total))
    area_no = next(n for n, a in enumerate(checklist.areas, 1) if a.id == item.area)
    area = checklist.area(item.area)
    assert area is not None
    text = ctx.t("monitoring.sa_item", area_no=area_no, area=area.label(ctx.lang),
                 number=item.number, total=total, text=item.label(ctx.lang))  # fmt: skip
    if item.auto:
        hint = (await standards.suggestions(ctx.session, kkg.id, ctx.now)).get(item.id)
        if hint is not None:
            why = ctx.t(hint.key, **hint.params)
            value = value_label(ctx.t, hint.value)
            text += "\n" + ctx.t("monitoring.sa_suggest", value=value, why=why)
    parts.append(text)
    return "\n\n".join(parts)


def _item_options(ctx: Ctx) -> list[Option]:
    return [Option(v, value_label(ctx.t, v)) for v in VALUES] + [
        Option(STOP, ctx.t("monitoring.sa_stop"))
    ]


async def _item_parse(ctx: Ctx, value: Any) -> list:
    if value == STOP:
        done, total = await _progress(ctx)
        ctx.say("monitoring.sa_paused", done=done, total=total)
        raise EndConversation
    if value in VALUES and not isinstance(value, str):
        return [value, None]
    head, _, note = str(value).partition(";")
    options = _item_options(ctx)[:3]
    picked = match_option(head, options)
    if picked is None:
        raise Invalid("monitoring.sa_pick")
    try:
        return [picked.value, standards.clean_note(note)]
    except ValueError as too_long:
        raise Invalid("monitoring.sa_note_long", max=standards.MAX_NOTE) from too_long


class StandardsFlow(Flow):
    name = "standards"
    oneline = False
    steps = [
        Step(
            "kkg_id",
            "common.choose_kkg",
            options=_kkg_options,
            parse=_kkg_parse,
            when=_ask_kkg,
            free_text=True,
        ),  # fmt: skip
        Step(
            "answer",
            _item_prompt,
            options=_item_options,
            parse=_item_parse,
            free_text=True,
            when=_has_item,
        ),  # fmt: skip
    ]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        """`args` is `<kkg id>` (and ` saved` after an answer) when it continues itself."""
        kkgs = await eligible(ctx)
        if not kkgs:
            ctx.say("monitoring.sa_not_koordinator")
            return False
        words = args.split()
        if words and words[0].isdigit():
            chosen = small_number(words[0])
            if chosen not in {k.id for k in kkgs}:
                ctx.say("monitoring.sa_not_koordinator")
                return False
            ctx.data["kkg_id"] = chosen
            ctx.data["saved"] = ctx.data["introduced"] = "saved" in words[1:]
        return True

    async def finish(self, ctx: Ctx) -> None:
        kkg = await _kkg(ctx)
        assessment = await _assessment(ctx)
        item = standards.checklist().item(ctx.data["item_id"])
        assert item is not None
        value, note = ctx.data["answer"]
        completed = await standards.save_answer(
            ctx.session, assessment, item, value, note, ctx.person.id, ctx.now
        )
        if completed:
            ctx.reply(await results_text(ctx, kkg, assessment))
            ctx.say("monitoring.sa_complete")
            return
        assert _runner is not None
        await _runner.start(ctx, self, f"{kkg.id} saved")


FLOW = StandardsFlow()


async def start(ctx: Ctx, args: str = "") -> None:
    assert _runner is not None
    await _runner.start(ctx, FLOW, args)


async def start_action(ctx: Ctx, args: list[str]) -> None:
    """The button under the term's invitation, `a:sas:<kkg>` (or `a:sas` from /laporan)."""
    if args and small_number(args[0]) is None:
        ctx.say("common.stale_button")
        return
    await start(ctx, args[0] if args else "")


# --- Results ------------------------------------------------------------------------------


async def results_text(ctx: Ctx, kkg: Kkg, assessment: StandardsAssessment) -> str:
    result = await standards.result(ctx.session, assessment)
    answers = await standards.answers(ctx.session, assessment.id)
    lines = [
        ctx.t("monitoring.sa_result_head", kkg=kkg.name, term=term_label(ctx, assessment.term))
    ]
    if assessment.completed_at is not None:
        when = short_date(assessment.completed_at, kkg.timezone, ctx.lang)
        lines.append(ctx.t("monitoring.sa_result_done", date=when, total=result.total))
    else:
        lines.append(
            ctx.t("monitoring.sa_result_partial", done=result.answered, total=result.total)
        )
    if result.score is not None:
        lines.append(ctx.t("monitoring.sa_result_score", score=result.score))
    for area in standards.checklist().areas:
        score = result.by_area.get(area.id)
        if score is None:
            lines.append(ctx.t("monitoring.sa_result_area_none", area=area.label(ctx.lang)))
        else:
            lines.append(ctx.t("monitoring.sa_result_area", area=area.label(ctx.lang), score=score))
    if result.weakest:
        lines.append(ctx.t("monitoring.sa_result_weak_head"))
        for n, item in enumerate(result.weakest, 1):
            value = value_label(ctx.t, answers[item.id].value)
            lines.append(
                ctx.t("monitoring.sa_result_weak", n=n, text=item.label(ctx.lang), value=value)
            )
    elif assessment.completed_at is not None:
        lines.append(ctx.t("monitoring.sa_result_no_weak"))
    return "\n".join(lines)


async def summary_for(ctx: Ctx, kkg: Kkg) -> str:
    """The newest assessment of a KKG as the pengawas sees it."""
    assessment = await standards.latest(ctx.session, kkg.id)
    if assessment is None:
        return ctx.t("monitoring.sa_none", kkg=kkg.name)
    return await results_text(ctx, kkg, assessment)


def register(registry, runner: FlowRunner) -> None:
    global _runner
    _runner = runner
    registry.flow(FLOW)
    registry.action("sas", start_action)
