"""From an Inbound to the right command, conversation step or button, in one transaction.

The router is the one place that checks onboarding and roles, ends a conversation when a
new command comes, expires idle conversations, and turns a typed number or label into the
button it names. The replies are written to the outbox in the same transaction as the
state change, so either both happen or neither does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kkgbot import i18n, logs
from kkgbot.clock import Clock
from kkgbot.db.models import Conversation, InboundSeen
from kkgbot.db.upsert import insert_new
from kkgbot.delivery.held import requeue_held
from kkgbot.delivery.reachability import mark_reachable
from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx, Links
from kkgbot.engine.flow import FlowRunner, Option, clear, match_option
from kkgbot.messages import FILE_TOO_LARGE, Inbound
from kkgbot.people import identities as people
from kkgbot.people.permissions import PERMISSIONS, allowed
from kkgbot.settings import Settings

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

    async def handle(self, inbound: Inbound) -> None:
        """Process one inbound event; a bug is logged and the person gets an apology."""
        logs.request_id.set(f"{inbound.channel}:{inbound.external_id or inbound.address}")
        try:
            await self._handle(inbound)
        except Exception:
            log.exception(
                "inbound failed channel=%s address=%s external_id=%s",
                inbound.channel,
                inbound.address,
                inbound.external_id,
            )
            await self._apologise(inbound)
        self.on_enqueued()

    async def _handle(self, inbound: Inbound) -> None:
        now = self.clock.now()
        async with self.sessionmaker() as session, session.begin():
            if inbound.external_id and not await self._first_time(session, inbound, now):
                log.info("duplicate inbound %s:%s ignored", inbound.channel, inbound.external_id)
                return
            person, identity = await people.get_or_create(
                session, inbound.channel, inbound.address, now, self.settings.language
            )
            identity.last_inbound_at = now
            if person.unreachable_at is not None:  # they wrote again: reachable again
                await mark_reachable(session, person.id)
                await session.refresh(person)
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
            )
            await self._route(ctx, inbound)
            await ctx.flush_replies()

    async def _first_time(self, session: AsyncSession, inbound: Inbound, now) -> bool:
        seen = dict(channel=inbound.channel, external_id=inbound.external_id, seen_at=now)
        return await insert_new(session, InboundSeen, seen)

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
            await self._command(ctx, text)
            return
        state = await self._live_state(ctx)
        if inbound.data is not None:
            await self._button(ctx, state, inbound.data)
            return
        if state is not None:
            await self.runner.answer(ctx, state, text=text, data=None)
            return
        options = [Option(c["data"], c["label"]) for c in ctx.person.last_choices or []]
        picked = match_option(text or "", options)
        if picked is not None and str(picked.value).startswith("a:"):
            await self._action(ctx, picked.value)
            return
        if await self._typed(ctx, text or "", [str(o.value) for o in options]):
            return
        ctx.say("common.not_understood" if ctx.person.onboarded_at else "onboarding.start_first")

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
        state = await ctx.session.get(Conversation, ctx.person.id)
        if state is None:
            return None
        idle = timedelta(minutes=self.settings.conversation_idle_minutes)
        if state.updated_at + idle < ctx.now:
            await clear(ctx)  # expires quietly: nothing is sent about it
            return None
        return state

    async def _command(self, ctx: Ctx, text: str) -> None:
        word, args = split_command(text)
        command = self.registry.by_word.get(word)
        if command is None:
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

    async def _button(self, ctx: Ctx, state: Conversation | None, data: str) -> None:
        if data.startswith("s:"):
            if state is None:
                ctx.say("common.stale_button")
                return
            await self.runner.answer(ctx, state, text=None, data=data)
        elif data.startswith("a:"):
            await self._action(ctx, data)
        else:
            ctx.say("common.stale_button")

    async def _action(self, ctx: Ctx, data: str) -> None:
        _, _, rest = data.partition(":")
        name, *args = rest.split(":")
        handler = self.registry.actions.get(name)
        if handler is None or (ctx.person.onboarded_at is None):
            ctx.say("common.stale_button")
            return
        await handler(ctx, args)

    async def _typed(self, ctx: Ctx, text: str, data: list[str]) -> bool:
        if not data or not data[0].startswith("a:") or ctx.person.onboarded_at is None:
            return False
        handler = self.registry.typed.get(data[0].split(":")[1])
        return handler is not None and await handler(ctx, text, data)

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
                    session, inbound.channel, inbound.address, self.clock.now(), "id"
                )
                ctx = Ctx(
                    session=session,
                    person=person,
                    channel=inbound.channel,
                    address=inbound.address,
                    now=self.clock.now(),
                    settings=self.settings,
                    links=self.links,
                )
                ctx.reply(i18n.t(person.language, "common.internal_error"))
                await ctx.flush_replies()
        except Exception:
            log.exception("could not even apologise to %s:%s", inbound.channel, inbound.address)
