"""The KKG's Telegram group seen from conversations: /hubungkan and /putuskan typed in a
private chat (they belong in the group: the group door in kkgbot/engine answers them
there), and the buttons of the bot's group posts, run for the person who pressed them."""

from __future__ import annotations

from kkgbot.engine.commands import Command, Registry
from kkgbot.engine.context import Ctx
from kkgbot.groups import shares
from kkgbot.meetings import group_posts
from kkgbot.polls import notices as polls_notices


def register(registry: Registry) -> None:
    async def in_group_only(ctx: Ctx, args: str) -> None:
        ctx.say("groups.in_group_only")

    async def group_rsvp(ctx: Ctx, args: list[str]) -> None:
        """An RSVP pressed on a group post: answered privately, the post redrawn."""
        await registry.actions["rsvp"](ctx, args[:2])
        inbound = ctx.inbound
        if inbound is None or inbound.group is None or not inbound.message_id or not args:
            return
        if not args[0].isdecimal():
            return
        await group_posts.redraw(
            ctx.session, int(args[0]), head=args[2] if len(args) > 2 else group_posts.NEW,
            message_id=inbound.message_id, key=f"redraw:{inbound.channel}:{inbound.external_id}",
            now=ctx.now,
        )  # fmt: skip

    async def group_poll(ctx: Ctx, args: list[str]) -> None:
        """The group's poll button: the member's own ballot, in their private chat."""
        if not args or not args[0].isdecimal():
            ctx.say("common.stale_button")
            return
        key = f"gballot:{ctx.channel}:{ctx.inbound.external_id if ctx.inbound else ctx.now}"
        if not await polls_notices.ballot_for(ctx.session, int(args[0]), ctx.person, key, ctx.now):
            ctx.say("polls.closed_already")

    async def shared_rsvp(ctx: Ctx, text: str) -> bool:
        """`RSVP 12 HADIR`, sent from a link shared in a WhatsApp group: the person's answer."""
        line = shares.parse_rsvp(text)
        if line is None:
            return False
        await registry.actions["rsvp"](ctx, [str(line.meeting_id), line.answer])
        return True

    registry.text_hooks.insert(0, shared_rsvp)  # before the check-in code's reading
    registry.command(Command("hubungkan", "link", "group.link", run=in_group_only, order=97))
    registry.command(Command("putuskan", "unlink", "group.link", run=in_group_only, order=98))
    registry.action("grsvp", group_rsvp, answers="rsvp")
    registry.action("gpoll", group_poll)
