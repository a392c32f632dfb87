"""/dataku and /hapusdata: a person's rights over their own data (UU 27/2022)."""

from __future__ import annotations

from handlers.privacy.summary_text import summary_text
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow, confirm_step
from kkgbot.people.messaging import store_file
from kkgbot.privacy import personal_data as privacy


async def my_data(ctx: Ctx, args: str) -> None:
    data = await privacy.export_person(ctx.session, ctx.person.id)
    file_id = await store_file(
        ctx.session,
        "data-saya.json",
        "application/json",
        privacy.to_json(data),
        ctx.now,
        names=[ctx.person.id],
        own=True,  # the link lives an hour; the file is deleted once delivered
    )
    ctx.reply(summary_text(ctx, data), file_id=file_id, file_name="data-saya.json")


class DeleteFlow(Flow):
    name = "deleteme"
    steps = [confirm_step(lambda ctx: ctx.t("privacy.delete_confirm"))]

    async def finish(self, ctx: Ctx) -> None:
        lang = ctx.lang
        await privacy.erase_person(ctx.session, ctx.person.id, ctx.now)
        ctx.person.language = lang  # the goodbye is still in their language
        ctx.say("privacy.deleted")


def register(registry: Registry) -> None:
    registry.command(
        Command("dataku", "mydata", "mydata", run=my_data, needs_onboarding=False, order=95)
    )
    registry.command(
        Command(
            "hapusdata", "deleteme", "deleteme", flow=DeleteFlow(), needs_onboarding=False, order=96
        )
    )
