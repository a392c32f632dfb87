"""The member messages table: what a member asked the bot to pass on, and the answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from kkgbot.db.models import Base


class MemberMessage(Base):
    __tablename__ = "member_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"))
    text: Mapped[str | None] = mapped_column(Text, info={"personal_text": True})
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    answered_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    answer_text: Mapped[str | None] = mapped_column(Text, info={"personal_text": True})

    __table_args__ = (
        Index("ix_member_messages_kkg_open", "kkg_id", "answered_at"),
        Index("ix_member_messages_person", "person_id", "created_at"),
    )
