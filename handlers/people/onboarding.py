"""/start: consent first, then name and school, then the KKG of the invite code."""

from __future__ import annotations

from datetime import datetime

from kkgbot.db.models import Kkg
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import EndConversation, Flow, Invalid, Option, Step, skip_option
from kkgbot.people import identities as people
from kkgbot.people import kkgs, roles
from kkgbot.people.identities import CONSENT_VERSION, FieldError


def _not_onboarded(ctx: Ctx) -> bool:
    return ctx.person.onboarded_at is None


def _consent_options(ctx: Ctx) -> list[Option]:
    return [
        Option(True, ctx.t("onboarding.consent_yes")),
        Option(False, ctx.t("onboarding.consent_no")),
    ]


def _ask_consent(ctx: Ctx) -> str:
    """The welcome travels with the first consent question: one message, not two, on a slow line."""
    consent = ctx.t("onboarding.consent")
    if ctx.data.get("_welcomed"):
        return consent
    ctx.data["_welcomed"] = True
    return ctx.t("onboarding.welcome") + "\n\n" + consent


def _consent(ctx: Ctx, agreed: bool) -> str:
    if not agreed:
        ctx.say("onboarding.consent_refused")
        raise EndConversation
    return ctx.now.isoformat()


def _field(check):
    def parse(ctx: Ctx, text: str) -> str:
        try:
            return check(text)
        except FieldError as bad:
            raise Invalid(bad.key, **bad.params) from bad

    return parse


def _skip_options(ctx: Ctx) -> list[Option]:
    return [skip_option(ctx)]


async def _code(ctx: Ctx, text: str) -> int | None:
    if text == "":
        return None
    kkg = await kkgs.find_by_code(ctx.session, text)
    if kkg is None:
        raise Invalid("onboarding.code_unknown", code=text.strip()[:16])
    return kkg.id


def _needs_code(ctx: Ctx) -> bool:
    return ctx.data.get("kkg_id") is None


class StartFlow(Flow):
    name = "start"
    oneline = False
    steps = [
        Step(
            "consent_at",
            _ask_consent,
            options=_consent_options,
            parse=_consent,
            when=_not_onboarded,
        ),
        Step("name", "onboarding.ask_name", parse=_field(people.valid_name), when=_not_onboarded),
        Step(
            "school",
            "onboarding.ask_school",
            parse=_field(people.valid_school),
            when=_not_onboarded,
        ),
        Step(
            "kkg_id",
            "onboarding.ask_code",
            options=_skip_options,
            free_text=True,
            parse=_code,
            when=_needs_code,
        ),
    ]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        kkg = await kkgs.find_by_code(ctx.session, args) if args else None
        if args and kkg is None:
            ctx.say("onboarding.code_unknown", code=args.strip()[:16])
        if kkg is not None:
            ctx.data["kkg_id"] = kkg.id
        if ctx.person.onboarded_at is not None:
            if kkg is not None:
                await _join(ctx, kkg.id, fresh=False)
            elif not args:
                ctx.say("onboarding.welcome_back", name=ctx.person.name)
            return False
        return True

    async def finish(self, ctx: Ctx) -> None:
        person = ctx.person
        person.consent_at = datetime.fromisoformat(ctx.data["consent_at"])
        person.consent_version = CONSENT_VERSION
        person.name = ctx.data["name"]
        person.school = ctx.data["school"]
        person.onboarded_at = ctx.now
        if ctx.inbound and ctx.inbound.username:
            person.telegram_username = ctx.inbound.username[:64]
        kkg_id = ctx.data.get("kkg_id")
        if kkg_id is None:
            ctx.say("onboarding.done_no_kkg", name=person.name)
            return
        await _join(ctx, kkg_id, fresh=True)


async def _join(ctx: Ctx, kkg_id: int, *, fresh: bool) -> None:
    kkg = await kkgs_get(ctx, kkg_id)
    if await roles.is_member(ctx.session, ctx.person.id, kkg.id):
        ctx.say("onboarding.already_member", kkg=kkg.name)
        return
    await roles.join_kkg(ctx.session, person=ctx.person, kkg=kkg, now=ctx.now)
    if fresh:
        ctx.say("onboarding.done_joined", name=ctx.person.name, kkg=kkg.name)
    else:
        ctx.say("onboarding.joined", kkg=kkg.name)


async def kkgs_get(ctx: Ctx, kkg_id: int) -> Kkg:
    kkg = await ctx.session.get(Kkg, kkg_id)
    assert kkg is not None
    return kkg


def register(registry: Registry) -> None:
    registry.command(
        Command("start", "start", "start", flow=StartFlow(), needs_onboarding=False, order=0)
    )
