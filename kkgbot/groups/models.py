"""A Telegram group linked to a KKG, and each member's choice of where they hear news.

One group per KKG: linking a second one replaces the first. The row holds no person's
data beyond who linked it (for the audit), and it goes when the link ends.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kkgbot.db.models import Base

HEAR_BOTH, HEAR_GROUP, HEAR_PRIVATE = "both", "group", "private"
HEAR_CHOICES = (HEAR_BOTH, HEAR_GROUP, HEAR_PRIVATE)


class KkgGroup(Base):
    __tablename__ = "kkg_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    via: Mapped[str | None] = mapped_column(String(24))  # the bot in the group (None: default)
    chat_id: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str | None] = mapped_column(String(128))
    linked_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    linked_at: Mapped[datetime]


class HearingChoice(Base):
    """Where a member hears about KKG events; no row means both (the default)."""

    __tablename__ = "group_hearing"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    hears: Mapped[str] = mapped_column(String(8))
    updated_at: Mapped[datetime]


class GroupShare(Base):
    """A ready text for the KKG's WhatsApp group, behind `<public url>/bagikan/<token>`.

    Twilio cannot post into WhatsApp groups, so the koordinator shares it with one tap. The
    text is a group post (nothing about one person), so keeping it is harmless.
    """

    __tablename__ = "group_shares"

    token: Mapped[str] = mapped_column(String(24), primary_key=True)
    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
