"""/undang and /keluar: bringing teachers into a KKG, and letting them go."""

from __future__ import annotations

from handlers.common import chosen_kkg, kkg_step
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow, confirm_step
from kkgbot.people import roles


class InviteFlow(Flow):
    name = "invite"
    steps = [kkg_step("invite")]

    async def finish(self, ctx: Ctx) -> None:
        kkg = await chosen_kkg(ctx)
        bot = kkg.district.telegram_bot  # the district's own bot, when it has one
        link = ctx.links.invite(kkg.invite_code, bot)
        text = ctx.t("membership.invite", kkg=kkg.name, code=kkg.invite_code)
        if link:
            text += "\n" + ctx.t("membership.invite_link", link=link)
        if group_link := ctx.links.startgroup(kkg.invite_code, bot):
            text += "\n" + ctx.t("groups.startgroup_link", link=group_link)
        ctx.reply(text)


async def _leave_summary(ctx: Ctx) -> str:
    kkg = await chosen_kkg(ctx)
    key = "membership.leave_confirm"
    if await roles.has_role(ctx.session, ctx.person.id, roles.KOORDINATOR, kkg.id):
        others = [
            p for p in await roles.koordinators_of(ctx.session, kkg.id) if p.id != ctx.person.id
        ]
        if not others:
            key = "membership.leave_confirm_last_koordinator"
    return ctx.t(key, kkg=kkg.name)


class LeaveFlow(Flow):
    name = "leave"
    steps = [kkg_step("leave"), confirm_step(_leave_summary)]

    async def finish(self, ctx: Ctx) -> None:
        kkg = await chosen_kkg(ctx)
        await roles.leave_kkg(ctx.session, person=ctx.person, kkg=kkg, now=ctx.now)
        ctx.say("membership.left", kkg=kkg.name)


def register(registry: Registry) -> None:
    registry.command(Command("undang", "invite", "invite", flow=InviteFlow(), order=20))
    registry.command(Command("keluar", "leave", "leave", flow=LeaveFlow(), order=90))
