"""Sign-in without passwords: /dasbor sends a one-time link, its page's button opens a session.

Chat apps fetch links to draw previews, so opening the link only shows a page; the token
is used by the page's POST alone. A link works once and for 15 minutes; a session lasts
12 hours and ends at sign-out, when the person no longer holds a dashboard role, or when
they erase their data.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.dashboard.models import DashboardLink, DashboardSession
from kkgbot.db import audit
from kkgbot.db.models import Person, Role
from kkgbot.people.permissions import ADMIN, KOORDINATOR, PENGAWAS

DASHBOARD_ROLES = (KOORDINATOR, PENGAWAS, ADMIN)
LINK_TTL = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=12)
LINKS_PER_HOUR = 5
SIGNIN_PATH = "/dasbor/masuk/"


class TooManyLinks(Exception):
    """More than LINKS_PER_HOUR links asked for in the last hour."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def link_url(public_url: str, token: str) -> str:
    return public_url.rstrip("/") + SIGNIN_PATH + token


async def has_dashboard_role(session: AsyncSession, person_id: int) -> bool:
    found = await session.scalar(
        select(Role.id).where(Role.person_id == person_id, Role.role.in_(DASHBOARD_ROLES)).limit(1)
    )
    return found is not None


async def issue_link(session: AsyncSession, person_id: int, now: datetime) -> str:
    """A new sign-in token for the person (the caller checked the role); rate-limited."""
    recent = await session.scalar(
        select(func.count(DashboardLink.id)).where(
            DashboardLink.person_id == person_id,
            DashboardLink.created_at > now - timedelta(hours=1),
        )
    )
    if (recent or 0) >= LINKS_PER_HOUR:
        raise TooManyLinks
    token = secrets.token_urlsafe(32)
    session.add(
        DashboardLink(
            token_hash=digest(token), person_id=person_id, created_at=now, expires_at=now + LINK_TTL
        )
    )
    await session.flush()
    return token


@dataclass(frozen=True)
class NewSession:
    secret: str  # goes into the cookie, never stored
    person_id: int
    expires_at: datetime


async def redeem(session: AsyncSession, token: str, now: datetime) -> NewSession | None:
    """The token's session, once: None for an unknown, used or expired token, or for a
    person who no longer may sign in."""
    if not token or len(token) > 100:
        return None
    # One UPDATE marks the link used, so two presses of "Masuk" cannot both get a session.
    used = await session.execute(
        update(DashboardLink)
        .where(
            DashboardLink.token_hash == digest(token),
            DashboardLink.used_at.is_(None),
            DashboardLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(DashboardLink.person_id)
    )
    person_id = used.scalar()
    if person_id is None:
        return None
    person = await session.get(Person, person_id)
    if person is None or person.erased_at is not None:
        return None
    if not await has_dashboard_role(session, person_id):
        return None
    secret = secrets.token_urlsafe(32)
    expires = now + SESSION_TTL
    session.add(
        DashboardSession(
            token_hash=digest(secret),
            person_id=person_id,
            csrf=secrets.token_urlsafe(24),
            created_at=now,
            expires_at=expires,
        )
    )
    audit.record(session, at=now, action="dashboard.signin", actor="web", actor_person_id=person_id)
    await session.flush()
    return NewSession(secret, person_id, expires)


@dataclass(frozen=True)
class Viewer:
    """The signed-in person, as the routes need them."""

    person_id: int
    name: str
    language: str
    csrf: str
    session_id: int


async def viewer(session: AsyncSession, secret: str | None, now: datetime) -> Viewer | None:
    """The person behind a session cookie, if the session still holds."""
    if not secret or len(secret) > 100:
        return None
    row = await session.scalar(
        select(DashboardSession).where(
            DashboardSession.token_hash == digest(secret),
            DashboardSession.ended_at.is_(None),
            DashboardSession.expires_at > now,
        )
    )
    if row is None:
        return None
    person = await session.get(Person, row.person_id)
    if person is None or person.erased_at is not None:
        return None
    if not await has_dashboard_role(session, person.id):
        row.ended_at = now  # the role was revoked: the session ends for good
        return None
    return Viewer(person.id, person.name or "", person.language or "id", row.csrf, row.id)


async def sign_out(session: AsyncSession, session_id: int, now: datetime) -> None:
    await session.execute(
        update(DashboardSession).where(DashboardSession.id == session_id).values(ended_at=now)
    )
