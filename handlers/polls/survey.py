"""/survei: a koordinator opens a topic-needs poll; every member answers open polls.

One command, two jobs, decided before the first step: a koordinator with text after the
command (`/survei Pertanyaan; 1 | 5 | Opsi sendiri; 2; 2026-12-08 17:00`) creates; a line
of numbers (`/survei 1,3`) or a member without the koordinator role answers; a koordinator
with no text is asked which, when there is an open poll to answer. Answering lives in
`polls_vote`.
"""

from __future__ import annotations

import dataclasses
import inspect
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.common import chosen_kkg, kkg_step
from handlers.polls import vote as polls_vote
from kkgbot.dateparse import DateParseError, describe_local, parse_when
from kkgbot.dateparse_words import ZONE_ABBREVIATIONS
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow, Invalid, Option, Step, confirm_step
from kkgbot.people import messaging, roles
from kkgbot.polls import notices as polls_notices
from kkgbot.polls import service as polls
from kkgbot.polls.service import OptionSpec, PollError
from kkgbot.polls.topics import COMPETENCIES, catalogue

DEADLINE_ERRORS = {
    "past": "polls.deadline_past",
    "time_missing": "polls.deadline_time_missing",
    "impossible_date": "polls.deadline_impossible",
}


def _checked(check):
    """A PollError from a service check becomes the step's Invalid (asked again)."""

    async def parse(ctx: Ctx, value: object):
        try:
            return check(ctx, value)
        except PollError as bad:
            raise Invalid(bad.key, **bad.params) from bad

    return parse


def _creating(ctx: Ctx) -> bool:
    return ctx.data.get("mode") == "create"


def _only_when_creating(step: Step) -> Step:
    inner = step.when

    async def when(ctx: Ctx) -> bool:
        if not _creating(ctx):
            return False
        if inner is None:
            return True
        result = inner(ctx)
        return await result if inspect.isawaitable(result) else result

    return dataclasses.replace(step, when=when)


async def _ask_mode(ctx: Ctx) -> bool:
    return ctx.data.get("mode") is None


async def _mode_options(ctx: Ctx) -> list[Option]:
    found = await polls.open_polls_for(ctx.session, ctx.person.id, ctx.now)
    answer = [Option(p.id, ctx.t("polls.mode_answer", question=p.question[:50])) for p in found]
    return [Option("create", ctx.t("polls.mode_create")), *answer[:5]]


def _mode(ctx: Ctx, value: object) -> str:
    if value == "create":
        return "create"
    ctx.data["poll_id"] = value
    return "vote"


def _options_prompt(ctx: Ctx) -> str:
    cat = catalogue()
    lines = [ctx.t("polls.ask_options", min=polls.MIN_OPTIONS, max=polls.MAX_OPTIONS)]
    number = 0
    for competency in COMPETENCIES:
        lines.append(cat.competency_title(competency, ctx.lang) + ":")
        for topic in cat.topics:
            if topic.competency == competency:
                number = cat.topics.index(topic) + 1
                lines.append(f"{number}. {topic.title(ctx.lang)}")
    return "\n".join(lines)


def _options(ctx: Ctx, value: object) -> list[list[str | None]]:
    return [[s.label, s.topic_id] for s in polls.parse_options(str(value))]


def _specs(ctx: Ctx) -> list[OptionSpec]:
    return [OptionSpec(label, topic) for label, topic in ctx.data["options"]]


def _max_prompt(ctx: Ctx) -> str:
    return ctx.t("polls.ask_max", max=len(ctx.data["options"]))


def _max(ctx: Ctx, value: object) -> int:
    return polls.valid_max_choices(str(value), len(ctx.data["options"]))


async def _zone(ctx: Ctx) -> str:
    return (await chosen_kkg(ctx)).timezone


async def _deadline_prompt(ctx: Ctx) -> str:
    zone = await _zone(ctx)
    return ctx.t("polls.ask_deadline", zone=ZONE_ABBREVIATIONS.get(zone, zone))


