"""`/materi ramadan <from> <to>; <days>; <time>`: dated lesson times that end by themselves.

One line, no menu: the koordinator sets it once before Ramadan (`/materi ramadan batal`
removes it). For a koordinator of several KKGs it applies to the KKG they learn with,
or else the first they coordinate.
"""

from __future__ import annotations

from kkgbot.engine.context import Ctx
from kkgbot.learning import learners as lessons
from kkgbot.learning import periods
from kkgbot.learning.schedule import ScheduleError
from kkgbot.people import roles

WORDS = ("ramadan", "ramadhan", "puasa")


def is_request(args: str) -> bool:
    first = args.strip().split(maxsplit=1)[0].casefold() if args.strip() else ""
    return first in WORDS


async def handle(ctx: Ctx, args: str) -> None:
    kkgs = await roles.kkgs_for(ctx.session, ctx.person.id, "learn.schedule")
    if not kkgs:
        ctx.say("learning.schedule_refused")
        return
    home = await lessons.home_kkg(ctx.session, ctx.person.id)
    kkg = next((k for k in kkgs if home is not None and k.id == home.id), kkgs[0])
    rest = args.strip().split(maxsplit=1)[1] if len(args.split()) > 1 else ""
    try:
        request = periods.parse_request(rest)
        if request is None:
            cleared = await periods.clear_period(
                ctx.session, kkg=kkg, actor_id=ctx.person.id, now=ctx.now
            )
            ctx.say("learning.period_cleared" if cleared else "learning.period_none", kkg=kkg.name)
            return
        first, last, slots = request
        await periods.set_period(
            ctx.session,
            kkg=kkg,
            first=first,
            last=last,
            slots=slots,
            actor_id=ctx.person.id,
            now=ctx.now,
        )
    except ScheduleError as bad:
        ctx.say(bad.key, **bad.params)
        return
    period = await periods.period_of(ctx.session, kkg.id)
    assert period is not None
    ctx.say(
        "learning.period_saved",
        kkg=kkg.name,
        period=periods.describe(period, ctx.lang, kkg.timezone),
    )
