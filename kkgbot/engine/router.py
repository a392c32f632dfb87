"""The front door: every inbound message, from every channel, through one pipeline.

In order, in one transaction: an update seen before is dropped (`inbound_seen`); the person
is found or created (a WhatsApp number an admin imported finds its person); a person who
writes is reachable again and the messages held for them (WhatsApp's window) go out; the
opt-out words (STOP, BERHENTI, MULAI) are answered; then the message is understood: a
command, a button, a step of the conversation in progress, or typed text matched against
the questions still open (kkgbot/engine/answers.py). The replies are written to the outbox
in the same transaction as the state change, so either both happen or neither does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kkgbot import i18n, logs
from kkgbot.clock import Clock
from kkgbot.db.models import Conversation, InboundSeen
from kkgbot.db.retry import on_live_connection
from kkgbot.db.upsert import insert_new
from kkgbot.delivery import questions
from kkgbot.delivery.held import requeue_held
from kkgbot.delivery.reachability import mark_reachable
from kkgbot.engine.answers import Answers
from kkgbot.engine.arrival import arrive
from kkgbot.engine.command_words import suggestion
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx, Links
from kkgbot.engine.flow import FlowRunner, clear, conversation_of
from kkgbot.engine.group_door import GroupDoor
from kkgbot.groups import shares
from kkgbot.messages import FILE_TOO_LARGE, Action, Choice, Inbound
from kkgbot.people import identities as people
from kkgbot.people import optout
from kkgbot.people.permissions import PERMISSIONS, allowed
from kkgbot.settings import Settings
from kkgbot.understanding.codes import code_in

log = logging.getLogger(__name__)


def _size(size: int, lang: str) -> str:
    """Bytes for people: `10 MB`, `12,5 MB`, `900 KB` (Indonesian writes a decimal comma)."""
    value, unit = (size / (1024 * 1024), "MB") if size >= 1024 * 1024 else (size / 1024, "KB")
    text = f"{round(value, 1):g}"
    return (text.replace(".", ",") if lang == "id" else text) + " " + unit


def split_command(text: str) -> tuple[str, str]:
    """'/start@KkgBot GUGUS1' -> ('start', 'GUGUS1')."""
    head, _, rest = text.strip().partition(" ")
    word = head[1:].split("@", 1)[0].lower()
    return word, rest.strip()


class Router:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        registry: Registry,
        settings: Settings,
        clock: Clock,
        links: Links | None = None,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.registry = registry
        self.settings = settings
        self.clock = clock
        self.links = links or Links()
        self.on_enqueued = on_enqueued or (lambda: None)
        self.runner = FlowRunner(registry.flows)
        self.answers = Answers(registry, self.runner, self.run_command, self.run_action)
        registry.action("cmd", self._suggested)
        self.groups = GroupDoor(self)

    async def handle(self, inbound: Inbound) -> str | None:
        """Process one inbound event; a bug is logged and the person gets an apology.
        Returns a link for the channel to open, for a group's button (see group_door)."""
        logs.request_id.set(f"{inbound.channel}:{inbound.external_id or inbound.address}")
        url = None
        try:
            url = await on_live_connection(lambda: self._handle(inbound))
        except Exception:
            log.exception(
                "inbound failed channel=%s address=%s external_id=%s",
                inbound.channel,
                inbound.address,
                inbound.external_id,
            )
            if inbound.group is None:  # nobody to apologise to in a group's event
                await self._apologise(inbound)
        self.on_enqueued()
        return url

    async def _handle(self, inbound: Inbound) -> str | None:
        now = self.clock.now()
        async with self.sessionmaker() as session, session.begin():
            if inbound.group is not None:  # a group chat: never the one-to-one pipeline
                if inbound.external_id and not await self._first_time(session, inbound, now):
                    return self._duplicate(inbound)
                return await self.groups.handle(session, inbound, now)
            arrival = await arrive(session, inbound, now)
            if not arrival.first_time:
                return self._duplicate(inbound)
            person, known = arrival.person, arrival.person is not None
            if person is None:  # their first message: nobody has this identity yet
                person, identity = await people.get_or_create(
                    session,
                    inbound.channel,
                    inbound.address,
                    now,
                    self.settings.language,
                    via=inbound.via,
                )
                identity.last_inbound_at = now
            if person.unreachable_at is not None:  # they wrote again: reachable again
                await mark_reachable(session, person.id)
                await session.refresh(person)
            word = optout.keyword(inbound.text) if inbound.data is None else None
            if word != "stop" and (arrival.has_held or not known):
                await requeue_held(session, person.id, inbound.channel, now)
            if inbound.username and person.consent_at is not None:
                person.telegram_username = inbound.username[:64]
            ctx = Ctx(
                session=session,
                person=person,
                channel=inbound.channel,
                address=inbound.address,
                now=now,
                settings=self.settings,
                links=self.links,
                inbound=inbound,
                no_conversation=known and arrival.conversation is None,
                _roles=arrival.held_roles,
            )
            if word is not None:
                ctx.say(optout.apply(person, word, now))
            else:
                await self._route(ctx, inbound)
            await ctx.flush_replies()
        return None

    async def _first_time(self, session: AsyncSession, inbound: Inbound, now) -> bool:
        seen = dict(channel=inbound.channel, external_id=inbound.external_id, seen_at=now)
        return await insert_new(session, InboundSeen, seen)

    @staticmethod
    def _duplicate(inbound: Inbound) -> None:
        log.info("duplicate inbound %s:%s ignored", inbound.channel, inbound.external_id)

    async def _route(self, ctx: Ctx, inbound: Inbound) -> None:
        text = inbound.text.strip() if inbound.text is not None else None
        has_file = inbound.file_error is not None or inbound.file is not None
        if has_file and await self._file(ctx, inbound):
            return
        if inbound.data is None and not text:
            ctx.say("common.media_unsupported" if inbound.media else "common.empty_message")
            return
        if text is not None and len(text) > self.settings.max_input_chars:
            ctx.say("common.too_long", max=self.settings.max_input_chars)
            return
        if text and text.startswith("/"):
            await self.run_command(ctx, text, typed=True)
            return
        state = await self._live_state(ctx)
        if inbound.data is not None:
            await self._button(ctx, state, inbound.data)
            return
        if ctx.person.onboarded_at is None and state is None:
            shared = shares.parse_rsvp(text)  # "RSVP 12 HADIR GUGUS1" from a WhatsApp group
            if shared is not None and shared.code:
                await self.run_command(ctx, f"/start {shared.code}")
                return
            ctx.say("onboarding.start_first")
            return
        await self.answers.typed(ctx, text or "", state)

    async def _file(self, ctx: Ctx, inbound: Inbound) -> bool:
        """A file goes to a step that takes one; True when it was answered here. Elsewhere a
        caption is read as text and a bare file gets the usual polite refusal, even when it
        could not be fetched (the person was not asked for a file)."""
        state = await self._live_state(ctx)
        if state is None or not self.runner.accepts_file(state):
            return False
        if inbound.file_error == FILE_TOO_LARGE:
            limit = self.settings.max_upload_bytes
            size = inbound.file_size or limit + 1
            ctx.say("common.file_too_large", size=_size(size, ctx.lang), max=_size(limit, ctx.lang))
        elif inbound.file_error is not None or inbound.file is None:
            ctx.say("common.file_unavailable")
        else:
            await self.runner.answer(ctx, state, text=None, data=None, file=inbound.file)
        return True

    async def _live_state(self, ctx: Ctx) -> Conversation | None:
        state = await conversation_of(ctx)
        if state is None:
            return None
        idle = timedelta(minutes=self.settings.conversation_idle_minutes)
        if state.updated_at + idle < ctx.now:
            await clear(ctx)  # expires quietly: nothing is sent about it
            return None
        return state

    async def run_command(self, ctx: Ctx, text: str, typed: bool = False) -> None:
        """`/word args`; a word nobody knows gets "did you mean /jadwal?" when one is close."""
        word, args = split_command(text)
        if not word and args and typed:  # "/ rapat": the slash came loose; suggest it
            loose = args.split()[0].lower()
            roles = await ctx.role_names()
            known = self.registry.by_word.get(loose)
            guess = known if known and allowed(known.action, roles) else None
            guess = guess or suggestion(loose, self.registry, roles, ctx.lang)
            if guess is not None:
                self._did_you_mean(ctx, guess)
                return
        command = self.registry.by_word.get(word)
        glued = next((w for w in self.registry.glued_words if word.startswith(w)), None)
        if command is None and glued is not None and len(word) > len(glued):
            command, args = self.registry.by_word[glued], f"{word[len(glued) :]} {args}".strip()
        if command is None:
            guess = suggestion(word, self.registry, await ctx.role_names(), ctx.lang)
            if guess is not None and guess.name in self.registry.glued_words and code_in(args):
                command = guess  # "/hadri 376DBN": the code says what was meant
        if command is None:
            if guess is not None and typed:
                self._did_you_mean(ctx, guess)
                return
            ctx.say("common.unknown_command", command=f"/{word}"[:40])
            return
        if command.needs_onboarding and ctx.person.onboarded_at is None:
            ctx.say("onboarding.start_first")
            return
        if not allowed(command.action, await ctx.role_names()):
            ctx.say(
                "common.refused",
                command=f"/{self._word(ctx, command)}",
                roles=self._role_list(ctx, command),
            )
            return
        ctx.ended_conversation = await clear(ctx)
        if command.flow is not None:
            await self.runner.start(ctx, command.flow, args)
        elif command.run is not None:
            await command.run(ctx, args)

    def _did_you_mean(self, ctx: Ctx, guess: Command) -> None:
        shown = f"/{self._word(ctx, guess)}"
        ctx.reply(
            ctx.t("common.did_you_mean", command=shown), [Choice.act(shown, "cmd", guess.name)]
        )

    async def _suggested(self, ctx: Ctx, args: list[str]) -> None:
        """The "did you mean" button: the command it names, as if typed."""
        if args and args[0] in self.registry.commands:
            await self.run_command(ctx, f"/{args[0]}")
        else:
            ctx.say("common.stale_button")

    async def _button(self, ctx: Ctx, state: Conversation | None, data: str) -> None:
        if data.startswith("s:"):
            if state is None:
                ctx.say("common.stale_button")
                return
            await self.runner.answer(ctx, state, text=None, data=data)
        elif data.startswith("a:"):
            await self.run_action(ctx, data)
        else:
            ctx.say("common.stale_button")

    async def run_action(self, ctx: Ctx, data: str) -> None:
        action = Action.parse(data)
        handler = self.registry.actions.get(action.name) if action else None
        if action is None or handler is None or ctx.person.onboarded_at is None:
            ctx.say("common.stale_button")
            return
        await handler(ctx, list(action.args))
        answered = Action(self.registry.answers_to.get(action.name, action.name), action.args)
        await questions.mark_answered(
            ctx.session, ctx.person.id, questions.question_key(answered), ctx.now
        )

    @staticmethod
    def _word(ctx: Ctx, command: Command) -> str:
        return command.alias if ctx.lang == "en" else command.name

    @staticmethod
    def _role_list(ctx: Ctx, command: Command) -> str:
        roles = sorted(PERMISSIONS[command.action])
        return ", ".join(ctx.t(f"roles.{r}") for r in roles)

    async def _apologise(self, inbound: Inbound) -> None:
        try:
            async with self.sessionmaker() as session, session.begin():
                person, _ = await people.get_or_create(
                    session, inbound.channel, inbound.address, self.clock.now(), "id",
                    via=inbound.via,
                )  # fmt: skip
                ctx = Ctx(
                    session=session,
                    person=person,
                    channel=inbound.channel,
                    address=inbound.address,
                    now=self.clock.now(),
                    settings=self.settings,
                    links=self.links,
                    inbound=replace(inbound, external_id=None),  # its bot, a key of its own
                )
                ctx.reply(i18n.t(person.language, "common.internal_error"))
                await ctx.flush_replies()
        except Exception:
            log.exception("could not even apologise to %s:%s", inbound.channel, inbound.address)
