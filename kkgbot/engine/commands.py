"""The command table: names in both languages, the permission each needs, what runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow

Runner = Callable[[Ctx, str], Awaitable[None]]
ActionHandler = Callable[[Ctx, list[str]], Awaitable[None]]
# A typed reply read against an open question whose buttons are this feature's actions
# (e.g. "1 dan 4" for a ballot): handler(ctx, question, reading, text).
AnswerHandler = Callable[[Ctx, Any, Any, str], Awaitable[None]]
# Typed text looked at before any question (a check-in code): True when it was handled.
TextHook = Callable[[Ctx, str], Awaitable[bool]]
# Free text that answers nothing and is not a command (a message meant for a person):
# handler(ctx, text, pending question or None) -> True when it took care of it.
Unanswered = Callable[[Ctx, str, Any], Awaitable[bool]]


@dataclass(frozen=True)
class Command:
    """`/name` (Indonesian) with an English alias; either a one-shot `run` or a `flow`."""

    name: str
    alias: str
    action: str  # the permission it needs (services.permissions)
    flow: Flow | None = None
    run: Runner | None = None
    needs_onboarding: bool = True
    order: int = 100  # position in /bantuan and the Telegram menu


class Registry:
    """Everything the router can dispatch to; handlers register, the wiring hands it over."""

    def __init__(self) -> None:
        self.commands: dict[str, Command] = {}
        self.by_word: dict[str, Command] = {}
        self.actions: dict[str, ActionHandler] = {}
        self.answers_to: dict[str, str] = {}  # action -> the question it answers
        self.answer_handlers: dict[str, AnswerHandler] = {}
        self.many: set[str] = set()  # questions that take several choices (a ballot)
        self.text_hooks: list[TextHook] = []
        self.glued_words: tuple[str, ...] = ()  # commands typed stuck to their argument
        self.unanswered: Unanswered | None = None
        self.flows: dict[str, Flow] = {}

    def command(self, command: Command) -> Command:
        for word in dict.fromkeys((command.name, command.alias)):
            if word in self.by_word:
                raise ValueError(f"command word /{word} registered twice")
            self.by_word[word] = command
        self.commands[command.name] = command
        if command.flow is not None:
            self.flows[command.flow.name] = command.flow
        return command

    def flow(self, flow: Flow) -> Flow:
        self.flows[flow.name] = flow
        return flow

    def action(self, name: str, handler: ActionHandler, *, answers: str | None = None) -> None:
        """A standalone button (e.g. an RSVP) whose data is `a:<name>:<args...>`. Running it
        answers the open question of the same action (or of `answers`: the ballot's "Kirim"
        answers the ballot) and subject."""
        self.actions[name] = handler
        self.answers_to[name] = answers or name

    def answer(self, name: str, handler: AnswerHandler, *, many: bool = False) -> None:
        """How a typed reply to a question of action `name` is applied, when pressing the
        button it names is not the whole story (a ballot takes several numbers at once)."""
        self.answer_handlers[name] = handler
        if many:
            self.many.add(name)

    def glued(self, *words: str) -> None:
        """`/hadir376DBN`: these command words may come stuck to their argument."""
        self.glued_words += words

    def text_hook(self, hook: TextHook) -> None:
        self.text_hooks.append(hook)

    def when_unanswered(self, handler: Unanswered) -> None:
        self.unanswered = handler

    def ordered(self) -> list[Command]:
        return sorted(self.commands.values(), key=lambda c: (c.order, c.name))
