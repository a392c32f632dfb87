"""/program: the KKG's work plan (program kerja), seen by members, kept by the koordinator.

Members and the pengawas see the plan month by month, each item marked as chosen by the
members' votes or by the koordinator. A koordinator may add a topic (from the catalogue or
their own) for a month, or remove one; topics from a poll are adopted in /hasil, so that
their source stays "poll".
"""

from __future__ import annotations

import dataclasses
from datetime import date

from handlers.common import chosen_kkg, kkg_step
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import EndConversation, Flow, Invalid, Option, Step, confirm_step
from kkgbot.learning.coverage import lessons_for
from kkgbot.numbers import small_number
from kkgbot.people import roles
from kkgbot.people.identities import clean_text
from kkgbot.people.permissions import KOORDINATOR
from kkgbot.polls import workplan
from kkgbot.polls.models import SOURCE_KOORDINATOR
from kkgbot.polls.topics import COMPETENCIES, catalogue, topic_title
from kkgbot.polls.workplan import WorkPlanError

OPS = {"tambah": "add", "add": "add", "hapus": "remove", "remove": "remove", "delete": "remove"}
OPS.update({"tambah topik": "add", "add a topic": "add", "hapus topik": "remove"})
OPS.update({"remove a topic": "remove", "selesai": "", "done": "", "lewati": "", "skip": ""})


async def plan_text(ctx: Ctx, kkg_id: int) -> str:
    kkg = await chosen_kkg(ctx)
    entries = await workplan.work_plan(ctx.session, kkg_id)
    if not entries:
        return ctx.t("workplan.empty", kkg=kkg.name)
    share = await workplan.vote_share(ctx.session, kkg_id)
    lines = [ctx.t("workplan.header", kkg=kkg.name)]
    lines += [f"{n}. {e.line(ctx.lang)}" for n, e in enumerate(entries, start=1)]
    lines.append(
        ctx.t(
            "workplan.share",
            votes=share.from_votes,
            total=share.total,
            pct=f"{round((share.share or 0) * 100)}%",
        )
    )
    return "\n".join(lines)


def month_options(ctx: Ctx, count: int = 3) -> list[Option]:
    """The next months as buttons; any other month may be typed."""
    zone = ctx.data.get("_zone") or ctx.settings.default_timezone
    first = workplan.this_month(ctx.now, zone)
    months = [workplan.add_months(first, n) for n in range(count)]
    return [Option(m.isoformat(), workplan.month_name(m, ctx.lang)) for m in months]


async def parse_month(ctx: Ctx, value: object) -> str:
    kkg = await chosen_kkg(ctx)
    if isinstance(value, str) and value in {o.value for o in month_options(ctx)}:
        return value
    try:
        return workplan.parse_month(str(value), ctx.now, kkg.timezone, ctx.lang).isoformat()
    except WorkPlanError as bad:
        raise Invalid(bad.key, **bad.params) from bad


async def _is_koordinator(ctx: Ctx) -> bool:
    return await roles.has_role(ctx.session, ctx.person.id, KOORDINATOR, ctx.data["kkg_id"])


async def _show_then_edit(ctx: Ctx) -> bool:
    """Shows the plan once; only a koordinator of this KKG goes on to change it."""
    editor = await _is_koordinator(ctx)
    oneline = ctx.data.get("_oneline", False)
    if not ctx.data.get("_shown"):
        ctx.data["_shown"] = True
        ctx.data["_zone"] = (await chosen_kkg(ctx)).timezone
        if oneline and not editor:
            ctx.say("workplan.edit_refused")
        if not (oneline and editor):  # a one-line edit shows the plan once, when done
            ctx.reply(await plan_text(ctx, ctx.data["kkg_id"]))
    return editor


async def _op_options(ctx: Ctx) -> list[Option]:
    options = [Option("add", ctx.t("workplan.op_add"))]
    if await workplan.work_plan(ctx.session, ctx.data["kkg_id"]):
        options.append(Option("remove", ctx.t("workplan.op_remove"), risky=True))
    return [*options, Option("", ctx.t("common.done"))]


async def _op(ctx: Ctx, value: object) -> str:
    op = value if value in ("add", "remove", "") else OPS.get(str(value).strip().casefold())
    if op is None:
        raise Invalid("workplan.pick_op")
    if op == "":
        ctx.say("workplan.unchanged")
        raise EndConversation
    if op == "remove" and not await workplan.work_plan(ctx.session, ctx.data["kkg_id"]):
        raise Invalid("workplan.nothing_to_remove")
    return op


def _op_is(op: str):
    return lambda ctx: ctx.data.get("op") == op


