"""/hasil: ranked results of any poll of the KKG, at any time, and adoption into the plan.

The koordinator and the pengawas of a KKG see its results (counts only, never who chose
what). A koordinator may then adopt topics by their number in the ranking: the first is
planned for the month they pick, the next for the month after, and so on, each with the
source "poll", which is what the digest's share of member-chosen topics counts.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from zoneinfo import ZoneInfo

from handlers.common import chosen_kkg, kkg_step
from handlers.polls.workplan import month_options, parse_month, plan_text, say_lessons_for
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import (
    EndConversation,
    Flow,
    Invalid,
    Option,
    Step,
    confirm_step,
    skip_option,
)
from kkgbot.people import messaging, roles
from kkgbot.people.permissions import KOORDINATOR
from kkgbot.polls import results as polls_results
from kkgbot.polls import service as polls
from kkgbot.polls import workplan
from kkgbot.polls.models import SOURCE_POLL, Poll
from kkgbot.polls.service import PollError
from kkgbot.polls.topics import topic_title
from kkgbot.polls.workplan import WorkPlanError


async def _polls(ctx: Ctx) -> list[Poll]:
    return await polls.polls_of_kkg(ctx.session, ctx.data["kkg_id"])


async def _needs_poll_choice(ctx: Ctx) -> bool:
    found = await _polls(ctx)
    if not found:
        ctx.say("polls.no_polls", kkg=(await chosen_kkg(ctx)).name)
        raise EndConversation
    if len(found) == 1:
        ctx.data["poll_id"] = found[0].id
        return False
    return True


async def _poll_options(ctx: Ctx) -> list[Option]:
    kkg = await chosen_kkg(ctx)
    out = []
    for poll in await _polls(ctx):
        when = poll.deadline.astimezone(ZoneInfo(kkg.timezone))
        key = "polls.poll_label_closed" if poll.closed_at else "polls.poll_label_open"
        out.append(Option(poll.id, ctx.t(key, question=poll.question[:45], day=f"{when:%d/%m}")))
    return out


async def _results(ctx: Ctx) -> polls_results.PollResults:
    poll = await ctx.session.get(Poll, ctx.data["poll_id"])
    assert poll is not None and poll.kkg_id == ctx.data["kkg_id"]
    return await polls_results.compute(ctx.session, poll)


async def _show_then_adopt(ctx: Ctx) -> bool:
    """Shows the results once (text and chart); a koordinator then may adopt topics."""
    kkg = await chosen_kkg(ctx)
    results = await _results(ctx)
    if not ctx.data.get("_shown"):
        ctx.data["_shown"] = True
        ctx.data["_zone"] = kkg.timezone
        text = polls_results.results_text(ctx.lang, results, kkg, ctx.now)
        if results.voters:
            png = await polls_results.results_chart(ctx.lang, results, kkg)
            file_id = await messaging.store_file(
                ctx.session, f"hasil-survei-{results.poll_id}.png", "image/png", png, ctx.now
            )
            ctx.reply(text, file_id=file_id, file_name=f"hasil-survei-{results.poll_id}.png")
        else:
            ctx.reply(text)
    koordinator = await roles.has_role(ctx.session, ctx.person.id, KOORDINATOR, kkg.id)
    return koordinator and results.voters > 0


def _skip(ctx: Ctx) -> list[Option]:
    return [skip_option(ctx)]


async def _adopt(ctx: Ctx, value: object) -> list[int]:
    if value == "":
        ctx.say("workplan.unchanged")
        raise EndConversation
    results = await _results(ctx)
    try:
        numbers = polls.parse_numbers(str(value))
    except PollError as bad:
        raise Invalid("polls.adopt_numbers") from bad
    if len(set(numbers)) != len(numbers):
        raise Invalid("polls.repeated_number")
    for n in numbers:
        if not 1 <= n <= len(results.rows):
            raise Invalid("polls.not_an_option", number=n, max=len(results.rows))
        if results.rows[n - 1].votes == 0:
            raise Invalid("polls.adopt_no_votes", number=n)
    return numbers


def _adopting(ctx: Ctx) -> bool:
    return bool(ctx.data.get("adopt"))


async def _picked(ctx: Ctx) -> list[tuple[str, str | None, date]]:
    results = await _results(ctx)
    first = date.fromisoformat(ctx.data["month"])
    return [
        (results.rows[n - 1].label, results.rows[n - 1].topic_id, workplan.add_months(first, i))
        for i, n in enumerate(ctx.data["adopt"])
    ]


async def _summary(ctx: Ctx) -> str:
    kkg = await chosen_kkg(ctx)
    lines = [
        f"• {workplan.month_name(month, ctx.lang)}: " + topic_title(topic_id, title, ctx.lang)
        for title, topic_id, month in await _picked(ctx)
    ]
    return ctx.t("polls.adopt_confirm", kkg=kkg.name, items="\n".join(lines))


class ResultsFlow(Flow):
    name = "poll_results"
    steps = [
        kkg_step("poll.results"),
        Step(
            "poll_id",
            "polls.pick_results",
            options=_poll_options,
            when=_needs_poll_choice,
            match_only=True,
        ),
        Step(
            "adopt",
            "polls.ask_adopt",
            options=_skip,
            free_text=True,
            parse=_adopt,
            when=_show_then_adopt,
        ),
        Step(
            "month",
            "polls.ask_adopt_month",
            options=month_options,
            free_text=True,
            parse=parse_month,
            when=_adopting,
        ),
        dataclasses.replace(confirm_step(_summary), when=_adopting),
    ]

    async def finish(self, ctx: Ctx) -> None:
        if not ctx.data.get("adopt"):
            return  # results only (a pengawas, or nothing to adopt)
        try:
            added, skipped = await workplan.add_items(
                ctx.session,
                kkg_id=ctx.data["kkg_id"],
                items=await _picked(ctx),
                source=SOURCE_POLL,
                poll_id=ctx.data["poll_id"],
                actor_id=ctx.person.id,
                now=ctx.now,
            )
        except WorkPlanError as bad:
            ctx.say(bad.key, **bad.params)
            return
        if added:
            ctx.say("polls.adopted", count=len(added))
        if skipped:
            ctx.say("workplan.skipped", titles=", ".join(skipped))
        say_lessons_for(ctx, [e.topic_id for e in added])
        ctx.reply(await plan_text(ctx, ctx.data["kkg_id"]))


def register(registry: Registry) -> None:
    registry.command(Command("hasil", "results", "poll.results", flow=ResultsFlow(), order=41))
