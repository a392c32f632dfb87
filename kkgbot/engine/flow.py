"""Conversations as a list of steps.

A step asks for text or a choice, checks the answer, stores it under its key and moves
on. The state (step number, answers, the choices on offer) is a database row, so a
restart resumes at the same step. A command may carry its answers on one line separated
by `;`: they are fed to the steps in order; an answer that does not fit is explained and
asked again, and the rest of the line follows once it is fixed.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect as sa_inspect

from kkgbot.db.models import Conversation, StoredFile
from kkgbot.engine.context import Ctx
from kkgbot.messages import Choice, InboundFile
from kkgbot.numbers import small_number

MaybeAwaitable = Any


class Invalid(Exception):
    """An answer that cannot be taken; the text key explains why, in the person's language."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class EndConversation(Exception):
    """Raised by a step to end the conversation after its replies (e.g. consent refused)."""


@dataclass(frozen=True)
class Option:
    value: Any
    label: str


async def _maybe(value: MaybeAwaitable) -> Any:
    return await value if inspect.isawaitable(value) else value


@dataclass
class Step:
    """One question. With `options` it is a choice (free text too when `free_text`)."""

    key: str
    ask: str | Callable[[Ctx], MaybeAwaitable]
    options: Callable[[Ctx], MaybeAwaitable] | list[Option] | None = None
    parse: Callable[[Ctx, Any], MaybeAwaitable] | None = None
    optional: bool = False
    free_text: bool = False
    when: Callable[[Ctx], MaybeAwaitable] | None = None
    from_line: bool = True  # takes an answer from a one-line command
    match_only: bool = False  # from a line, takes the part only if it fits; else asks
    # takes a file or image as the answer too: stored, and the answer becomes
    # {"file_id", "name", "mime"} (`parse` is for typed answers only)
    accepts_file: bool = False

    async def prompt_text(self, ctx: Ctx) -> str:
        if callable(self.ask):
            return await _maybe(self.ask(ctx))
        return ctx.t(self.ask)

    async def option_list(self, ctx: Ctx) -> list[Option]:
        if self.options is None:
            return []
        if callable(self.options):
            return list(await _maybe(self.options(ctx)))
        return list(self.options)


def confirm_step(summary: Callable[[Ctx], MaybeAwaitable]) -> Step:
    """The house confirmation: `[1] Ya` goes ahead, `[2] Batal` stops; never from a line."""

    def options(ctx: Ctx) -> list[Option]:
        return [
            Option(True, ctx.t("common.yes_button")),
            Option(False, ctx.t("common.cancel_button")),
        ]

    async def parse(ctx: Ctx, value: Any) -> bool:
        if value is not True:
            ctx.say("common.cancelled")
            raise EndConversation
        return True

    return Step("_confirm", summary, options=options, parse=parse, from_line=False)


def match_option(text: str, options: list[Option]) -> Option | None:
    """A typed answer to a choice: its number, or its label in any case."""
    answer = " ".join(text.split()).casefold()
    number = small_number(answer)
    if number is not None and 1 <= number <= len(options):
        return options[number - 1]
    for option in options:
        if option.label.casefold() == answer:
            return option
    return None