async def _deadline(ctx: Ctx, value: object) -> str:
    zone = await _zone(ctx)
    try:
        when = parse_when(str(value), now=ctx.now, tz=zone, earliest_hour=0, latest_hour=24)
        return polls.check_deadline(when.utc, ctx.now).isoformat()
    except DateParseError as bad:
        understood = describe_local(bad.understood, ctx.lang) if bad.understood else ""
        key = DEADLINE_ERRORS.get(bad.reason, "polls.deadline_unparsed")
        raise Invalid(key, when=understood) from bad
    except PollError as bad:
        raise Invalid(bad.key, **bad.params) from bad


def _deadline_local(ctx: Ctx, zone: str) -> str:
    when = datetime.fromisoformat(ctx.data["deadline"]).astimezone(ZoneInfo(zone))
    return describe_local(when, ctx.lang)


async def _summary(ctx: Ctx) -> str:
    kkg = await chosen_kkg(ctx)
    options = "\n".join(f"{n}. {s.title(ctx.lang)}" for n, s in enumerate(_specs(ctx), start=1))
    members = len(await messaging.kkg_members(ctx.session, kkg.id))
    return ctx.t(
        "polls.confirm",
        kkg=kkg.name,
        question=ctx.data["question"],
        options=options,
        max=ctx.data["max_choices"],
        deadline=_deadline_local(ctx, kkg.timezone),
        members=members,
    )


CREATE_STEPS = [
    _only_when_creating(step)
    for step in (
        kkg_step("poll.create"),
        Step(
            "question",
            "polls.ask_question",
            parse=_checked(lambda c, v: polls.valid_question(str(v))),
        ),
        Step("options", _options_prompt, parse=_checked(_options)),
        Step("max_choices", _max_prompt, parse=_checked(_max)),
        Step("deadline", _deadline_prompt, parse=_deadline),
        confirm_step(_summary),
    )
]


class PollFlow(Flow):
    name = "poll"
    steps = [
        Step("mode", "polls.ask_mode", options=_mode_options, parse=_mode, when=_ask_mode),
        *CREATE_STEPS,
        *polls_vote.VOTE_STEPS,
    ]

    async def begin(self, ctx: Ctx, args: str) -> bool:
        can_create = bool(await roles.kkgs_for(ctx.session, ctx.person.id, "poll.create"))
        first = args.split(";", 1)[0]
        numbers = bool(args) and bool(polls.NUMBER_LIST.match(first))
        open_polls = await polls.open_polls_for(ctx.session, ctx.person.id, ctx.now)
        if can_create and args and not numbers:
            ctx.data["mode"] = "create"
            return True
        if not can_create and args and not numbers:
            ctx.say("polls.create_refused")
            return False
        if not open_polls:
            if can_create and not args:
                ctx.data["mode"] = "create"
                return True
            ctx.say("polls.no_open_polls")
            return False
        if not can_create or numbers:
            ctx.data["mode"] = "vote"
        return True

    async def finish(self, ctx: Ctx) -> None:
        if ctx.data.get("mode") == "vote":
            await polls_vote.finish_vote(ctx)
            return
        kkg = await chosen_kkg(ctx)
        poll = await polls.create_poll(
            ctx.session,
            kkg_id=kkg.id,
            created_by_id=ctx.person.id,
            question=ctx.data["question"],
            options=_specs(ctx),
            max_choices=ctx.data["max_choices"],
            deadline=datetime.fromisoformat(ctx.data["deadline"]),
            now=ctx.now,
        )
        sent = await polls_notices.announce(ctx.session, poll, ctx.now)
        ctx.say(
            "polls.created",
            kkg=kkg.name,
            members=sent,
            deadline=_deadline_local(ctx, kkg.timezone),
        )


def register(registry: Registry) -> None:
    registry.command(Command("survei", "poll", "poll", flow=PollFlow(), order=40))
    polls_vote.register(registry)
