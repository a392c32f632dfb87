"""The parts a conversation is built of: a flow, its steps, the options a step offers,
and the exceptions a step's check raises (asked again, conversation over, confirm first).
The runner that plays them is kkgbot.engine.flow."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kkgbot import i18n
from kkgbot.engine.context import Ctx
from kkgbot.messages import NO, YES
from kkgbot.understanding.reading import Offered, Reading, read

MaybeAwaitable = Any


class Invalid(Exception):
    """An answer that cannot be taken; the text key explains why, in the person's language."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class EndConversation(Exception):
    """Raised by a step to end the conversation after its replies (e.g. consent refused)."""


class ConfirmFirst(Exception):
    """A bare number picked a risky option (pausing, leaving): asked again before it counts."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


@dataclass(frozen=True)
class Option:
    value: Any
    label: str
    meaning: str | None = None  # YES / NO / MAYBE: typed words that answer it
    risky: bool = False  # changes a setting or removes something: a bare number confirms first
    words: tuple[str, ...] = ()  # other words that name it (see messages.Choice.words)


async def resolved(value: MaybeAwaitable) -> Any:
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
    # where text that is no choice is kept (a comment typed at a rating): kept, then the
    # choice is asked again, instead of throwing the words away
    keep_text: str | None = None
    takes_questions: bool = True  # False: a text that asks something is not an answer here

    async def prompt_text(self, ctx: Ctx) -> str:
        if callable(self.ask):
            return await resolved(self.ask(ctx))
        return ctx.t(self.ask)

    async def option_list(self, ctx: Ctx) -> list[Option]:
        if self.options is None:
            return []
        if callable(self.options):
            return list(await resolved(self.options(ctx)))
        return list(self.options)


def confirm_step(summary: Callable[[Ctx], MaybeAwaitable]) -> Step:
    """The house confirmation: `[1] Ya` goes ahead, `[2] Batal` stops; never from a line."""

    def options(ctx: Ctx) -> list[Option]:
        return [
            Option(True, ctx.t("common.yes_button"), YES),
            Option(False, ctx.t("common.cancel_button"), NO),
        ]

    async def parse(ctx: Ctx, value: Any) -> bool:
        if value is not True:
            ctx.say("common.cancelled")
            raise EndConversation
        return True

    return Step("_confirm", summary, options=options, parse=parse, from_line=False)


def match_option(
    text: str, options: list[Option], *, risky_needs_words: bool = False
) -> Option | None:
    """A typed answer to a choice, read as people type it; None when it names none or more
    than one of the options (see `read_option` for why), or, with `risky_needs_words`, when
    it names a risky option by anything less than its words (a one-line command has no
    confirmation to ask)."""
    reading = read_option(text, options)
    if reading is None or reading.ambiguous:
        return None
    option = options[reading.picks[0]]
    if risky_needs_words and option.risky and reading.how not in ("exact", "words"):
        return None
    return option


def read_option(text: str, options: list[Option]) -> Reading | None:
    return read(text, [Offered(o.label, o.meaning, tuple(o.words)) for o in options])


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


def skip_option(ctx: Ctx, value: Any = "", label_key: str = "common.skip") -> Option:
    """The "Lewati" of an optional step, answered by the words people use for it (`tidak
    ada`, `ga usah`, `skip`) as well as by its label."""
    return Option(value, ctx.t(label_key), words=i18n.word_list("common.skip_words"))
