"""The broadcasts table.

A broadcast is a row first: sent now or at `send_at`, its messages are queued with one
`batch_id`, and the sender's delivery summary goes out once the batch is done
(`summary_at`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
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
