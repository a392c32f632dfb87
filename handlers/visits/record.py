"""/kunjungan (/visit): a pengawas, narasumber or koordinator records a classroom visit.

Steps: the KKG (only when they accompany several), the teacher (a member of that KKG, by
name), the date, the practice observed (config/practices.yaml), which checklist items
were seen (their numbers), the next step agreed, then a confirmation. The teacher gets
the next step at once and is asked about it a week later (`a:vs:<visit>:<n>`).
"""

from __future__ import annotations

from datetime import date

from handlers.common import chosen_kkg, kkg_step
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow, Invalid, Option, Step, confirm_step
from kkgbot.monitoring.practices import practices
from kkgbot.numbers import small_numbers
from kkgbot.visits import service
from kkgbot.visits.service import VisitError


def _checked(parse):
    async def run(ctx: Ctx, value: object):
        try:
            return await parse(ctx, str(value))
        except VisitError as bad:
            raise Invalid(bad.key, **bad.params) from bad

    return run


async def _teacher(ctx: Ctx, text: str) -> int:
    person = await service.teacher_in_scope(ctx.session, ctx.person.id, ctx.data["kkg_id"], text)
    ctx.data["teacher_name"] = person.name
    return person.id


async def _day(ctx: Ctx, text: str) -> str:
    kkg = await chosen_kkg(ctx)
    return service.parse_day(text, ctx.now, kkg.timezone).isoformat()


def _practice_options(ctx: Ctx) -> list[Option]:
    return [
        Option(p.id, p.title(ctx.lang), words=tuple(p.titles.values())) for p in practices().all()
    ]


async def _practice(ctx: Ctx, value: str) -> str:
    if practices().get(value) is None:
        raise VisitError("visits.pick_practice")
    return value


def _checklist_prompt(ctx: Ctx) -> str:
    practice = practices().get(ctx.data["practice"])
    assert practice is not None
    items = "\n".join(f"{n}. {text}" for n, text in enumerate(practice.items(ctx.lang), 1))
    return ctx.t("visits.ask_checklist", practice=practice.title(ctx.lang), items=items)


async def _observed(ctx: Ctx, text: str) -> list[bool]:
    practice = practices().get(ctx.data["practice"])
    assert practice is not None
    return service.parse_observed(text, practice)


async def _next_step(ctx: Ctx, text: str) -> str:
    return service.clean_next_step(text)


def _summary(ctx: Ctx) -> str:
    practice = practices().get(ctx.data["practice"])
    assert practice is not None
    seen = [t for t, ok in zip(practice.items(ctx.lang), ctx.data["observed"], strict=True) if ok]
    return ctx.t(
        "visits.confirm",
        teacher=ctx.data["teacher_name"],
        day=date.fromisoformat(ctx.data["day"]).strftime("%d/%m/%Y"),
        practice=practice.title(ctx.lang),
        seen=len(seen),
        total=len(practice.checklist),
        step=ctx.data["next_step"],
    )


class VisitFlow(Flow):
    name = "visit_record"
    oneline = False
    steps = [
        kkg_step("visits.record"),
        Step("teacher", "visits.ask_teacher", parse=_checked(_teacher)),
        Step("day", "visits.ask_day", parse=_checked(_day)),
        Step(
            "practice", "visits.ask_practice", options=_practice_options, parse=_checked(_practice)
        ),  # fmt: skip
        Step("observed", _checklist_prompt, parse=_checked(_observed)),
        Step("next_step", "visits.ask_next_step", parse=_checked(_next_step)),
        confirm_step(_summary),
    ]

    async def finish(self, ctx: Ctx) -> None:
        try:
            await service.record_visit(
                ctx.session,
                visitor=ctx.person,
                kkg_id=ctx.data["kkg_id"],
                teacher_id=ctx.data["teacher"],
                day=date.fromisoformat(ctx.data["day"]),
                practice_id=ctx.data["practice"],
                observed=ctx.data["observed"],
                next_step=ctx.data["next_step"],
                now=ctx.now,
            )
        except VisitError as bad:
            ctx.say(bad.key, **bad.params)
            return
        ctx.say("visits.saved", teacher=ctx.data["teacher_name"])


async def answer_action(ctx: Ctx, args: list[str]) -> None:
    numbers = small_numbers(args, 2)
    if numbers is None:
        ctx.say("common.stale_button")
        return
    try:
        answer = await service.answer(ctx.session, numbers[0], ctx.person.id, numbers[1], ctx.now)
    except VisitError as bad:
        ctx.say(bad.key, **bad.params)
        return
    ctx.say(f"visits.thanks.{answer}")


def register(registry: Registry) -> None:
    registry.command(Command("kunjungan", "visit", "visits.record", flow=VisitFlow(), order=57))
    registry.action("vs", answer_action)
