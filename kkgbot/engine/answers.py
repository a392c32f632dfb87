"""Which question a typed reply answers, when a person may have several open at once.

The rule (also in the README): a reply goes to the question it fits; if it fits several,
to the most recent one it fits (questions not answered yet before those already answered);
a step of the conversation in progress that takes free text fits anything, in its turn of
recency. When two questions it fits came within two minutes of each other, the bot asks
which one with a short numbered list. What fits nothing is, in this order: a command word
without the slash (`bantuan`), a message for a person (offered to the koordinator), or
neither, and then the pending question is shown again instead of "not understood".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kkgbot.db.models import Conversation, OpenQuestion
from kkgbot.delivery import questions
from kkgbot.engine.command_words import command_word
from kkgbot.engine.commands import Registry
from kkgbot.engine.context import Ctx
from kkgbot.engine.flow import FlowRunner, conversation_of
from kkgbot.messages import Action, Choice
from kkgbot.numbers import small_number
from kkgbot.understanding.pastes import pasted_chain
from kkgbot.understanding.reading import (
    STRONG,
    WEAK,
    Offered,
    Reading,
    phrase_in,
    read,
)
from kkgbot.understanding.text import Words, looks_like_words, tokens_of
from kkgbot.understanding.words import words

CLOSE = timedelta(minutes=2)  # questions that came this close together: ask which is meant
OLDER = timedelta(hours=12)  # "kemarin": a question asked at least this long ago
MAX_MESSAGE = 500  # longer texts are pastes, not messages to pass on
MAX_LABEL = 60


@dataclass
class Candidate:
    asked_at: datetime
    answered: bool
    reading: Reading | None
    question: OpenQuestion | None = None  # None: the step of the conversation in progress
    free: bool = False  # a step that takes any text
    own: bool = False  # a conversation the person started with a command
    named: bool = False  # the reply names this question ("soal kemarin", "rapat")

    @property
    def strength(self) -> int:
        if self.reading is not None:
            return self.reading.strength
        return STRONG if self.own else WEAK

    @property
    def order(self) -> tuple:
        """A clear reading before a weak one (a word of a label, or free text for a step
        the bot started); then a question the reply names ("soal kemarin"); unanswered; then
        the most recent; at the same moment, what answered the person's own message
        before what the bot sent on its own."""
        reply = self.question is None or self.question.is_reply
        ident = self.question.id if self.question is not None else 1 << 62
        return (
            -self.strength,
            not self.named,
            self.answered,
            -self.asked_at.timestamp(),
            not reply,
            -ident,
        )

    @property
    def fits(self) -> bool:
        return self.reading is not None or self.free


class Answers:
    def __init__(
        self,
        registry: Registry,
        runner: FlowRunner,
        run_command: Callable[[Ctx, str], Awaitable[None]],
        run_action: Callable[[Ctx, str], Awaitable[None]],
    ) -> None:
        self.registry = registry
        self.runner = runner
        self.run_command = run_command
        self.run_action = run_action
        registry.action("ans", self._chosen_question)

    async def typed(self, ctx: Ctx, text: str, state: Conversation | None) -> None:
        for hook in self.registry.text_hooks:
            if await hook(ctx, text):
                return
        roles = await ctx.role_names()
        command = command_word(text, self.registry, roles)
        ws = tokens_of(text)
        candidates = await self._candidates(ctx, ws, state)
        if pasted_chain(ws):  # a chain message answers no question the bot sent
            for c in candidates:
                c.reading = None if c.question is not None else c.reading
        step = next((c for c in candidates if c.question is None), None)
        if command is not None and command.name == "batal" and not (step and step.reading):
            await self.run_command(ctx, "/batal")  # a way out of anything
            return
        fitting = sorted((c for c in candidates if c.fits), key=lambda c: c.order)
        if fitting:
            best = fitting[0]
            rivals = [c for c in fitting[1:] if self._rivals(best, c)]
            if rivals:
                await self._ask_which(ctx, [best, *rivals])
                return
            await self._apply(ctx, best, text, state)
            return
        if command is not None:
            await self.run_command(ctx, f"/{command.name}")
            return
        question_for_someone = ws.asks and self._is_message(ws)
        pending = next((c.question for c in candidates if c.question and not c.answered), None)
        forward = self.registry.unanswered
        if step is not None and not question_for_someone:
            said = self._menu_at_start(state) and self._said_something(ws)
            if not (said and forward and await forward(ctx, text, pending)):
                await self.runner.answer(ctx, state, text=text, data=None)
            return  # a step that wants a choice explains itself and asks again
        if self._for_someone(ws, pending) and forward and await forward(ctx, text, pending):
            return
        await self._reshow(ctx, pending)

    @staticmethod
    def _rivals(best: Candidate, other: Candidate) -> bool:
        """Two questions the bot sent on its own, both unanswered, that came together: the
        person cannot be expected to know which came last."""
        both = (best.question, other.question)
        if None in both or any(q.is_reply for q in both) or best.answered or other.answered:
            return False
        if best.named or other.strength < best.strength:
            return False
        return other.reading is not None and best.asked_at - other.asked_at <= CLOSE

    async def _candidates(self, ctx: Ctx, ws: Words, state: Conversation | None) -> list[Candidate]:
        out: list[Candidate] = []
        if state is not None:
            options = state.data.get("_options", [])
            offered = [
                Offered(o["label"], o.get("meaning"), tuple(o.get("words", ()))) for o in options
            ]
            free = self._step_takes_text(state, ws)
            reading = read(ws, offered) if offered else None
            own = state.name in self._command_flows
            out.append(Candidate(state.updated_at, False, reading, None, free, own))
        older = phrase_in(ws.tokens, words().older_words)
        for question in await questions.open_for(ctx.session, ctx.person.id, ctx.now):
            name = self._action_name(question)
            offered = [
                Offered(c.get("label", ""), c.get("meaning"), tuple(c.get("words") or ()))
                for c in question.choices or []
            ]
            reading = read(ws, offered, many=name in self.registry.many)
            answered = question.answered_at is not None
            names = words().question_names.get(name, set())
            named = phrase_in(ws.tokens, names) or (older and ctx.now - question.asked_at >= OLDER)
            out.append(Candidate(question.asked_at, answered, reading, question, named=named))
        return out

    @property
    def _command_flows(self) -> set[str]:
        return {c.flow.name for c in self.registry.commands.values() if c.flow is not None}

    def _step_takes_text(self, state: Conversation, ws: Words) -> bool:
        found = self.runner.current(state)
        if found is None:
            return False
        flow, index = found
        step = flow.steps[index]
        if ws.asks and not step.takes_questions:
            return False  # "jam berapa selesainya?" is no reason for not coming
        return step.free_text or step.options is None or bool(step.keep_text)

    def _menu_at_start(self, state: Conversation) -> bool:
        """A menu the person opened (`/materi`) and has chosen nothing in yet: words typed
        there that choose nothing ("terima kasih, materinya bagus") are for a person."""
        found = self.runner.current(state)
        if found is None or found[1] != 0 or state.name not in self._command_flows:
            return False
        step = found[0].steps[0]
        return step.options is not None and not (step.free_text or step.keep_text)

    def _said_something(self, ws: Words) -> bool:
        said = [t for t in ws.tokens if t.isalpha() and len(t) > 2]
        return len(said) >= 3 and self._is_message(ws)

    @staticmethod
    def _action_name(question: OpenQuestion) -> str:
        return question.key.split(":", 1)[0]

    def _for_someone(self, ws: Words, pending: OpenQuestion | None) -> bool:
        """A message to pass on: words meant for a person. One word while a question waits
        ("dadu") is more likely a try at the answer than a message: the question again."""
        if not self._is_message(ws):
            return False
        greetings = {p[0] for p in words().greetings if len(p) == 1}
        said = [t for t in ws.tokens if t not in greetings and t.isalpha()]
        return pending is None or len(said) >= 2

    @staticmethod
    def _is_message(ws: Words) -> bool:
        """Words meant for a person: more than greetings, answer words and numbers, not
        keyboard mashing, and not a pasted document."""
        if len(ws.raw) > MAX_MESSAGE or not looks_like_words(ws.tokens) or pasted_chain(ws):
            return False
        w = words()
        plain = {p[0] for group in w.meanings.values() for p in group if len(p) == 1}
        plain |= {p[0] for p in w.connectors if len(p) == 1}
        plain |= {p[0] for p in w.greetings if len(p) == 1}
        greeting_phrases = {p for p in w.greetings if len(p) > 1}
        tokens = [t for t in ws.tokens if not t.isdigit()]
        text = " ".join(tokens)
        for phrase in greeting_phrases:
            text = text.replace(" ".join(phrase), " ")
        rest = [t for t in text.split() if t not in plain]
        if ws.asks and len([t for t in tokens if t.isalpha()]) >= 2:
            return True  # "Boleh pilih 3 bu?": a question is for a person
        return any(t.isalpha() and len(t) > 1 for t in rest)

    async def _apply(
        self, ctx: Ctx, found: Candidate, text: str, state: Conversation | None
    ) -> None:
        if found.question is None:
            await self.runner.answer(ctx, state, text=text, data=None)
            return
        await self.answer_question(ctx, found.question, found.reading, text)
        if state is not None and state.data.get("_prompt"):
            ctx.say("common.still_waiting", prompt=state.data["_prompt"][:120])
        elif found.reading is not None and not found.reading.ambiguous:
            await self._offer_the_question(ctx, found.reading.rest)

    async def _offer_the_question(self, ctx: Ctx, rest: str) -> None:
        """`Bisa bu. Perlu bawa laptop atau tidak?`: the answer is recorded; the question
        after it is for a person, so it is offered to the koordinator like any other (unless
        the answer opened a step of its own, such as the reason for not coming)."""
        ws = tokens_of(rest or "")
        forward = self.registry.unanswered
        if not (ws.asks and self._is_message(ws)) or forward is None:
            return
        if await conversation_of(ctx) is None:
            await forward(ctx, rest, None)

    async def answer_question(
        self, ctx: Ctx, question: OpenQuestion, reading: Reading, text: str
    ) -> None:
        choices = [Choice.from_stored(c) for c in question.choices or []]
        if reading.ambiguous:
            named = [choices[i] for i in reading.picks]
            ctx.reply(
                ctx.t("common.which_one", choices=" / ".join(c.label for c in named)),
                [Choice(c.label[:MAX_LABEL], c.data) for c in named],
                prompt=question.prompt,
            )
            return
        handler = self.registry.answer_handlers.get(self._action_name(question))
        ctx.typed_text, ctx.typed_rest, ctx.typed_before = text, reading.rest, reading.before
        try:
            if handler is not None:
                await handler(ctx, question, reading, text)
                await questions.mark_answered(ctx.session, ctx.person.id, question.key, ctx.now)
            else:
                await self.run_action(ctx, choices[reading.picks[0]].data)
        finally:
            ctx.typed_text, ctx.typed_rest, ctx.typed_before = None, "", ""

    async def _ask_which(self, ctx: Ctx, found: list[Candidate]) -> None:
        """Two questions fit and came together: a numbered list, each button carrying the
        reading for that question (`a:ans:<question>:<picks>`)."""
        choices = []
        for c in found:
            picks = "-".join(str(i) for i in c.reading.picks)
            label = c.question.prompt[:MAX_LABEL]
            choices.append(Choice.act(label, "ans", c.question.id, picks))
        ctx.reply(ctx.t("common.which_question"), choices)

    async def _chosen_question(self, ctx: Ctx, args: list[str]) -> None:
        question_id = small_number(args[0]) if args else None
        question = await ctx.session.get(OpenQuestion, question_id) if question_id else None
        picks = [small_number(p) for p in args[1].split("-")] if len(args) > 1 else []
        if question is None or question.person_id != ctx.person.id or None in picks:
            ctx.say("common.stale_button")
            return
        if not picks or max(picks) >= len(question.choices or []):
            ctx.say("common.stale_button")
            return
        reading = Reading(tuple(picks), "number")
        await self.answer_question(ctx, question, reading, "")

    async def _reshow(self, ctx: Ctx, pending: OpenQuestion | None) -> None:
        """Fits nothing and is no message: the question waiting for an answer, again."""
        if pending is None:
            ctx.say("common.not_understood")
            return
        choices = [Choice.from_stored(c) for c in pending.choices or []]
        ctx.reply(
            ctx.t("common.not_understood_pending", prompt=pending.prompt, hint=_hint(ctx, choices)),
            choices,
            prompt=pending.prompt,
        )


def _hint(ctx: Ctx, choices: list[Choice]) -> str:
    """How to answer, from the choices themselves: yes/no words, or the numbers with short
    labels ("1 Sangat kurang, 2 Kurang, ..."), or just the range."""
    if any(c.meaning for c in choices):
        return ctx.t("common.hint_yes_no")
    if len(choices) <= 6 and all(len(c.label) <= 25 for c in choices):
        listed = ", ".join(f"{n} {c.label}" for n, c in enumerate(choices, start=1))
        return ctx.t("common.hint_listed", choices=listed)
    return ctx.t("common.hint_range", last=len(choices))


def action_of(question: OpenQuestion, pick: int) -> Action | None:
    """The action a choice of a stored question runs."""
    choices = question.choices or []
    return Action.parse(choices[pick].get("data")) if 0 <= pick < len(choices) else None
