"""Telegram group chats in the bot's terms (see kkgbot/engine/group_door.py).

Only four things from a group become an Inbound: the bot added or removed
(`my_chat_member`), the group's upgrade to a supergroup (`migrate_to_chat_id`, and
`migrate_from_chat_id` in the new chat), a command typed with a slash, and a press on one
of the bot's buttons. The address is then the person's own (their user id, which is also
their private chat's id) and `group` the group's id.
"""

from __future__ import annotations

from telegram import Update

from kkgbot.messages import GROUP_ADDED, GROUP_MIGRATED, GROUP_REMOVED, Inbound

GROUP_TYPES = frozenset({"group", "supergroup"})
GONE = frozenset({"left", "kicked"})


def group_inbound(channel: str, update: Update) -> Inbound | None:
    """What happens in a group: the bot added or removed, the group upgraded, a command
    typed, a button pressed. Anything else said there is not for the bot and is dropped
    here, unread and unstored."""
    external_id = f"u{update.update_id}"
    member = update.my_chat_member
    if member is not None:
        old, new = member.old_chat_member.status, member.new_chat_member.status
        event = GROUP_REMOVED if new in GONE else GROUP_ADDED if old in GONE else None
        if event is None:
            return None
        return Inbound(
            channel=channel, address=str(member.from_user.id), external_id=external_id,
            group=str(member.chat.id), group_title=member.chat.title, group_event=event,
        )  # fmt: skip
    query = update.callback_query
    if query is not None and query.message is not None:
        return Inbound(
            channel=channel, address=str(query.from_user.id), data=(query.data or "")[:64],
            external_id=external_id, username=query.from_user.username,
            group=str(query.message.chat.id), message_id=str(query.message.message_id),
        )  # fmt: skip
    message = update.message
    if message is None:
        return None
    chat = message.chat
    if message.migrate_to_chat_id or message.migrate_from_chat_id:
        old = message.migrate_from_chat_id or chat.id
        new = message.migrate_to_chat_id or chat.id
        return Inbound(
            channel=channel, address=str(old), text=str(new), external_id=external_id,
            group=str(old), group_event=GROUP_MIGRATED,
        )  # fmt: skip
    text = message.text or ""
    if not text.startswith("/") or message.from_user is None or message.from_user.is_bot:
        return None
    return Inbound(
        channel=channel, address=str(message.from_user.id), text=text,
        external_id=external_id, username=message.from_user.username,
        group=str(chat.id), group_title=chat.title,
    )  # fmt: skip
