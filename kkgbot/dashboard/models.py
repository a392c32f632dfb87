"""Sign-in links and sessions of the web dashboard.

Only hashes of the secrets are stored: a copy of the database does not sign anyone in.
Both tables are emptied of a person's rows when they erase their data (`erase_rows`, read
by kkgbot/privacy), and a session is also checked against the person's roles on every
request, so a revoked role ends it at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kkgbot.db.models import Base


class DashboardLink(Base):
    """A one-time sign-in link sent by /dasbor: valid 15 minutes, used once."""

    __tablename__ = "dashboard_links"
    __table_args__ = {"info": {"erase_rows": True}}

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class DashboardSession(Base):
    """A signed-in browser: a cookie holding the secret whose hash is here (12 hours)."""

    __tablename__ = "dashboard_sessions"
    __table_args__ = {"info": {"erase_rows": True}}

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
