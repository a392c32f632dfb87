"""What a conversation step sees: the person, the database session, the clock, and a pen."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Person
from kkgbot.delivery.keys import idempotency_key
from kkgbot.delivery.outbox import Draft, enqueue_all
from kkgbot.messages import Choice, Inbound, Reply
from kkgbot.people import roles as roles_service
from kkgbot.settings import Settings


@dataclass
class Links:
    """How a channel lets people reach the bot (e.g. a Telegram deep link), set by the wiring."""

    telegram_username: str | None = None  # the default bot's
    bots: dict[str, str] = field(default_factory=dict)  # other bots' usernames, by name

    def username(self, bot: str | None) -> str | None:
        """A KKG's bot (its district's), or the default one while that bot is not up."""
        return self.bots.get(bot or "") or self.telegram_username

    def invite(self, code: str, bot: str | None = None) -> str | None:
        """The link that starts the KKG's own bot with its code: whoever follows it is
        reached through that bot from then on."""
        if username := self.username(bot):
            return f"https://t.me/{username}?start={code}"
        return None

    def start(self) -> str | None:
        """The private chat with the bot, for someone who has no KKG to join by code."""
        return f"https://t.me/{self.telegram_username}?start" if self.telegram_username else None

    def startgroup(self, code: str, bot: str | None = None) -> str | None:
        """Adds the bot to a group of the koordinator's choice and links it to the KKG."""
        if username := self.username(bot):
            return f"https://t.me/{username}?startgroup={code}"
        return None


@dataclass
class Ctx:
    session: AsyncSession
    person: Person
    channel: str
    address: str
    now: datetime
    settings: Settings
    links: Links
    inbound: Inbound | None = None
    data: dict[str, Any] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    ended_conversation: bool = False  # a command just ended one (for /batal's answer)
    # the typed words behind the action being run, when it was typed rather than pressed
    # (an RSVP handler reads the reason in "tidak bisa, anak saya sakit")
    typed_text: str | None = None
    typed_rest: str = ""
    typed_before: str = ""
    # the front door's first read found no conversation in progress (kkgbot/engine/arrival.py):
    # nobody needs to ask the database again until a flow starts one
    no_conversation: bool = False
    _roles: list[roles_service.HeldRole] | None = None

    @property
    def lang(self) -> str:
        return self.person.language or i18n.DEFAULT

    def t(self, key: str, **params: Any) -> str:
        return i18n.t(self.lang, key, **params)

    def reply(
        self,
        text: str,
        choices: list[Choice] | None = None,
        file_id: int | None = None,
        file_name: str | None = None,
        extra: dict[str, Any] | None = None,
        prompt: str | None = None,
    ) -> None:
        reply = Reply(text, list(choices or []), file_id, file_name, dict(extra or {}), prompt)
        self.replies.append(reply)

    def say(self, key: str, **params: Any) -> None:
        self.reply(self.t(key, **params))

    async def roles(self, refresh: bool = False) -> list[roles_service.HeldRole]:
        if self._roles is None or refresh:
            self._roles = await roles_service.roles_of(self.session, self.person.id)
        return self._roles

    async def role_names(self) -> set[str]:
        return {r.role for r in await self.roles()}

    async def flush_replies(self) -> None:
        """Write the collected replies to the outbox, in this transaction."""
        base = (
            ("in", self.channel, self.inbound.external_id)
            if self.inbound and self.inbound.external_id
            else ("in", uuid.uuid4().hex)
        )
        drafts = [
            Draft(
                channel=self.channel,
                via=self.inbound.via if self.inbound else None,
                address=self.address,
                person_id=self.person.id,
                text=reply.text,
                choices=reply.choices,
                file_id=reply.file_id,
                file_name=reply.file_name,
                key=idempotency_key(*base, n),
                extra=reply.extra,
                prompt=reply.prompt,
            )
            for n, reply in enumerate(self.replies)
        ]
        if drafts:
            await enqueue_all(self.session, drafts, self.now)
        self.replies.clear()