class Flow:
    """A named conversation: subclasses list `steps` and implement `finish`."""

    name: str = ""
    steps: list[Step] = []
    oneline: bool = True  # False: `begin` reads the arguments itself (e.g. /start KODE)

    async def begin(self, ctx: Ctx, args: str) -> bool:
        """Runs before the first step; False ends the conversation at once."""
        return True

    async def finish(self, ctx: Ctx) -> None:
        raise NotImplementedError


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
            step=0,
            data={},
            prompt_seq=0,
            channel=ctx.channel,
            address=ctx.address,
            started_at=ctx.now,
            updated_at=ctx.now,
        )
        ctx.session.add(state)
        await self._advance(ctx, flow, state, parts)

    def accepts_file(self, state: Conversation) -> bool:
        """Whether the person's current step takes a file (else the router declines it)."""
        flow = self.flows.get(state.name)
        return (
            flow is not None
            and state.step < len(flow.steps)
            and flow.steps[state.step].accepts_file
        )

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
        flow = self.flows[state.name]
        ctx.data = copy.deepcopy(state.data)
        step = flow.steps[state.step]
        options = [Option(o["value"], o["label"]) for o in ctx.data.get("_options", [])]
        try:
            if file is not None and step.accepts_file:
                ctx.data[step.key] = await store_upload(ctx, file)
            else:
                value = self._raw_answer(ctx, state, step, options, text, data)
                ctx.data[step.key] = await self._parse(ctx, step, value)
        except Invalid as bad:
            ctx.reply(ctx.t(bad.key, **bad.params))
            await self._ask(ctx, state, step)
            return
        except EndConversation:
            await self._end(ctx, state)
            return
        state.step += 1
        pending = ctx.data.pop("_pending", [])
        await self._advance(ctx, flow, state, pending)

    def _raw_answer(self, ctx, state, step, options, text, data) -> Any:
        if data is not None:
            prefix = f"s:{state.prompt_seq}:"
            index = small_number(data[len(prefix) :]) if data.startswith(prefix) else None
            if index is None or index >= len(options):
                raise Invalid("common.stale_button")
            return options[index].value
        text = (text or "").strip()
        if options:
            picked = match_option(text, options)
            if picked is not None:
                return picked.value
            if not step.free_text:
                raise Invalid("common.pick_one", choices=", ".join(o.label for o in options))
        if not text:
            raise Invalid("common.empty_answer")
        return text

    async def _parse(self, ctx: Ctx, step: Step, value: Any) -> Any:
        return await _maybe(step.parse(ctx, value)) if step.parse else value

    async def _advance(self, ctx: Ctx, flow: Flow, state: Conversation, parts: list[str]):
        oneline = ctx.data.get("_oneline", False)
        while state.step < len(flow.steps):
            step = flow.steps[state.step]
            try:
                skip = step.when is not None and not await _maybe(step.when(ctx))
            except EndConversation:
                await self._end(ctx, state)
                return
            if skip:
                state.step += 1
                continue
            if parts and step.from_line:
                part = parts[0]
                if part == "" and step.optional:
                    parts.pop(0)
                    ctx.data[step.key] = None
                    state.step += 1
                    continue
                try:
                    options = await step.option_list(ctx)
                    value: Any = part
                    if options:
                        picked = match_option(part, options)
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
                state.step += 1
                continue
            if oneline and step.optional and step.from_line:
                ctx.data[step.key] = None
                state.step += 1
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
        ctx.data["_options"] = [{"value": o.value, "label": o.label} for o in options]
        choices = [Choice(o.label, f"s:{state.prompt_seq}:{i}") for i, o in enumerate(options)]
        ctx.reply(await step.prompt_text(ctx), choices)
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


def safe_file_name(name: str, mime: str) -> str:
    """A name that is only a name: no folders, no control characters, at most 120 long."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".") or "file"
    if "." not in base and "/" in mime:
        base += "." + mime.split("/", 1)[1].split(";", 1)[0].split("+", 1)[0][:10]
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = stem[: 119 - len(ext)] + dot + ext if dot and len(ext) <= 10 else base[:120]
    return base


async def store_upload(ctx: Ctx, file: InboundFile) -> dict[str, Any]:
    """Keep a file a person sent, in the transaction of the step it answers, marked as
    theirs (so /dataku exports it and /hapusdata deletes it)."""
    name = safe_file_name(file.name, file.mime)
    stored = StoredFile(
        name=name,
        mime=(file.mime or "application/octet-stream")[:80],
        data=file.data,
        created_at=ctx.now,
        uploaded_by_person_id=ctx.person.id,
    )
    ctx.session.add(stored)
    await ctx.session.flush()
    return {"file_id": stored.id, "name": name, "mime": stored.mime}


async def clear(ctx: Ctx) -> bool:
    """End whatever conversation the person is in; True if there was one."""
    state = await ctx.session.get(Conversation, ctx.person.id)
    if state is None:
        return False
    await ctx.session.delete(state)
    await ctx.session.flush()
    return True
