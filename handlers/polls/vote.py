"""Answering a poll: toggle buttons on the ballot, or numbers typed in /survei.

Two ways in, one set of rules (services.polls):
- the ballot message's buttons are standalone actions, so they work from the announcement,
  the reminder or any copy: `a:pt:<poll>:<n>` toggles a choice (✅) and redraws the ballot,
  `a:ps:<poll>` sends it. On WhatsApp and in the console a typed number or label presses
  the button of the latest ballot (the router's rule for choices).
- a reply typed to a ballot (`3`, `no 3`, `1 dan 4`, `numerasi`) is the vote, submitted at
  once (kkgbot/engine/answers.py reads it); `/survei` opens a small conversation that does
  the same, and `/survei 1,3` does it on one line.
"""

from __future__ import annotations

from kkgbot.engine.commands import Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import EndConversation, Invalid, Option, Step
from kkgbot.numbers import small_number, small_numbers
from kkgbot.polls import notices as polls_notices
from kkgbot.polls import service as polls
from kkgbot.polls.service import PollError
from kkgbot.understanding.reading import Offered, Reading, read


def _mode_is(mode: str):
    def when(ctx: Ctx) -> bool:
        return ctx.data.get("mode") == mode

    return when


async def _open_polls(ctx: Ctx):
    return await polls.open_polls_for(ctx.session, ctx.person.id, ctx.now)


async def _needs_poll_choice(ctx: Ctx) -> bool:
    if ctx.data.get("mode") != "vote" or ctx.data.get("poll_id"):
        return False
    found = await _open_polls(ctx)
    if len(found) == 1:
        ctx.data["poll_id"] = found[0].id
        return False
    return True


async def _poll_options(ctx: Ctx) -> list[Option]:
    return [Option(p.id, p.question[:60]) for p in await _open_polls(ctx)]


async def _pick_poll(ctx: Ctx, value: object) -> int:
    for poll in await _open_polls(ctx):
        if value == poll.id:
            return poll.id
    raise Invalid("polls.pick_poll")


async def _numbers_prompt(ctx: Ctx) -> str:
    poll = await polls.voting_poll(ctx.session, ctx.data["poll_id"], ctx.person.id, ctx.now)
    kkg = await polls.kkg_of(ctx.session, poll)
    options = await polls.options_of(ctx.session, poll.id)
    state = await polls.ballot_state(ctx.session, poll.id, ctx.person.id)
    lines = [ctx.t("polls.ballot_header", kkg=kkg.name), poll.question]
    lines += [
        ("✅ " if o.position in state.submitted else "")
        + f"{o.position}. {polls_notices.option_title(o, ctx.lang)}"
        for o in options
    ]
    lines.append(
        ctx.t(
            "polls.ballot_rules",
            max=poll.max_choices,
            deadline=polls_notices.deadline_text(poll, kkg, ctx.lang),
        )
    )
    lines.append(ctx.t("polls.type_numbers"))
    return "\n".join(lines)


async def _numbers(ctx: Ctx, text: str) -> list[int]:
    try:
        poll = await polls.voting_poll(ctx.session, ctx.data["poll_id"], ctx.person.id, ctx.now)
    except PollError as bad:  # closed (or left the KKG) while answering: nothing to re-ask
        ctx.say(bad.key, **bad.params)
        raise EndConversation from bad
    try:
        options = await polls.options_of(ctx.session, poll.id)
        titles = [Offered(polls_notices.option_title(o, ctx.lang)) for o in options]
        reading = read(str(text), titles, many=True)
        if reading is None:
            numbers = polls.parse_numbers(str(text))  # explains what is wrong with it
        else:
            numbers = [p + 1 for p in reading.picks]
        polls.check_positions(poll, len(options), numbers)
    except PollError as bad:
        raise Invalid(bad.key, **bad.params) from bad
    return numbers


VOTE_STEPS = [
    Step(
        "poll_id",
        "polls.pick_poll",
        options=_poll_options,
        parse=_pick_poll,
        when=_needs_poll_choice,
        match_only=True,
    ),
    Step("numbers", _numbers_prompt, parse=_numbers, when=_mode_is("vote")),
]


