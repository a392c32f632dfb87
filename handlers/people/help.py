"""/bantuan and /batal: what this person may do, and a way out of any conversation."""

from __future__ import annotations

from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.people.permissions import allowed


def help_lines(ctx: Ctx, registry: Registry, roles: set[str]) -> list[str]:
    lines = []
    for command in registry.ordered():
        if command.needs_onboarding and ctx.person.onboarded_at is None:
            continue
        if not allowed(command.action, roles):
            continue
        word = command.alias if ctx.lang == "en" else command.name
        lines.append(f"/{word} — {ctx.t(f'help.{command.name}')}")
    return lines


def register(registry: Registry) -> None:
    async def show_help(ctx: Ctx, args: str) -> None:
        roles = await ctx.role_names()
        header = ctx.t("help.header") if ctx.person.onboarded_at else ctx.t("help.header_new")
        role_text = ", ".join(ctx.t(f"roles.{r}") for r in sorted(roles))
        intro = ctx.t("help.your_roles", roles=role_text) if roles else ""
        body = "\n".join(help_lines(ctx, registry, roles))
        ctx.reply("\n".join(part for part in (header, intro, body) if part))

    async def cancel(ctx: Ctx, args: str) -> None:
        ctx.say(
            "common.conversation_cancelled"
            if ctx.ended_conversation
            else "common.nothing_to_cancel"
        )

    registry.command(
        Command("bantuan", "help", "help", run=show_help, needs_onboarding=False, order=1)
    )
    registry.command(
        Command("batal", "cancel", "cancel", run=cancel, needs_onboarding=False, order=2)
    )
