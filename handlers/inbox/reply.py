"""/pesan: the koordinator's list of members' messages not answered yet, and the answer,
written here and delivered to the member on their own channel."""

from __future__ import annotations

from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow, FlowRunner, Invalid, Step
from kkgbot.inbox import service as inbox
from kkgbot.inbox.service import InboxError
from kkgbot.messages import Choice
from kkgbot.numbers import small_number
from kkgbot.people.identities import clean_text

MAX_BUTTON = 40


async def show_waiting(ctx: Ctx, args: str) -> None:
    waiting = await inbox.waiting_for(ctx.session, ctx.person.id, ctx.now)
    if not waiting:
        ctx.say("inbox.none")
        return
    lines = [ctx.t("inbox.list_head", count=len(waiting))]
    choices = []
    for n, item in enumerate(waiting, start=1):
        when = item.message.created_at.strftime("%d/%m")
        lines.append(
            ctx.t("inbox.list_line", n=n, name=item.sender, kkg=item.kkg, when=when,
                  text=(item.message.text or "")[:200])
        )  # fmt: skip
        label = ctx.t("inbox.reply_to", name=item.sender)[:MAX_BUTTON]
        choices.append(Choice.act(label, "msgreply", item.message.id))
    ctx.reply("\n\n".join(lines), choices)


def _answer_prompt(ctx: Ctx) -> str:
    return ctx.t("inbox.ask_answer", name=ctx.data["name"], text=ctx.data["asked"])


def _parse_answer(ctx: Ctx, value: object) -> str:
    text = clean_text(str(value))
    if sum(ch.isalpha() for ch in text) < 2:
        raise Invalid("inbox.answer_empty")
    if len(text) > inbox.MAX_TEXT:
        raise Invalid("inbox.answer_long", max=inbox.MAX_TEXT)
    return text


class ReplyFlow(Flow):
    name = "inbox_reply"
    oneline = False
    steps = [Step("answer", _answer_prompt, parse=_parse_answer)]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        try:
            found = await inbox.for_answer(ctx.session, int(args), ctx.person.id)
        except InboxError as bad:
            ctx.say(bad.key, **bad.params)
            return False
        ctx.data.update(id=found.message.id, name=found.sender, asked=found.message.text[:200])
        return True

    async def finish(self, ctx: Ctx) -> None:
        try:
            found = await inbox.answer(
                ctx.session, ctx.data["id"], ctx.person, ctx.data["answer"], ctx.now
            )
        except InboxError as bad:
            ctx.say(bad.key, **bad.params)
            return
        ctx.say("inbox.answer_sent", name=found.sender)


def register(registry: Registry) -> None:
    registry.command(Command("pesan", "messages", "messages", run=show_waiting, order=58))
    flow = registry.flow(ReplyFlow())
    runner = FlowRunner(registry.flows)

    async def reply_action(ctx: Ctx, args: list[str]) -> None:
        message_id = small_number(args[0]) if args else None
        if message_id is None:
            ctx.say("common.stale_button")
            return
        await runner.start(ctx, flow, str(message_id))

    registry.action("msgreply", reply_action)
