"""/dasbor (/dashboard): a sign-in link for the web dashboard, sent with previews off.

The router refuses a guru (the "dashboard" permission); the link works once, for 15
minutes, and only through the button on the page it opens (kkgbot/dashboard/signin.py).
"""

from __future__ import annotations

from kkgbot.dashboard import signin
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx


async def send_link(ctx: Ctx, args: str) -> None:
    if not ctx.settings.public_url:
        ctx.say("dashboard.no_public_url")
        return
    try:
        token = await signin.issue_link(ctx.session, ctx.person.id, ctx.now)
    except signin.TooManyLinks:
        ctx.say("dashboard.too_many_links", count=signin.LINKS_PER_HOUR)
        return
    url = signin.link_url(ctx.settings.public_url, token)
    minutes = int(signin.LINK_TTL.total_seconds() // 60)
    ctx.reply(ctx.t("dashboard.link", url=url, minutes=minutes), extra={"no_preview": True})


def register(registry: Registry) -> None:
    registry.command(Command("dasbor", "dashboard", "dashboard", run=send_link, order=74))
