"""/peran: the district admin hands over or takes back roles in a KKG from the chat."""

from __future__ import annotations

from handlers.common import chosen_kkg
from kkgbot.db.models import Kkg, Person
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import EndConversation, Flow, Invalid, Option, Step, confirm_step
from kkgbot.people import roles
from kkgbot.people.permissions import KOORDINATOR, NARASUMBER, PENGAWAS

OPERATIONS = (
    "handover_koordinator",
    "add_koordinator",
    "revoke_koordinator",
    "add_narasumber",
    "revoke_narasumber",
    "add_pengawas",
    "revoke_pengawas",
)


async def _district_kkgs(ctx: Ctx) -> list[Kkg]:
    return await roles.admin_district_kkgs(ctx.session, ctx.person.id)


async def _kkg_options(ctx: Ctx) -> list[Option]:
    kkgs = await _district_kkgs(ctx)
    if not kkgs:
        ctx.say("roles_admin.no_kkgs")
        raise EndConversation
    return [Option(k.id, k.name) for k in kkgs]


async def _people_options(ctx: Ctx) -> list[Option]:
    """Members of the KKG and, for supervisors, anyone onboarded in the district."""
    kkg = await chosen_kkg(ctx)
    people = await roles.district_people(ctx.session, kkg.district_id)
    return [Option(p.id, f"{p.name} ({p.school or '—'})") for p in people]


def _by_name(options_of):
    async def parse(ctx: Ctx, value: object) -> int:
        if isinstance(value, int):
            return value
        wanted = str(value).casefold()
        hits = [o for o in await options_of(ctx) if o.label.casefold().startswith(wanted)]
        if len(hits) != 1:
            raise Invalid("roles_admin.person_not_found")
        return hits[0].value

    return parse


def _op_options(ctx: Ctx) -> list[Option]:
    return [Option(op, ctx.t(f"roles_admin.op_{op}")) for op in OPERATIONS]


async def _summary(ctx: Ctx) -> str:
    kkg = await chosen_kkg(ctx)
    person = await ctx.session.get(Person, ctx.data["person_id"])
    return ctx.t(
        "roles_admin.confirm",
        op=ctx.t(f"roles_admin.op_{ctx.data['op']}"),
        name=person.name,
        kkg=kkg.name,
    )


class RolesFlow(Flow):
    name = "roles_admin"
    steps = [
        Step("kkg_id", "roles_admin.ask_kkg", options=_kkg_options),
        Step(
            "person_id",
            "roles_admin.ask_person",
            options=_people_options,
            free_text=True,
            parse=_by_name(_people_options),
        ),
        Step("op", "roles_admin.ask_op", options=_op_options),
        confirm_step(_summary),
    ]

    async def finish(self, ctx: Ctx) -> None:
        kkg = await chosen_kkg(ctx)
        person = await ctx.session.get(Person, ctx.data["person_id"])
        op = ctx.data["op"]
        verb, _, role = op.partition("_")
        role = {"koordinator": KOORDINATOR, "narasumber": NARASUMBER, "pengawas": PENGAWAS}[role]
        common = dict(now=ctx.now, actor="chat", actor_person_id=ctx.person.id)
        if verb == "handover":
            for current in await roles.koordinators_of(ctx.session, kkg.id):
                if current.id != person.id:
                    await roles.revoke(ctx.session, person=current, role=role, kkg=kkg, **common)
            await roles.grant(ctx.session, person=person, role=role, kkg=kkg, **common)
            changed = True
        elif verb == "add":
            changed = await roles.grant(ctx.session, person=person, role=role, kkg=kkg, **common)
        else:
            changed = await roles.revoke(ctx.session, person=person, role=role, kkg=kkg, **common)
        ctx.say(
            "roles_admin.done"
            if changed
            else ("roles_admin.already" if verb == "add" else "roles_admin.not_held"),
            name=person.name,
            kkg=kkg.name,
            role=ctx.t(f"roles.{role}"),
        )


def register(registry: Registry) -> None:
    registry.command(Command("peran", "roles", "roles.manage", flow=RolesFlow(), order=80))
