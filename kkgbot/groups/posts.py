"""Posting into a KKG's linked group: one message for the whole group, never per member.

What goes there is written for everyone in it, in Indonesian (the KKG's language): no
phone number, nobody's answer, reason, reflection, score or check-in code, only what the
whole KKG may know and counts. Scheduled posts wait out the quiet hours in the KKG's
zone; the group's pace (about 20 messages a minute) is the dispatcher's group lane
(kkgbot/delivery/ratelimit.py: addresses of groups are negative ids).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg, OutboxMessage
from kkgbot.delivery.keys import idempotency_key
from kkgbot.delivery.outbox import BULK, DUE_STATUSES, EXPIRED, Draft, enqueue
from kkgbot.groups import shares
from kkgbot.groups.service import of_kkg
from kkgbot.messages import Choice, MessageKind
from kkgbot.people import messaging, roles
from kkgbot.people.messaging import after_quiet_hours

LANG = i18n.DEFAULT  # a group has many readers: the KKG's language


@dataclass(frozen=True)
class Share:
    """What to share to the WhatsApp group: the text (without the Telegram buttons' hints),
    and what members answer (a meeting's RSVP, a poll)."""

    text: str
    meeting_id: int | None = None
    poll: bool = False


async def _offer_share(
    session: AsyncSession, kkg: Kkg, share: Share, *, key: str, now: datetime
) -> None:
    """The share link, to each koordinator of the KKG in their own chat."""
    koordinators = await roles.koordinators_of(session, kkg.id)
    if not koordinators:
        return
    url = await shares.create(
        session, kkg, share.text, now, meeting_id=share.meeting_id, poll=share.poll
    )
    if url is None:
        return
    for person in koordinators:
        recipient = messaging.Recipient(person.id, person.language or LANG, kkg.timezone)
        await messaging.send(
            session,
            recipient,
            messaging.text("groups.share_koordinator", link=url),
            key=idempotency_key("share", ("kkg", kkg.id), key, ("person", person.id)),
            now=now,
        )


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
    share: Share | None = None,
    batch_id: str | None = None,
) -> bool:
    """Queue one message to the KKG's group; False when it has none or it was queued.
    With `share`, the koordinators also get a link that shares it to a WhatsApp group
    (whether or not a Telegram group is linked)."""
    body = text(LANG) if callable(text) else text
    if share is not None:
        await _offer_share(session, kkg, share, key=key, now=now)
    group = await of_kkg(session, kkg.id)
    if group is None:
        return False
    when = now if quiet_exempt else after_quiet_hours(now, kkg.timezone)
    buttons = choices(LANG) if callable(choices) else list(choices or [])
    return await enqueue(
        session,
        Draft(
            channel=group.channel,
            via=group.via,
            address=group.chat_id,
            text=body,
            choices=buttons,
            key=idempotency_key("group", ("kkg", kkg.id), key),
            kind=BULK,
            not_before=when,
            expires_at=expires_at,
            extra={"edit_of": edit_of} if edit_of else {},
            about=about,
            batch_id=batch_id,
        ),
        now,
    )


async def supersede(session: AsyncSession, batch_id: str, now: datetime) -> int:
    """Drop the queued redraws of one group message: the newest one shows the latest
    counts, and under the group's pace (20 a minute) a busy minute of presses must not
    queue thirty edits of the same post. Returns how many were dropped."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.batch_id == batch_id, OutboxMessage.status.in_(DUE_STATUSES))
        .values(status=EXPIRED, updated_at=now, last_error="superseded by a newer redraw")
    )
    return result.rowcount or 0
