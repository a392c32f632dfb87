"""The monthly pulse in chat: five standalone buttons (`a:pu:<row>:<1..5>`), typed numbers too.

The buttons name the person's own row, so an old month's question cannot be answered for
someone else, and typing `4` or `Setuju` after the question works like pressing it.
"""

from __future__ import annotations

from kkgbot.db.models import Kkg
from kkgbot.engine.commands import Registry
from kkgbot.engine.context import Ctx
from kkgbot.monitoring import pulse
from kkgbot.monitoring.models import PulseAnswer
from kkgbot.monitoring.pulse import PulseError
from kkgbot.numbers import small_numbers


async def answer_action(ctx: Ctx, args: list[str]) -> None:
    numbers = small_numbers(args, 2)
    if numbers is None:
        ctx.say("common.stale_button")
        return
    row_id, score = numbers
    try:
        row, previous = await pulse.answer(ctx.session, row_id, ctx.person.id, score, ctx.now)
    except PulseError as bad:
        ctx.say(bad.key, **bad.params)
        return
    label = ctx.t(f"monitoring.pulse_scale.{row.score}")
    if previous is not None and previous != score:
        ctx.say("monitoring.pulse_changed", answer=label)
    else:
        ctx.say("monitoring.pulse_thanks", answer=label)


async def show(ctx: Ctx, row_id: int, note: str | None = None) -> None:
    row = await ctx.session.get(PulseAnswer, row_id)
    if row is None or row.person_id != ctx.person.id:
        ctx.say("common.stale_button")
        return
    kkg = await ctx.session.get(Kkg, row.kkg_id)
    ctx.reply(
        pulse.question(ctx.lang, kkg.name if kkg else "", note), pulse.choices(row.id, ctx.lang)
    )


async def open_action(ctx: Ctx, args: list[str]) -> None:
    numbers = small_numbers(args, 1)
    if numbers is None:
        ctx.say("common.stale_button")
        return
    await show(ctx, numbers[0])


def register(registry: Registry) -> None:
    registry.action("pu", answer_action)
    registry.action("puo", open_action)
