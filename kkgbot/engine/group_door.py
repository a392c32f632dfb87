"""What the bot does with a group chat's updates, before any of the one-to-one pipeline.

A group is not a conversation with the bot. Only four things from it are read: the bot
being added or removed, the group's upgrade to a supergroup, a command typed with a slash,
and a press on one of the bot's group buttons. Nothing else said there reaches the router:
it is never taken as an answer to an open question nor passed to the koordinator, and no
person is created for someone who merely talks in the group.

`/hubungkan KODE` (or the `startgroup` deep link, arriving as `/start KODE`) and
`/putuskan` are answered in the group; every other command runs for the person and is
answered in their private chat, or, when they have none yet, with a button in the group
that opens it. A button pressed by someone who is not a member of the group's KKG, or has
no private chat with the bot, is answered with the bot's deep link carrying the KKG's code.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg, Person
from kkgbot.delivery.keys import idempotency_key
from kkgbot.delivery.outbox import REPLY, Draft, enqueue
from kkgbot.engine.context import Ctx
from kkgbot.groups import service as groups
from kkgbot.groups.service import GroupError
from kkgbot.messages import GROUP_ADDED, GROUP_MIGRATED, GROUP_REMOVED, Action, Choice, Inbound
from kkgbot.people import identities as people
from kkgbot.people import messaging, roles

if TYPE_CHECKING:
    from kkgbot.engine.router import Router

log = logging.getLogger(__name__)
LINK_WORDS = frozenset({"hubungkan", "link"})
UNLINK_WORDS = frozenset({"putuskan", "unlink"})
# The only buttons the bot puts in a group (handlers/groups): any other data pressed there
# (an old private button forwarded, a forged press) does nothing.
GROUP_ACTIONS = frozenset({"grsvp", "gpoll"})


class GroupDoor:
    def __init__(self, router: Router) -> None:
        self.router = router

    async def handle(self, session: AsyncSession, inbound: Inbound, now: datetime) -> str | None:
        """Handle one group update; a link for the channel to open, for a refused press."""
        assert inbound.group is not None
        if inbound.group_event is not None:
            await self._event(session, inbound, now)
            return None
        person = await people.by_identity(session, inbound.channel, inbound.address)
        if inbound.data is not None:
            return await self._press(session, inbound, person, now)
        text = (inbound.text or "").strip()
        if text.startswith("/"):
            await self._command(session, inbound, person, text, now)
        return None

    # ------------------------------------------------------------------ the group itself

    async def _event(self, session: AsyncSession, inbound: Inbound, now: datetime) -> None:
        group = inbound.group or ""
        if inbound.group_event == GROUP_MIGRATED:
            if await groups.migrated(session, inbound.channel, group, inbound.text or ""):
                log.info("group %s became %s: the link follows", group, inbound.text)
        elif inbound.group_event == GROUP_REMOVED:
            kkg = await groups.removed(session, inbound.channel, group, now)
            if kkg is not None:
                await self._tell_koordinators(session, kkg, inbound, now)
        elif inbound.group_event == GROUP_ADDED and not await groups.by_chat(
            session, inbound.channel, group
        ):
            await self._post(session, inbound, i18n.t(i18n.DEFAULT, "groups.hello"), now)

    async def _tell_koordinators(
        self, session: AsyncSession, kkg: Kkg, inbound: Inbound, now: datetime
    ) -> None:
        for person in await roles.koordinators_of(session, kkg.id):
            recipient = messaging.Recipient(person.id, person.language or "id", kkg.timezone)
            await messaging.send(
                session,
                recipient,
                messaging.text("groups.removed_notice", kkg=kkg.name),
                key=idempotency_key(
                    "group-removed", inbound.channel, inbound.external_id, person.id
                ),
                now=now,
                quiet_exempt=True,
            )

    # ------------------------------------------------------------------ commands

    async def _command(
        self, session: AsyncSession, inbound: Inbound, person: Person | None, text: str, now
    ) -> None:
        from kkgbot.engine.router import split_command

        word, args = split_command(text)
        lang = person.language if person is not None else i18n.DEFAULT
        if word in LINK_WORDS or (word == "start" and args):
            try:
                linked = await groups.link(
                    session, person=person, code=args, channel=inbound.channel,
                    chat_id=inbound.group or "", title=inbound.group_title, now=now,
                    via=inbound.via,
                )  # fmt: skip
            except GroupError as bad:
                await self._post(session, inbound, i18n.t(lang, bad.key, **bad.params), now)
            else:
                await self._post(
                    session, inbound, i18n.t(lang, "groups.linked", kkg=linked.kkg.name), now
                )
        elif word in UNLINK_WORDS:
            try:
                kkg = await groups.unlink(
                    session, person=person, channel=inbound.channel, chat_id=inbound.group or "",
                    now=now,
                )  # fmt: skip
            except GroupError as bad:
                await self._post(session, inbound, i18n.t(lang, bad.key, **bad.params), now)
            else:
                await self._post(
                    session, inbound, i18n.t(lang, "groups.unlinked", kkg=kkg.name), now
                )
        elif person is None or person.onboarded_at is None:
            await self._invite_to_private(session, inbound, lang, now)
        else:
            ctx = self._private_ctx(session, inbound, person, now)
            await self.router.run_command(ctx, text, typed=True)
            await ctx.flush_replies()

    async def _invite_to_private(
        self, session: AsyncSession, inbound: Inbound, lang: str, now: datetime
    ) -> None:
        """Someone the bot cannot write to privately yet: a button that opens the chat."""
        kkg = await self._kkg(session, inbound)
        url = self._deep_link(kkg)
        text = i18n.t(lang, "groups.talk_privately")
        label = i18n.t(lang, "groups.open_private")
        await self._post(session, inbound, text, now, [Choice.link(label, url)] if url else [])

    # ------------------------------------------------------------------ buttons

    async def _press(
        self, session: AsyncSession, inbound: Inbound, person: Person | None, now: datetime
    ) -> str | None:
        kkg = await self._kkg(session, inbound)
        action = Action.parse(inbound.data)
        if kkg is None or action is None or action.name not in GROUP_ACTIONS:
            return None  # a button of a group no longer linked: nothing to do
        member = person is not None and person.onboarded_at is not None
        if not member or not await roles.is_member(session, person.id, kkg.id):
            url = self._deep_link(kkg)
            if url is None and person is not None:  # no deep link (console): say it privately
                ctx = self._private_ctx(session, inbound, person, now)
                ctx.say("groups.join_first", code=kkg.invite_code)
                await ctx.flush_replies()
            return url
        assert person is not None
        ctx = self._private_ctx(session, inbound, person, now)
        await self.router.run_action(ctx, inbound.data or "")
        await ctx.flush_replies()
        return None

    # ------------------------------------------------------------------ helpers

    def _private_ctx(
        self, session: AsyncSession, inbound: Inbound, person: Person, now: datetime
    ) -> Ctx:
        router = self.router
        return Ctx(
            session=session, person=person, channel=inbound.channel, address=inbound.address,
            now=now, settings=router.settings, links=router.links, inbound=inbound,
        )  # fmt: skip

    async def _kkg(self, session: AsyncSession, inbound: Inbound) -> Kkg | None:
        group = await groups.by_chat(session, inbound.channel, inbound.group or "")
        return await session.get(Kkg, group.kkg_id) if group is not None else None

    def _deep_link(self, kkg: Kkg | None) -> str | None:
        links = self.router.links
        if kkg is None:
            return links.start()
        return links.invite(kkg.invite_code, kkg.district.telegram_bot)

    @staticmethod
    async def _post(
        session: AsyncSession, inbound: Inbound, text: str, now: datetime,
        choices: list[Choice] | None = None,
    ) -> None:  # fmt: skip
        """The bot's one answer in the group to this update (a link made, a refusal)."""
        await enqueue(
            session,
            Draft(
                channel=inbound.channel, via=inbound.via, address=inbound.group or "", text=text,
                choices=list(choices or []), kind=REPLY,
                key=idempotency_key("group-in", inbound.channel, inbound.external_id),
            ),
            now,
        )  # fmt: skip
