"""Broadcasts: one text (and perhaps one file) from a koordinator, pengawas or admin to
everyone in their scope.

The scope is computed here, once, for the chat, the jobs and the tests: a koordinator's
KKGs, a pengawas's supervised KKGs, an admin's district. Recipients are the members of
the chosen KKGs, each person once even when they belong to two of them. Messages go out
as bulk through `messaging.send` (quiet hours, idempotency keys) with one batch id, and
`delivery.summary.summarise` tells the sender how it went once the batch is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.broadcasts.models import Broadcast
from kkgbot.db import audit
from kkgbot.db.models import District, Kkg, Person, Role, StoredFile
from kkgbot.delivery.keys import idempotency_key
from kkgbot.delivery.summary import DeliverySummary, summarise
from kkgbot.groups import posts as group_posts
from kkgbot.groups.service import group_only
from kkgbot.messages import MessageKind
from kkgbot.people import messaging
from kkgbot.people.messaging import Recipient
from kkgbot.people.permissions import ADMIN, KKG_MEMBER_ROLES, KOORDINATOR, PENGAWAS
from kkgbot.people.roles import has_role

MAX_CHARS = 3000  # Telegram allows 4096 per message; the header needs room
MIN_LETTERS = 3
MAX_AHEAD = timedelta(days=60)
SUMMARY_AFTER = timedelta(hours=24)  # a batch still pending then is summarised as it is


class BroadcastError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class Scope:
    """What a sender may reach: KKGs by role, and the districts they administer."""

    kkgs: list[Kkg]
    admin_districts: list[District]
    koordinator_only: bool  # holds no pengawas or admin role: their own KKG(s) only


async def scope_of(session: AsyncSession, person_id: int) -> Scope:
    rows = await session.execute(
        select(Role.role, Role.kkg_id, Role.district_id).where(Role.person_id == person_id)
    )
    kkg_ids: set[int] = set()
    districts: set[int] = set()
    wide = False
    for role, kkg_id, district_id in rows:
        if role in (KOORDINATOR, PENGAWAS) and kkg_id is not None:
            kkg_ids.add(kkg_id)
            wide = wide or role == PENGAWAS
        elif role == ADMIN and district_id is not None:
            districts.add(district_id)
            wide = True
    found: dict[int, Kkg] = {}
    if kkg_ids:
        for kkg in await session.scalars(select(Kkg).where(Kkg.id.in_(kkg_ids))):
            found[kkg.id] = kkg
    admin_districts: list[District] = []
    if districts:
        admin_districts = list(
            await session.scalars(
                select(District).where(District.id.in_(districts)).order_by(District.name)
            )
        )
        for kkg in await session.scalars(select(Kkg).where(Kkg.district_id.in_(districts))):
            found.setdefault(kkg.id, kkg)
    ordered = sorted(found.values(), key=lambda k: (k.name.casefold(), k.id))
    return Scope(ordered, admin_districts, koordinator_only=not wide)


def valid_text(text: str) -> str:
    cleaned = "\n".join(line.rstrip() for line in str(text).strip().splitlines()).strip()
    if len(cleaned) > MAX_CHARS:
        raise BroadcastError("broadcast.text_too_long", max=MAX_CHARS, length=len(cleaned))
    if sum(ch.isalnum() for ch in cleaned) < MIN_LETTERS:
        raise BroadcastError("broadcast.text_too_short")
    return cleaned


def check_send_at(send_at: datetime, now: datetime) -> None:
    if send_at <= now:
        raise BroadcastError("broadcast.when_past", understood="")
    if send_at > now + MAX_AHEAD:
        raise BroadcastError("broadcast.when_too_far", days=MAX_AHEAD.days)


async def recipients(
    session: AsyncSession, kkg_ids: list[int], exclude: int | None = None
) -> list[Recipient]:
    """Members of the KKGs, each person once (in the zone of the first of their KKGs)."""
    rows = await session.execute(
        select(Person.id, Person.language, Kkg.timezone)
        .join(Role, Role.person_id == Person.id)
        .join(Kkg, Kkg.id == Role.kkg_id)
        .where(
            Role.kkg_id.in_(kkg_ids),
            Role.role.in_(KKG_MEMBER_ROLES),
            Person.onboarded_at.is_not(None),
        )
        .order_by(Person.id, Kkg.id)
    )
    seen: dict[int, Recipient] = {}
    for pid, lang, zone in rows:
        if pid != exclude and pid not in seen:
            seen[pid] = Recipient(pid, lang or i18n.DEFAULT, zone)
    return list(seen.values())


async def create(
    session: AsyncSession,
    *,
    sender: Person,
    kkg_ids: list[int],
    scope_label: str,
    text: str,
    send_at: datetime,
    now: datetime,
    file_id: int | None = None,
) -> Broadcast:
    """Save a broadcast; one due now is queued at once (the caller's transaction).
    `file_id`: a stored file every recipient gets with the text."""
    row = Broadcast(
        sender_person_id=sender.id,
        kkg_ids=sorted(kkg_ids),
        scope_label=scope_label[:160],
        text=valid_text(text),
        file_id=file_id,
        send_at=max(send_at, now),
        created_at=now,
    )
    session.add(row)
    await session.flush()
    audit.record(
        session,
        at=now,
        action="broadcast.create",
        actor_person_id=sender.id,
        kkg_id=row.kkg_ids[0] if len(row.kkg_ids) == 1 else None,
        details={"broadcast": row.id, "kkgs": row.kkg_ids, "send_at": row.send_at.isoformat()},
    )
    if row.send_at <= now:
        await queue(session, row, now)
    return row


async def queue(session: AsyncSession, row: Broadcast, now: datetime) -> int:
    """Write the broadcast's messages to the outbox (idempotent per person)."""
    sender = await session.get(Person, row.sender_person_id) if row.sender_person_id else None
    sender_name = (sender.name if sender else None) or "KKG"
    people = await recipients(session, list(row.kkg_ids), exclude=row.sender_person_id)
    file_name = None
    if row.file_id is not None:  # the file is stored once; every message refers to it
        file_name = await session.scalar(
            select(StoredFile.name).where(StoredFile.id == row.file_id)
        )

    def render(lang: str) -> str:
        head = i18n.t(lang, "broadcast.message_header", sender=sender_name, scope=row.scope_label)
        return f"{head}\n\n{row.text}"

    group_only = await _post_to_groups(session, row, sender, sender_name, now)
    # who chose to hear the KKG's news in its group, where it was posted, gets no copy
    people = [p for p in people if p.person_id not in group_only]
    for person in people:
        await messaging.send(
            session,
            person,
            render,
            key=idempotency_key("broadcast", ("b", row.id), ("person", person.person_id)),
            now=now,
            batch_id=row.batch_id,
            file_id=row.file_id if file_name else None,
            file_name=file_name,
            about=MessageKind.BROADCAST,
        )
    row.queued_at = now
    row.recipients = len(people)
    return len(people)


async def _post_to_groups(
    session: AsyncSession, row: Broadcast, sender: Person | None, sender_name: str, now: datetime
) -> set[int]:
    """A koordinator's broadcast also goes to each of their KKGs' linked group; the members
    who hear news there only are returned (they get no private copy)."""
    skip: set[int] = set()
    for kkg_id in row.kkg_ids:
        kkg = await session.get(Kkg, kkg_id)
        if kkg is None or sender is None:
            continue
        if not await has_role(session, sender.id, KOORDINATOR, kkg_id):
            continue
        text = i18n.t(group_posts.LANG, "groups.broadcast", sender=sender_name, text=row.text)
        key = idempotency_key("broadcast", ("b", row.id))
        if await group_posts.post(
            session, kkg, text, key=key, now=now, about=MessageKind.BROADCAST
        ):
            skip |= await group_only(session, kkg_id)
    return skip


def summary_text(lang: str, row: Broadcast, summary: DeliverySummary) -> str:
    snippet = " ".join(row.text.split())
    snippet = snippet if len(snippet) <= 40 else snippet[:39] + "…"
    key = "broadcast.summary" if summary.finished else "broadcast.summary_pending"
    return i18n.t(
        lang,
        key,
        snippet=snippet,
        total=row.recipients or 0,
        sent=summary.sent,
        failed=summary.failed,
        unreachable=summary.unreachable,
        pending=summary.pending,
    )


async def _summarise_done(session: AsyncSession, now: datetime, *, dry: bool) -> bool:
    """Tell senders about batches that are done; with `dry`, only say whether any is."""
    rows = await session.scalars(
        select(Broadcast).where(
            Broadcast.queued_at.is_not(None),
            Broadcast.summary_at.is_(None),
            Broadcast.cancelled_at.is_(None),
        )
    )
    found = False
    for row in rows:
        summary = await summarise(session, row.batch_id)
        late = now >= row.queued_at + SUMMARY_AFTER
        if not (summary.finished or late):
            continue
        found = True
        if dry:
            return True
        row.summary_at = now
        sender = await session.get(Person, row.sender_person_id) if row.sender_person_id else None
        if sender is None:
            continue
        zone = await messaging.person_zone(session, sender, "Asia/Makassar")
        await messaging.send(
            session,
            Recipient(sender.id, sender.language or i18n.DEFAULT, zone),
            lambda lang, row=row, summary=summary: summary_text(lang, row, summary),
            key=idempotency_key("broadcast-summary", ("b", row.id)),
            now=now,
            quiet_exempt=True,  # the answer to the sender's own action,
            about=MessageKind.BROADCAST,
        )
    return found


async def run_due(session: AsyncSession, now: datetime) -> None:
    due = await session.scalars(
        select(Broadcast)
        .where(
            Broadcast.queued_at.is_(None),
            Broadcast.cancelled_at.is_(None),
            Broadcast.send_at <= now,
        )
        .order_by(Broadcast.send_at, Broadcast.id)
    )
    for row in list(due):
        if await claim(session, row, now):
            await queue(session, row, now)
    await _summarise_done(session, now, dry=False)


async def claim(session: AsyncSession, row: Broadcast, now: datetime) -> bool:
    """Mark a due broadcast queued unless it was cancelled meanwhile, in one UPDATE that
    races `broadcasts_scheduled.cancel`'s: whichever commits first wins, the other sees it."""
    done = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == row.id, Broadcast.queued_at.is_(None))
        .where(Broadcast.cancelled_at.is_(None))
        .values(queued_at=now)
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
    if await _summarise_done(session, after, dry=True):
        return after + timedelta(seconds=1)
    return await session.scalar(
        select(Broadcast.send_at)
        .where(Broadcast.queued_at.is_(None), Broadcast.cancelled_at.is_(None))
        .order_by(Broadcast.send_at)
        .limit(1)
    )


async def scheduled_of(session: AsyncSession, person_id: int, now: datetime) -> list[Broadcast]:
    return list(
        await session.scalars(
            select(Broadcast)
            .where(
                Broadcast.sender_person_id == person_id,
                Broadcast.queued_at.is_(None),
                Broadcast.cancelled_at.is_(None),
                Broadcast.send_at > now,
            )
            .order_by(Broadcast.send_at)
        )
    )
