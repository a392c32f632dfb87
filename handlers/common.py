"""Steps many conversations share: choosing the KKG a command is for."""

from __future__ import annotations

from kkgbot.db.models import Kkg
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Invalid, Option, Step
from kkgbot.people import roles


def kkg_step(action: str, key: str = "kkg_id") -> Step:
    """Asks which KKG only when the person acts for more than one; a line may name it first."""

    async def eligible(ctx: Ctx) -> list[Kkg]:
        return await roles.kkgs_for(ctx.session, ctx.person.id, action)

    async def when(ctx: Ctx) -> bool:
        kkgs = await eligible(ctx)
        if not kkgs:
            ctx.say("common.no_kkg")
            from kkgbot.engine.flow import EndConversation

            raise EndConversation
        if len(kkgs) == 1:
            ctx.data[key] = kkgs[0].id
            return False
        return True

    async def options(ctx: Ctx) -> list[Option]:
        return [Option(k.id, k.name) for k in await eligible(ctx)]

    async def parse(ctx: Ctx, value: object) -> int:
        for kkg in await eligible(ctx):
            if value == kkg.id or str(value).casefold() in (
                kkg.name.casefold(),
                kkg.invite_code.casefold(),
            ):
                return kkg.id
        raise Invalid("common.choose_kkg")

    return Step(key, "common.choose_kkg", options=options, parse=parse, when=when, match_only=True)


async def chosen_kkg(ctx: Ctx, key: str = "kkg_id") -> Kkg:
    kkg = await ctx.session.get(Kkg, ctx.data[key])
    assert kkg is not None
    return kkg
