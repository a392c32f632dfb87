"""The command table: names in both languages, the permission each needs, what runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import Flow

Runner = Callable[[Ctx, str], Awaitable[None]]
ActionHandler = Callable[[Ctx, list[str]], Awaitable[None]]
# Free text typed in answer to a message whose buttons are actions (e.g. "1,3,5" for a ballot).
TypedHandler = Callable[[Ctx, str, list[str]], Awaitable[bool]]


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
        self.typed: dict[str, TypedHandler] = {}
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

    def action(self, name: str, handler: ActionHandler) -> None:
        """A standalone button (e.g. an RSVP) whose data is `a:<name>:<args...>`."""
        self.actions[name] = handler

    def typed_answer(self, name: str, handler: TypedHandler) -> None:
        """Text typed after a message whose first button is action `name` goes to `handler`.

        It receives the text and the data of that message's buttons, and returns False when
        the text is not for it (the person then gets the usual "not understood").
        """
        self.typed[name] = handler

    def ordered(self) -> list[Command]:
        return sorted(self.commands.values(), key=lambda c: (c.order, c.name))
