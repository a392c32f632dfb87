"""/batalsiaran: the broadcasts set for later that have not gone out, and calling one off.

`/siaran` can send at a later time; a sender who spots a mistake, or an admin who must
stop a message, needs a way back before it goes. The list shows each waiting broadcast
with its time in the zone it was set in; picking one and the house confirmation cancel
it. `/batalsiaran 1` picks the first at once. One already being sent is refused with the
reason (its messages are queued and partly delivered), see `broadcasts_scheduled`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from kkgbot.broadcasts import scheduled as broadcasts_scheduled
from kkgbot.broadcasts.scheduled import Scheduled
from kkgbot.broadcasts.service import BroadcastError
from kkgbot.dateparse import describe_local
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow, Invalid, Option, Step, confirm_step


async def _waiting(ctx: Ctx) -> list[Scheduled]:
    return await broadcasts_scheduled.waiting_for(ctx.session, ctx.person.id)


def _when(ctx: Ctx, item: Scheduled) -> str:
    return describe_local(item.send_at.astimezone(ZoneInfo(item.timezone)), ctx.lang)


def _line(ctx: Ctx, number: int, item: Scheduled) -> str:
    key = "broadcast.waiting_line" if item.own else "broadcast.waiting_line_other"
    return ctx.t(key, n=number, when=_when(ctx, item), scope=item.scope_label,
                 snippet=item.snippet, sender=item.sender_name)  # fmt: skip


async def ask_which(ctx: Ctx) -> str:
    items = await _waiting(ctx)
    lines = [_line(ctx, n, item) for n, item in enumerate(items, 1)]
    return "\n".join([ctx.t("broadcast.waiting_header"), *lines, ctx.t("broadcast.waiting_ask")])


async def which_options(ctx: Ctx) -> list[Option]:
    clock = "%d/%m %H.%M" if ctx.lang == "id" else "%d/%m %H:%M"
    return [
        Option(item.id, f"{item.send_at.astimezone(ZoneInfo(item.timezone)):{clock}} · {item.snippet}")
        for item in await _waiting(ctx)
    ]  # fmt: skip


async def parse_which(ctx: Ctx, value: object) -> int:
    """A listed broadcast (by button or number); one that went meanwhile is explained."""
    items = {item.id: item for item in await _waiting(ctx)}
    if not isinstance(value, int) or value not in items:
        raise Invalid("broadcast.cancel_pick")
    return value


async def confirm_text(ctx: Ctx) -> str:
    item = next((i for i in await _waiting(ctx) if i.id == ctx.data["broadcast"]), None)
    if item is None:
        return ctx.t("broadcast.cancel_confirm_gone")
    return ctx.t("broadcast.cancel_confirm", when=_when(ctx, item), scope=item.scope_label,
                 snippet=item.snippet)  # fmt: skip


class CancelScheduledFlow(Flow):
    name = "broadcast_cancel"
    steps = [
        Step("broadcast", ask_which, options=which_options, parse=parse_which),
        confirm_step(confirm_text),
    ]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        if not await _waiting(ctx):
            ctx.say("broadcast.waiting_none")
            return False
        return True

    async def finish(self, ctx: Ctx) -> None:
        try:
            row = await broadcasts_scheduled.cancel(
                ctx.session, ctx.data["broadcast"], person_id=ctx.person.id, now=ctx.now
            )
        except BroadcastError as bad:
            ctx.say(bad.key, **bad.params)
            return
        ctx.say("broadcast.cancel_done", snippet=broadcasts_scheduled.snippet(row.text))


def register(registry: Registry) -> None:
    registry.command(
        Command(
            "batalsiaran",
            "cancelbroadcast",
            "broadcast.cancel",
            flow=CancelScheduledFlow(),
            order=71,
        )
    )
