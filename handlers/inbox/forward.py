"""Free text that answers no open question (an excuse, a question, a reply to a broadcast,
in any language): one short question, pass it to the koordinator? Never for commands,
codes or answers (the router has taken those already), nor from a person without consent.
A pengawas or admin, who has no koordinator above them, gets the help instead."""

from __future__ import annotations

from handlers.common import chosen_kkg
from kkgbot.db.models import OpenQuestion
from kkgbot.delivery import questions
from kkgbot.engine.commands import Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import EndConversation, Flow, FlowRunner, Invalid, Option, Step
from kkgbot.inbox import service as inbox
from kkgbot.inbox.service import InboxError
from kkgbot.messages import NO, YES
from kkgbot.people.permissions import KKG_MEMBER_ROLES, KOORDINATOR
from kkgbot.understanding.text import tokens_of

SHOWN = 300  # characters of the message quoted back


async def _kkgs(ctx: Ctx):
    return await inbox.koordinator_kkgs(ctx.session, ctx.person.id)


async def _needs_kkg(ctx: Ctx) -> bool:
    kkgs = await _kkgs(ctx)
    if len(kkgs) == 1:
        ctx.data["kkg_id"] = kkgs[0].id
        return False
    return True


async def _kkg_options(ctx: Ctx) -> list[Option]:
    return [Option(k.id, k.name) for k in await _kkgs(ctx)]


async def _pick_kkg(ctx: Ctx, value: object) -> int:
    if value in {k.id for k in await _kkgs(ctx)}:
        return int(value)  # type: ignore[arg-type]
    raise Invalid("common.choose_kkg")


async def _ask(ctx: Ctx) -> str:
    kkg = await chosen_kkg(ctx)
    to = await inbox.addressed_to(ctx.session, kkg.id, ctx.person.id)
    asks = tokens_of(ctx.data["text"]).asks  # "Perlu bawa laptop?": a question to answer
    key = f"inbox.offer_question_to_{to}" if asks else f"inbox.offer_to_{to}"
    text = ctx.t(key, kkg=kkg.name, text=ctx.data["text"][:SHOWN])
    if ctx.data.get("pending"):
        text += "\n\n" + ctx.t("inbox.offer_pending", prompt=ctx.data["pending"])
    return text


def _options(ctx: Ctx) -> list[Option]:
    return [
        Option(True, ctx.t("inbox.offer_yes"), YES),
        Option(False, ctx.t("inbox.offer_no"), NO),
    ]


def _decide(ctx: Ctx, value: object) -> bool:
    if value is not True:
        ctx.say("inbox.not_passed")
        raise EndConversation
    return True


class ForwardFlow(Flow):
    name = "forward"
    oneline = False
    steps = [
        Step("kkg_id", "inbox.which_kkg", options=_kkg_options, parse=_pick_kkg, when=_needs_kkg),
        Step("go", _ask, options=_options, parse=_decide),
    ]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        ctx.data["text"] = args
        waiting = await questions.open_for(ctx.session, ctx.person.id, ctx.now)
        pending = next((q for q in waiting if q.answered_at is None), None)
        ctx.data["pending"] = pending.prompt if pending is not None else None
        return True

    async def finish(self, ctx: Ctx) -> None:
        kkg = await chosen_kkg(ctx)
        try:
            told = await inbox.pass_on(ctx.session, ctx.person, kkg, ctx.data["text"], ctx.now)
        except InboxError as bad:
            ctx.say(bad.key, **bad.params)
            return
        ctx.say("inbox.passed" if told else "inbox.no_koordinator", kkg=kkg.name)


def register(registry: Registry) -> None:
    flow = registry.flow(ForwardFlow())
    runner = FlowRunner(registry.flows)

    async def offer(ctx: Ctx, text: str, pending: OpenQuestion | None) -> bool:
        roles = await ctx.role_names()
        if ctx.person.consent_at is None or ctx.person.onboarded_at is None:
            return False
        if not roles & set(KKG_MEMBER_ROLES) or (KOORDINATOR in roles and not await _kkgs(ctx)):
            ctx.say("inbox.help_instead")  # a pengawas or admin: the help, not a forward
            await registry.commands["bantuan"].run(ctx, "")
            return True
        if not await _kkgs(ctx):
            return False
        if await inbox.sent_today(ctx.session, ctx.person.id, ctx.now) >= inbox.PER_DAY:
            ctx.say("inbox.too_many", max=inbox.PER_DAY)  # say so now, not after asking
            return True
        await runner.start(ctx, flow, text)
        return True

    registry.when_unanswered(offer)
