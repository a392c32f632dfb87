"""The certificates issued: what each one certifies, under a code anyone can verify.

A row keeps no personal data of its own: the name shown on verification is read from the
person at that moment, so after /hapusdata the certificate is "no longer valid" and nameless
(the row stays so that the code is not mistaken for a forgery).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kkgbot.db.models import Base

MEETING, SEMESTER = "meeting", "semester"


class Certificate(Base):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # CLEAR_ALPHABET, 12 chars
    kind: Mapped[str] = mapped_column(String(10))  # meeting | semester
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    semester: Mapped[str | None] = mapped_column(String(12))  # "2026/2027-1"
    jp: Mapped[int] = mapped_column(Integer)
    meetings: Mapped[int] = mapped_column(Integer, default=1)
    issued_at: Mapped[datetime]
