"""A claimed outbox row as the channel sends it: its payload unpacked, its file loaded, and
for a channel that wants it (WhatsApp), the person's last message and language."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kkgbot.channels.base import WINDOW_CLOSED, Outgoing
from kkgbot.db.models import Identity, Person, StoredFile
from kkgbot.delivery.outbox import ABOUT, REPLY
from kkgbot.delivery.store import Claimed
from kkgbot.messages import Choice, MessageKind


async def outgoing(
    sessionmaker: async_sessionmaker[AsyncSession], channel: Any, row: Claimed
) -> Outgoing:
    payload = row.payload
    message = Outgoing(
        outbox_id=row.id,
        address=row.address,
        text=payload.get("text", ""),
        choices=[Choice(c["label"], c["data"]) for c in payload.get("choices", [])],
        kind=row.kind,
        edit_of=payload.get("edit_of"),
        no_preview=bool(payload.get("no_preview")),
        about=payload.get(ABOUT)
        or (MessageKind.REPLY if row.kind == REPLY else MessageKind.NOTICE),
        file_id=payload.get("file_id"),
        window_closed_at=payload.get(WINDOW_CLOSED),
    )
    if getattr(channel, "wants_recipient", False):
        async with sessionmaker() as session:
            found = await session.execute(
                select(Identity.last_inbound_at, Person.language)
                .join(Person, Person.id == Identity.person_id)
                .where(Identity.channel == row.channel, Identity.address == row.address)
            )
            message.last_inbound_at, message.language = found.first() or (None, None)
    if payload.get("file_id") is not None:
        async with sessionmaker() as session:
            stored = await session.get(StoredFile, payload["file_id"])
        if stored is not None:
            message.file_name = payload.get("file_name") or stored.name
            message.file_mime = stored.mime
            message.file_data = stored.data
    return message
