"""The digest rounds table: one row per person and Monday slot, so a restart or a moving
clock sends each Monday's digest once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kkgbot.db.models import Base


class DigestRound(Base):
    """One person's weekly digest for one Monday slot (or an on-demand one, slot = None)."""

    __tablename__ = "digest_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    slot_at: Mapped[datetime]
    sent_at: Mapped[datetime]
    kkgs: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("person_id", "slot_at", name="uq_digest_rounds_person_slot"),
    )
