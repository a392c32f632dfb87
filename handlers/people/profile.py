"""/profil: a person's own data at a glance, and a way to correct it."""

from __future__ import annotations

from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow, Invalid, Option, Step
from kkgbot.groups import service as groups
from kkgbot.groups.models import HEAR_CHOICES
from kkgbot.meetings import rsvp as meetings_rsvp
from kkgbot.people import identities as people
from kkgbot.people import roles
from kkgbot.people.identities import FieldError

FIELDS = ("name", "school", "nip", "phone")
ALIASES = {
    "nama": "name",
    "name": "name",
    "sekolah": "school",
    "school": "school",
    "nip": "nip",
    "telepon": "phone",
    "phone": "phone",
    "hp": "phone",
    "nomor": "phone",
    "selesai": "",
    "done": "",
    "kabar": "hearing",
    "news": "hearing",
}
HEARING = "hearing"  # where KKG news reaches the person: offered when a KKG has a group


async def profile_text(ctx: Ctx) -> str:
    person = ctx.person
    dash = "—"
    lines = [
        ctx.t("profile.name_line", value=person.name or dash),
        ctx.t("profile.school_line", value=person.school or dash),
        ctx.t("profile.nip_line", value=person.nip or dash),
        ctx.t("profile.phone_line", value=person.phone or dash),
    ]
    held = await roles.roles_of(ctx.session, person.id)
    by_place: dict[str, list[str]] = {}
    for role in held:
        place = role.kkg_name or ctx.t("profile.district")
        by_place.setdefault(place, []).append(ctx.t(f"roles.{role.role}"))
    if by_place:
        lines.append(ctx.t("profile.kkgs_header"))
        lines += [f"• {place}: {', '.join(names)}" for place, names in by_place.items()]
    else:
        lines.append(ctx.t("profile.no_kkg"))
    if await groups.has_group(ctx.session, person.id):
        hears = await groups.hearing_of(ctx.session, person.id)
        lines.append(ctx.t("profile.hearing_line", value=ctx.t(f"profile.hear_{hears}")))
    attendance = await meetings_rsvp.attendance_of(ctx.session, person.id, ctx.now)
    if attendance is not None:
        lines.append(ctx.t(attendance.text_key, **attendance.__dict__))
    return "\n".join(lines)


def _field_options(ctx: Ctx) -> list[Option]:
    fields = (*FIELDS, HEARING) if ctx.data.get("has_group") else FIELDS
    return [Option(f, ctx.t(f"profile.edit_{f}")) for f in fields] + [
        Option("", ctx.t("common.done"))
    ]


def _hearing_options(ctx: Ctx) -> list[Option]:
    return [
        Option(h, ctx.t(f"profile.hear_{h}"), risky=True, words=(ctx.t(f"profile.hear_word_{h}"),))
        for h in HEAR_CHOICES
    ]


def _field(ctx: Ctx, value: str) -> str:
    if value in FIELDS or value == "" or (value == HEARING and ctx.data.get("has_group")):
        return value
    key = ALIASES.get(" ".join(str(value).split()).casefold())
    if key is None:
        raise Invalid("profile.pick_field")
    return key


def _ask_value(ctx: Ctx) -> str:
    return ctx.t(f"profile.ask_{ctx.data['field']}")


async def _value(ctx: Ctx, text: str) -> str:
    field = ctx.data["field"]
    try:
        if field == "name":
            return people.valid_name(text)
        if field == "school":
            return people.valid_school(text)
        if field == "nip":
            return people.valid_nip(text)
        phone = people.normalise_phone(text)
    except FieldError as bad:
        raise Invalid(bad.key, **bad.params) from bad
    if await people.phone_taken(ctx.session, phone, ctx.person.id):
        raise Invalid("profile.phone_taken")
    return phone


class ProfileFlow(Flow):
    name = "profile"
    steps = [
        Step("field", "profile.ask_field", options=_field_options, free_text=True, parse=_field),
        Step("value", _ask_value, parse=_value, when=lambda ctx: ctx.data.get("field") in FIELDS),
        Step(
            "hears",
            "profile.ask_hearing",
            options=_hearing_options,
            when=lambda ctx: ctx.data.get("field") == HEARING,
        ),  # fmt: skip
    ]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        ctx.data["has_group"] = await groups.has_group(ctx.session, ctx.person.id)
        if not args:  # a one-line edit goes straight to saving, and shows the result then
            ctx.reply(await profile_text(ctx))
        return True

    async def finish(self, ctx: Ctx) -> None:
        field = ctx.data.get("field")
        if not field:
            ctx.say("profile.unchanged")
            return
        if field == HEARING:
            await groups.set_hearing(ctx.session, ctx.person.id, ctx.data["hears"], ctx.now)
            ctx.reply(ctx.t("profile.saved") + "\n" + await profile_text(ctx))
            return
        setattr(ctx.person, field, ctx.data["value"])
        ctx.reply(ctx.t("profile.saved") + "\n" + await profile_text(ctx))


def register(registry: Registry) -> None:
    registry.command(Command("profil", "profile", "profile", flow=ProfileFlow(), order=4))
