"""The audit log: every administrative action, with who and when (never deleted content)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    at: datetime,
    action: str,
    actor: str = "chat",
    actor_person_id: int | None = None,
    kkg_id: int | None = None,
    target_person_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=at,
            actor=actor,
            actor_person_id=actor_person_id,
            action=action,
            kkg_id=kkg_id,
            target_person_id=target_person_id,
            details=details,
        )
    )
