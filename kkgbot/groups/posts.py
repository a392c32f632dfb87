"""Posting into a KKG's linked group: one message for the whole group, never per member.

What goes there is written for everyone in it, in Indonesian (the KKG's language): no
phone number, nobody's answer, reason, reflection, score or check-in code, only what the
whole KKG may know and counts. Scheduled posts wait out the quiet hours in the KKG's
zone; the group's pace (about 20 messages a minute) is the dispatcher's group lane
(kkgbot/delivery/ratelimit.py: addresses of groups are negative ids).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg
from kkgbot.delivery.keys import idempotency_key
from kkgbot.delivery.outbox import BULK, Draft, enqueue
from kkgbot.groups.service import of_kkg
from kkgbot.messages import Choice, MessageKind
from kkgbot.people.messaging import after_quiet_hours

LANG = i18n.DEFAULT  # a group has many readers: the KKG's language


async def post(
    session: AsyncSession,
    kkg: Kkg,
    text: str | Callable[[str], str],
    *,
    key: str,
    now: datetime,
    choices: list[Choice] | Callable[[str], list[Choice]] | None = None,
    quiet_exempt: bool = False,
    expires_at: datetime | None = None,
    edit_of: str | None = None,
    about: str = MessageKind.NOTICE,
) -> bool:
    """Queue one message to the KKG's group; False when it has none or it was queued."""
    group = await of_kkg(session, kkg.id)
    if group is None:
        return False
    when = now if quiet_exempt else after_quiet_hours(now, kkg.timezone)
    body = text(LANG) if callable(text) else text
    buttons = choices(LANG) if callable(choices) else list(choices or [])
    return await enqueue(
        session,
        Draft(
            channel=group.channel,
            address=group.chat_id,
            text=body,
            choices=buttons,
            key=idempotency_key("group", ("kkg", kkg.id), key),
            kind=BULK,
            not_before=when,
            expires_at=expires_at,
            extra={"edit_of": edit_of} if edit_of else {},
            about=about,
        ),
        now,
    )
