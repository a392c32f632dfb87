"""Tables of broadcasts and of the supervisors' digest rounds.

A broadcast is a row first: sent now or at `send_at`, its messages are queued with one
`batch_id`, and the sender's delivery summary goes out once the batch is done
(`summary_at`). A digest round is recorded per person and slot, so a restart or a moving
clock sends each Monday's digest once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kkgbot.db.models import Base


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    kkg_ids: Mapped[list[Any]]  # the KKGs it reaches
    scope_label: Mapped[str] = mapped_column(String(160))  # as shown to recipients
    text: Mapped[str] = mapped_column(Text)
    # one file or image for every recipient, stored once (kkgbot/db/models.py StoredFile)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id", ondelete="SET NULL"))
    send_at: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]
    queued_at: Mapped[datetime | None]  # its messages are in the outbox
    recipients: Mapped[int | None] = mapped_column(Integer)
    summary_at: Mapped[datetime | None]  # the sender got the delivery summary
    cancelled_at: Mapped[datetime | None]

    @property
    def batch_id(self) -> str:
        return f"broadcast-{self.id}"


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