def _topic_prompt(ctx: Ctx) -> str:
    cat = catalogue()
    lines = [ctx.t("workplan.ask_topic")]
    for competency in COMPETENCIES:
        lines.append(cat.competency_title(competency, ctx.lang) + ":")
        lines += [
            f"{cat.topics.index(t) + 1}. {t.title(ctx.lang)}"
            for t in cat.topics
            if t.competency == competency
        ]
    return "\n".join(lines)


async def _topic(ctx: Ctx, value: object) -> list[str | None]:
    title, topic_id = _topic_of(value)
    for entry in await workplan.work_plan(ctx.session, ctx.data["kkg_id"]):
        if (entry.topic_id or entry.title.casefold()) == (topic_id or title.casefold()):
            raise Invalid("workplan.already_planned_pick", item=entry.line(ctx.lang))
    return [title, topic_id]


def _topic_of(value: object) -> list[str | None]:
    cat = catalogue()
    text = clean_text(str(value))
    if text.isascii() and text.isdigit():
        number = small_number(text) or 0
        if not 1 <= number <= len(cat.topics):
            raise Invalid("polls.topic_number_unknown", number=text[:6], max=len(cat.topics))
        topic = cat.topics[number - 1]
        return [topic.title("id"), topic.id]
    topic = cat.find(text)
    if topic is not None:
        return [topic.title("id"), topic.id]
    if len(text) > 60 or sum(ch.isalpha() for ch in text) < 3:
        raise Invalid("workplan.bad_title", max=60)
    return [text, None]


async def _item_options(ctx: Ctx) -> list[Option]:
    entries = await workplan.work_plan(ctx.session, ctx.data["kkg_id"])
    return [Option(e.id, e.line(ctx.lang)) for e in entries]


async def _summary(ctx: Ctx) -> str:
    kkg = await chosen_kkg(ctx)
    if ctx.data["op"] == "add":
        title, topic_id = ctx.data["topic"]
        return ctx.t(
            "workplan.confirm_add",
            kkg=kkg.name,
            title=topic_title(topic_id, title, ctx.lang),
            month=workplan.month_name(date.fromisoformat(ctx.data["month"]), ctx.lang),
        )
    label = next(o.label for o in await _item_options(ctx) if o.value == ctx.data["item"])
    return ctx.t("workplan.confirm_remove", kkg=kkg.name, item=label)


class WorkPlanFlow(Flow):
    name = "workplan"
    steps = [
        kkg_step("workplan"),
        Step(
            "op",
            "workplan.ask_op",
            options=_op_options,
            parse=_op,
            free_text=True,
            when=_show_then_edit,
        ),
        Step("topic", _topic_prompt, parse=_topic, when=_op_is("add")),
        Step(
            "month",
            "workplan.ask_month",
            options=month_options,
            free_text=True,
            parse=parse_month,
            when=_op_is("add"),
        ),
        Step("item", "workplan.ask_item", options=_item_options, when=_op_is("remove")),
        dataclasses.replace(confirm_step(_summary), when=lambda ctx: bool(ctx.data.get("op"))),
    ]

    async def finish(self, ctx: Ctx) -> None:
        op = ctx.data.get("op")
        if not op:
            return  # a member only looked at the plan
        kkg_id = ctx.data["kkg_id"]
        if op == "remove":
            removed = await workplan.remove_item(
                ctx.session,
                kkg_id=kkg_id,
                item_id=ctx.data["item"],
                actor_id=ctx.person.id,
                now=ctx.now,
            )
            ctx.say("workplan.removed" if removed else "workplan.item_gone")
        else:
            title, topic_id = ctx.data["topic"]
            try:
                added, _ = await workplan.add_items(
                    ctx.session,
                    kkg_id=kkg_id,
                    items=[(title, topic_id, date.fromisoformat(ctx.data["month"]))],
                    source=SOURCE_KOORDINATOR,
                    poll_id=None,
                    actor_id=ctx.person.id,
                    now=ctx.now,
                )
            except WorkPlanError as bad:
                ctx.say(bad.key, **bad.params)
                return
            ctx.say("workplan.added" if added else "workplan.already_planned")
            if added:
                say_lessons_for(ctx, [topic_id])
        ctx.reply(await plan_text(ctx, kkg_id))


def say_lessons_for(ctx: Ctx, topic_ids: list[str | None]) -> None:
    """A planned catalogue topic without lessons is named at once, with what comes instead."""
    for topic_id in dict.fromkeys(t for t in topic_ids if t):
        found = lessons_for(topic_id)
        if found.own:
            continue
        title = topic_title(topic_id, topic_id, ctx.lang)
        if found.instead_pack:
            ctx.say("learning.topic_instead", topic=title, pack=found.instead_pack)
        else:
            ctx.say("learning.topic_no_lessons", topic=title)


def register(registry: Registry) -> None:
    registry.command(Command("program", "plan", "workplan", flow=WorkPlanFlow(), order=42))
