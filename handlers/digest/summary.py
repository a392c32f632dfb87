"""/ringkasan: the supervisor's digest of the last 7 days and the term, now.

The same text, chart and spreadsheet as Monday's (services/digest.py), as replies.
"""

from __future__ import annotations

from kkgbot.digest import rounds as digest
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.people.messaging import store_file


async def show_digest(ctx: Ctx, args: str) -> None:
    scope = await digest.scope_of(ctx.session, ctx.person.id)
    if not scope.kkg_ids:
        ctx.say("digest.no_kkgs_yet")
        return
    zone = await digest.zone_of(ctx.session, ctx.person, ctx.settings.default_timezone)
    built = await digest.build(ctx.session, scope, ctx.now, zone, ctx.lang)
    rendered = digest.render(built, ctx.lang)
    named = digest.named_in(built)  # the inactive members the workbook lists
    chart_id = await store_file(
        ctx.session, rendered.chart_name, "image/png", rendered.chart, ctx.now
    )
    xlsx_id = await store_file(
        ctx.session, rendered.xlsx_name, digest.XLSX_MIME, rendered.xlsx, ctx.now, names=named
    )
    ctx.reply(rendered.text)
    ctx.reply(ctx.t("digest.chart_caption"), file_id=chart_id, file_name=rendered.chart_name)
    ctx.reply(ctx.t("digest.xlsx_caption"), file_id=xlsx_id, file_name=rendered.xlsx_name)


def register(registry: Registry) -> None:
    registry.command(Command("ringkasan", "digest", "digest", run=show_digest, order=72))
