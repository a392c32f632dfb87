"""The visits table: one classroom visit or coaching session of one teacher.

Training changes teaching when teachers are accompanied while they try it (pendampingan),
so a visitor (pengawas, narasumber, koordinator) records what they observed against the
practice's checklist and the next step agreed with the teacher. The row also carries the
week-later question about that next step, so a restart asks nobody twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kkgbot.db.models import Base


class Visit(Base):
    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    visited_on: Mapped[date] = mapped_column(Date)  # in the KKG's zone
    practice_id: Mapped[str] = mapped_column(String(60))  # config/practices.yaml
    # one entry per checklist item, in file order: True when it was observed
    observed: Mapped[list] = mapped_column(JSON)
    next_step: Mapped[str | None] = mapped_column(Text, info={"personal_text": True})
    created_at: Mapped[datetime]
    ask_at: Mapped[datetime]  # a week later: "did you take the next step?"
    asked_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(String(8))  # done | partly | not
    answered_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_visits_kkg_visited", "kkg_id", "visited_on"),
        Index("ix_visits_ask_at", "ask_at"),
    )