async def finish_vote(ctx: Ctx) -> None:
    try:
        chosen, changed = await polls.submit(
            ctx.session, ctx.data["poll_id"], ctx.person.id, ctx.now, positions=ctx.data["numbers"]
        )
    except PollError as bad:
        ctx.say(bad.key, **bad.params)
        return
    await _thank(ctx, ctx.data["poll_id"], chosen, changed)


async def _thank(ctx: Ctx, poll_id: int, chosen, changed: bool) -> None:
    poll = await polls.voting_poll(ctx.session, poll_id, ctx.person.id, ctx.now)
    kkg = await polls.kkg_of(ctx.session, poll)
    titles = "\n".join(f"• {polls_notices.option_title(o, ctx.lang)}" for o in chosen)
    ctx.say(
        "polls.vote_saved" if changed else "polls.vote_unchanged",
        choices=titles,
        deadline=polls_notices.deadline_text(poll, kkg, ctx.lang),
    )


async def _redraw(ctx: Ctx, poll_id: int) -> None:
    """Send the ballot again with its ✅ marks, asking the channel to edit it in place."""
    poll = await polls.voting_poll(ctx.session, poll_id, ctx.person.id, ctx.now)
    kkg = await polls.kkg_of(ctx.session, poll)
    options = await polls.options_of(ctx.session, poll.id)
    state = await polls.ballot_state(ctx.session, poll.id, ctx.person.id)
    ctx.reply(
        polls_notices.ballot_text(ctx.lang, poll, kkg, options, state),
        polls_notices.ballot_choices(ctx.lang, poll, options, state),
        extra=await polls_notices.ballot_extra(
            ctx.session, poll.id, ctx.person.id, ctx.channel, ctx.address
        ),
    )


async def toggle_action(ctx: Ctx, args: list[str]) -> None:
    numbers = small_numbers(args, 2)
    if numbers is None:
        ctx.say("common.stale_button")
        return
    poll_id, position = numbers
    try:
        await polls.toggle(ctx.session, poll_id, ctx.person.id, position, ctx.now)
    except PollError as bad:
        ctx.say(bad.key, **bad.params)
        return
    await _redraw(ctx, poll_id)


async def submit_action(ctx: Ctx, args: list[str]) -> None:
    numbers = small_numbers(args, 1)
    if numbers is None:
        ctx.say("common.stale_button")
        return
    try:
        chosen, changed = await polls.submit(ctx.session, numbers[0], ctx.person.id, ctx.now)
    except PollError as bad:
        ctx.say(bad.key, **bad.params)
        return
    await _thank(ctx, numbers[0], chosen, changed)


async def typed_vote(ctx: Ctx, question, reading: Reading, text: str) -> None:
    """A reply typed to a ballot (`3`, `1 dan 4`, `numerasi`) is the vote: submitted at once,
    and the thanks says what was chosen. Only "Kirim" named: what is selected goes."""
    poll_id = small_number(question.key.split(":", 1)[1])
    try:
        poll = await polls.voting_poll(ctx.session, poll_id or 0, ctx.person.id, ctx.now)
        options = await polls.options_of(ctx.session, poll.id)
        positions = [p + 1 for p in reading.picks if p < len(options)]
        if positions:
            polls.check_positions(poll, len(options), positions)
        chosen, changed = await polls.submit(
            ctx.session, poll.id, ctx.person.id, ctx.now, positions=positions or None
        )
    except PollError as bad:
        ctx.say(bad.key, **bad.params)
        return
    await _thank(ctx, poll.id, chosen, changed)
    if positions and len(chosen) < poll.max_choices:
        ctx.say("polls.vote_more_hint", max=poll.max_choices)


def register(registry: Registry) -> None:
    registry.action("pt", toggle_action)
    registry.action("ps", submit_action, answers="pt")
    registry.answer("pt", typed_vote, many=True)
