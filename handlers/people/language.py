"""/bahasa: Indonesian by default, English for those who prefer it."""

from __future__ import annotations

from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow, Invalid, Option, Step

NAMES = {"id": "Bahasa Indonesia", "en": "English"}
ALIASES = {
    "id": "id",
    "indonesia": "id",
    "bahasa": "id",
    "bahasa indonesia": "id",
    "indonesian": "id",
    "en": "en",
    "english": "en",
    "inggris": "en",
    "bahasa inggris": "en",
}


def _options(ctx: Ctx) -> list[Option]:
    return [Option(code, name) for code, name in NAMES.items()]


def _parse(ctx: Ctx, value: str) -> str:
    code = ALIASES.get(" ".join(str(value).split()).casefold())
    if code is None:
        raise Invalid("language.unknown")
    return code


class LanguageFlow(Flow):
    name = "language"
    steps = [Step("lang", "language.ask", options=_options, free_text=True, parse=_parse)]

    async def finish(self, ctx: Ctx) -> None:
        ctx.person.language = ctx.data["lang"]
        ctx.say("language.changed", name=NAMES[ctx.data["lang"]])


def register(registry: Registry) -> None:
    registry.command(
        Command(
            "bahasa", "language", "language", flow=LanguageFlow(), needs_onboarding=False, order=3
        )
    )
