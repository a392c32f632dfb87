"""Conversations as a list of steps.

A step asks for text or a choice, checks the answer, stores it under its key and moves
on. The state (the waiting step's key, answers, the choices on offer) is a database row,
so a restart resumes at the same step, found by its key: a flow edited in between cannot
send the answer to another question. A typed answer to a choice is read as people type it
(kkgbot.understanding): a number in any form, a yes or no word, a label's key word. A command may carry its answers on one line separated
by `;`: they are fed to the steps in order; an answer that does not fit is explained and
asked again, and the rest of the line follows once it is fixed.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

from sqlalchemy import inspect as sa_inspect

from kkgbot.db.models import Conversation
from kkgbot.engine.context import Ctx
from kkgbot.engine.steps import (  # the names flows are written with
    ConfirmFirst,
    EndConversation,
    Flow,
    Invalid,
    MaybeAwaitable,
    Option,
    Step,
    confirm_step,
    match_option,
    read_option,
    resolved,
    skip_option,
)
from kkgbot.engine.uploads import store_upload
from kkgbot.messages import NO, YES, Choice, InboundFile
from kkgbot.numbers import small_number
from kkgbot.understanding.reading import Reading, meaning_of
from kkgbot.understanding.text import tokens_of

__all__ = [
    "ConfirmFirst", "EndConversation", "Flow", "FlowRunner", "Invalid", "MaybeAwaitable",
    "Option", "Step", "confirm_step", "match_option", "read_option", "skip_option",
]  # fmt: skip


class FlowRunner:
    """Moves a person through a Flow, keeping the state in `conversations`."""

    def __init__(self, flows: dict[str, Flow]) -> None:
        self.flows = flows

    async def start(self, ctx: Ctx, flow: Flow, args: str) -> None:
        await clear(ctx)
        ctx.data = {}
        if not await flow.begin(ctx, args):
            return
        parts = [p.strip() for p in args.split(";")] if flow.oneline and args.strip() else []
        if parts:
            ctx.data["_oneline"] = True
        state = Conversation(
            person_id=ctx.person.id,
            name=flow.name,
            step=flow.steps[0].key if flow.steps else "",
            data={},
            prompt_seq=0,
            channel=ctx.channel,
            address=ctx.address,
            started_at=ctx.now,
            updated_at=ctx.now,
        )
        ctx.session.add(state)
        ctx.no_conversation = False
        await self._advance(ctx, flow, state, parts)

    def current(self, state: Conversation) -> tuple[Flow, int] | None:
        """The flow and the position of the step that waits; None when the flow or the step
        no longer exists (a new version of the bot): the conversation cannot go on."""
        flow = self.flows.get(state.name)
        if flow is None:
            return None
        index = next((i for i, st in enumerate(flow.steps) if st.key == state.step), None)
        return None if index is None else (flow, index)

    def accepts_file(self, state: Conversation) -> bool:
        """Whether the person's current step takes a file (else the router declines it)."""
        found = self.current(state)
        return found is not None and found[0].steps[found[1]].accepts_file

    async def answer(
        self,
        ctx: Ctx,
        state: Conversation,
        *,
        text: str | None,
        data: str | None,
        file: InboundFile | None = None,
    ):
        """Feed one answer to the current step; wrong answers are explained and re-asked."""
        found = self.current(state)
        if found is None:
            ctx.say("common.conversation_gone")
            await self._end(ctx, state)
            return
        flow, index = found
        ctx.data = copy.deepcopy(state.data)
        step = flow.steps[index]
        options = [
            Option(
                o["value"],
                o["label"],
                o.get("meaning"),
                bool(o.get("risky")),
                tuple(o.get("words", ())),
            )
            for o in ctx.data.get("_options", [])
        ]
        try:
            if file is not None and step.accepts_file:
                ctx.data[step.key] = await store_upload(ctx, file)
            else:
                value = self._raw_answer(ctx, state, step, options, text, data)
                ctx.data[step.key] = await self._parse(ctx, step, value)
        except ConfirmFirst as risky:
            await self._confirm_choice(ctx, state, options[risky.index])
            return
        except Invalid as bad:
            ctx.reply(ctx.t(bad.key, **bad.params))
            await self._ask(ctx, state, step)
            return
        except EndConversation:
            await self._end(ctx, state)
            return
        ctx.data.pop("_confirming", None)
        pending = ctx.data.pop("_pending", [])
        await self._advance(ctx, flow, state, pending, index + 1)

    def _raw_answer(self, ctx, state, step, options, text, data) -> Any:
        confirming = ctx.data.get("_confirming")
        if data is not None:
            prefix = f"s:{state.prompt_seq}:"
            index = small_number(data[len(prefix) :]) if data.startswith(prefix) else None
            if confirming is not None:
                return self._confirmed(ctx, options, confirming, index == 0)
            if index is None or index >= len(options):
                raise Invalid("common.stale_button")
            return options[index].value
        text = (text or "").strip()
        if confirming is not None:
            meaning, _, _ = meaning_of(tokens_of(text))
            reading = read_option(text, self._yes_no(ctx))
            yes = meaning == YES or bool(reading and reading.picks == (0,))
            return self._confirmed(ctx, options, confirming, yes)
        if options:
            reading = read_option(text, options)
            if step.free_text and reading is not None and self._only_text(reading):
                reading = None  # free text that only mentions a choice is text for the step
            if reading is not None and reading.ambiguous:
                named = [options[i].label for i in reading.picks]
                raise Invalid("common.which_one", choices=" / ".join(named))
            if reading is not None:
                index = reading.picks[0]
                if options[index].risky and reading.how not in ("exact", "words"):
                    raise ConfirmFirst(index)  # "2", "dua", a word of its label: asked first
                return options[index].value
            if step.keep_text and len(text.split()) >= 3:
                kept = [*ctx.data.get(step.keep_text, []), text[: ctx.settings.max_input_chars]]
                ctx.data[step.keep_text] = kept
                raise Invalid("common.text_kept")
            if not step.free_text:
                raise Invalid("common.pick_one", choices=", ".join(o.label for o in options))
        if not text:
            raise Invalid("common.empty_answer")
        return text

    @staticmethod
    def _only_text(reading: Reading) -> bool:
        """At a step that also takes free text, these readings are the text's business: a
        word of a label, or numbers such as "1,1" and "2,3" that the step's own parse reads."""
        if reading.alternatives:
            return False  # "1 atau 3": the person offers two; the bot asks which
        if reading.how == "label" or reading.ambiguous:
            return True
        return reading.how == "number" and reading.numbers_typed > 1

    @staticmethod
    def _yes_no(ctx: Ctx) -> list[Option]:
        return [
            Option(True, ctx.t("common.yes_button"), YES),
            Option(False, ctx.t("common.cancel_button"), NO),
        ]

    def _confirmed(self, ctx: Ctx, options: list[Option], index: int, yes: bool) -> Any:
        """The answer to "you chose X, go ahead?": X itself, or the step asked again."""
        ctx.data.pop("_confirming", None)
        original = ctx.data.pop("_confirm_options", None)
        if original is not None:
            ctx.data["_options"] = original
        if not yes:
            raise Invalid("common.not_changed")
        return original[index]["value"] if original else options[index].value

    async def _confirm_choice(self, ctx: Ctx, state: Conversation, option: Option) -> None:
        state.prompt_seq += 1
        index = next(i for i, o in enumerate(ctx.data["_options"]) if o["label"] == option.label)
        ctx.data["_confirming"] = index
        ctx.data["_confirm_options"] = ctx.data["_options"]
        yes_no = self._yes_no(ctx)
        choices = [Choice(o.label, f"s:{state.prompt_seq}:{i}") for i, o in enumerate(yes_no)]
        ctx.reply(ctx.t("common.confirm_choice", choice=option.label), choices)
        state.data = copy.deepcopy(ctx.data)
        state.updated_at = ctx.now

    async def _parse(self, ctx: Ctx, step: Step, value: Any) -> Any:
        return await resolved(step.parse(ctx, value)) if step.parse else value

    async def _advance(
        self, ctx: Ctx, flow: Flow, state: Conversation, parts: list[str], index: int = 0
    ):
        oneline = ctx.data.get("_oneline", False)
        while index < len(flow.steps):
            step = flow.steps[index]
            state.step = step.key
            try:
                skip = step.when is not None and not await resolved(step.when(ctx))
            except EndConversation:
                await self._end(ctx, state)
                return
            if skip:
                index += 1
                continue
            if parts and step.from_line:
                part = parts[0]
                if part == "" and step.optional:
                    parts.pop(0)
                    ctx.data[step.key] = None
                    index += 1
                    continue
                try:
                    options = await step.option_list(ctx)
                    value: Any = part
                    if options:
                        picked = match_option(part, options, risky_needs_words=True)
                        if picked is None and not step.free_text:
                            raise Invalid(
                                "common.pick_one", choices=", ".join(o.label for o in options)
                            )
                        value = picked.value if picked else part
                    if not value:
                        raise Invalid("common.empty_answer")
                    ctx.data[step.key] = await self._parse(ctx, step, value)
                    parts.pop(0)
                except Invalid as bad:
                    if not step.match_only:
                        parts.pop(0)
                        ctx.reply(ctx.t(bad.key, **bad.params))
                    ctx.data["_pending"] = parts
                    await self._ask(ctx, state, step)
                    return
                except EndConversation:
                    await self._end(ctx, state)
                    return
                index += 1
                continue
            if oneline and step.optional and step.from_line:
                ctx.data[step.key] = None
                index += 1
                continue
            if parts and not step.from_line:
                ctx.data["_pending"] = parts
            await self._ask(ctx, state, step)
            return
        await self._end(ctx, state)
        with contextlib.suppress(EndConversation):
            await flow.finish(ctx)

    async def _ask(self, ctx: Ctx, state: Conversation, step: Step) -> None:
        state.prompt_seq += 1
        options = await step.option_list(ctx)
        ctx.data["_options"] = [
            {
                "value": o.value,
                "label": o.label,
                "meaning": o.meaning,
                "risky": o.risky,
                "words": list(o.words),
            }
            for o in options
        ]
        choices = [Choice(o.label, f"s:{state.prompt_seq}:{i}") for i, o in enumerate(options)]
        prompt = await step.prompt_text(ctx)
        ctx.data["_prompt"] = prompt.strip().splitlines()[-1][:200] if prompt.strip() else ""
        ctx.reply(prompt, choices)
        # A fresh copy: JSON columns only notice a change when given a new object.
        state.data = copy.deepcopy(ctx.data)
        state.updated_at = ctx.now

    async def _end(self, ctx: Ctx, state: Conversation) -> None:
        insp = sa_inspect(state)
        if insp.pending:
            ctx.session.expunge(state)
        elif insp.persistent:
            await ctx.session.delete(state)
            await ctx.session.flush()
        ctx.no_conversation = True


async def conversation_of(ctx: Ctx) -> Conversation | None:
    """The person's conversation in progress. The router's first read loaded it with the
    person, or found there was none (`ctx.no_conversation`): then no second round trip."""
    if ctx.no_conversation:
        return None
    return await ctx.session.get(Conversation, ctx.person.id)


async def clear(ctx: Ctx) -> bool:
    """End whatever conversation the person is in; True if there was one."""
    state = await conversation_of(ctx)
    if state is None:
        return False
    await ctx.session.delete(state)
    await ctx.session.flush()
    ctx.no_conversation = True
    return True
