"""A person's rights under UU 27/2022: see everything stored about them, and erase it.

Both walk the schema rather than a hand-kept list, so a feature added later is covered:
every table with a column referring to `people.id` holds data about that person. Erasure
keeps the rows that make up anonymous counts (attendance, votes, scores stay, tied to a
person row with no name), nulls the free text people wrote (columns marked
`info={"personal_text": True}`), deletes how they are reached, and finally sweeps every
text column of every table for their name and number, so that no message, conversation
or roster anywhere still carries them. Files a person sent are theirs until the KKG keeps
them as its own record (a meeting's notulen, a broadcast's attachment, which the KKG needs
for its reports): those stay, no longer linked to the person; every other file they sent
is deleted.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, String, Table, Text, cast, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db import audit
from kkgbot.db.models import (
    AuditEntry,
    Conversation,
    Identity,
    OpenQuestion,
    OutboxMessage,
    Person,
    Role,
    StoredFile,
)
from kkgbot.delivery import questions
from kkgbot.privacy import files, scrub
from kkgbot.schema import metadata

ERASED = "[dihapus]"
SKIP_TABLES = {"people", "alembic_version"}


@dataclass(frozen=True)
class PersonLink:
    table: Table
    column: str


def person_links() -> list[PersonLink]:
    """Every (table, column) that refers to a person."""
    links = []
    for table in metadata.sorted_tables:
        if table.name in SKIP_TABLES:
            continue
        for column in table.columns:
            if any(fk.column.table.name == "people" for fk in column.foreign_keys):
                links.append(PersonLink(table, column.name))
    return links


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"bytes_base64": base64.b64encode(value[:4096]).decode()}
    if isinstance(value, Decimal):
        return float(value)
    return value


async def export_person(session: AsyncSession, person_id: int) -> dict[str, Any]:
    """Everything stored about the person, table by table, as plain JSON-able data."""
    person = await session.get(Person, person_id)
    assert person is not None
    out: dict[str, Any] = {
        "person": {c.name: _plain(getattr(person, c.key)) for c in Person.__table__.columns}
    }
    for link in person_links():
        rows = (
            await session.execute(select(link.table).where(link.table.c[link.column] == person_id))
        ).mappings()
        found = [{k: _plain(v) for k, v in row.items()} for row in rows]
        if found:
            out.setdefault(link.table.name, []).extend(found)
    return out


def summary_counts(data: dict[str, Any]) -> dict[str, int]:
    return {table: len(rows) for table, rows in data.items() if isinstance(rows, list)}


def _variants(person: Person) -> list[str]:
    """The strings that identify the person: full name, number in the usual spellings."""
    found = []
    if person.name and len(person.name) >= 4:
        found.append(person.name)
    if person.phone:
        local = "0" + person.phone.removeprefix("+62")
        found += [person.phone, person.phone.removeprefix("+"), local]
    if person.nip and len(person.nip) >= 8:
        found.append(person.nip)
    if person.telegram_username and len(person.telegram_username) >= 5:
        found.append("@" + person.telegram_username)
    return found


async def _sweep(session: AsyncSession, needles: list[str]) -> set[str]:
    """Replace the needles in every text and JSON column of every table; the tables changed."""
    sqlite = session.bind.dialect.name == "sqlite"
    changed: set[str] = set()
    for table in metadata.sorted_tables:
        if table.name == "alembic_version":
            continue
        for column in table.columns:
            if isinstance(column.type, String | Text):
                is_json, as_text = False, column
            elif isinstance(column.type, JSON):
                is_json, as_text = True, cast(column, Text)
            else:
                continue
            forms = set(needles)
            if is_json:  # JSON text may hold non-ASCII names \u-escaped
                forms |= {json.dumps(n)[1:-1] for n in needles}
            for needle in forms:
                replaced = func.replace(as_text, needle, ERASED)
                value = cast(replaced, JSON) if is_json and not sqlite else replaced
                result = await session.execute(
                    update(table)
                    .where(as_text.contains(needle, autoescape=True))
                    .values({column.name: value})
                )
                if result.rowcount:
                    changed.add(table.name)
    return changed


async def erase_person(session: AsyncSession, person_id: int, now: datetime) -> None:
    """Erase the person's personal data now, in the caller's transaction; once it commits,
    the freed bytes are scrubbed from the database files (kkgbot/privacy/scrub.py)."""
    person = await session.get(Person, person_id)
    assert person is not None
    needles = _variants(person)
    touched = {"people", "files", "file_people", "identities", "conversations", "roles",
               "open_questions", "outbox", "audit_log"}  # fmt: skip
    for link in person_links():
        personal = [c.name for c in link.table.columns if c.info.get("personal_text")]
        if personal:
            touched.add(link.table.name)
            await session.execute(
                update(link.table)
                .where(link.table.c[link.column] == person_id)
                .values({name: None for name in personal})
            )
    await files.erase_files_naming(session, person_id)
    uploads = delete(StoredFile).where(StoredFile.uploaded_by_person_id == person_id)
    for column in file_links():
        uploads = uploads.where(~select(column).where(column == StoredFile.id).exists())
    await session.execute(uploads)
    await session.execute(
        update(StoredFile)
        .where(StoredFile.uploaded_by_person_id == person_id)
        .values(uploaded_by_person_id=None)
    )
    await session.execute(delete(Identity).where(Identity.person_id == person_id))
    await session.execute(delete(Conversation).where(Conversation.person_id == person_id))
    await session.execute(delete(OpenQuestion).where(OpenQuestion.person_id == person_id))
    questions.forget_cached(session)
    await session.execute(delete(Role).where(Role.person_id == person_id))
    for table in metadata.sorted_tables:  # rows that are the person's alone (sign-in sessions)
        if table.info.get("erase_rows"):
            touched.add(table.name)
            await session.execute(delete(table).where(table.c.person_id == person_id))
    await session.execute(delete(OutboxMessage).where(OutboxMessage.person_id == person_id))
    for field in (
        "name",
        "school",
        "nip",
        "phone",
        "telegram_username",
        "consent_at",
        "consent_version",
    ):
        setattr(person, field, None)
    person.onboarded_at = None
    person.erased_at = now
    await session.flush()
    if needles:
        touched |= await _sweep(session, needles)
    audit.record(session, at=now, action="person.erase", actor="chat", target_person_id=person_id)
    scrub.after_commit(session, touched)


async def erased_outbox_cleanup(session: AsyncSession) -> int:
    """Delivered goodbyes to erased people leave no chat address behind."""
    erased = select(Person.id).where(Person.erased_at.is_not(None))
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.person_id.in_(erased),
            OutboxMessage.status.in_(("sent", "delivered", "dead", "unreachable", "expired")),
        )
    )
    return result.rowcount or 0


def file_links() -> list[Any]:
    """Every column by which a KKG record keeps a stored file (a meeting's notulen, a
    broadcast's file); `file_people` only says whom a file names, it keeps nothing."""
    return [
        column
        for table in metadata.sorted_tables
        if table.name != "file_people"
        for column in table.columns
        if any(fk.column.table.name == "files" for fk in column.foreign_keys)
    ]


async def purge_orphan_uploads(session: AsyncSession, before: datetime) -> int:
    """Files people sent in a conversation they then cancelled or left: nothing refers to
    them, so they are deleted (uploaded before `before`, well past any open conversation)."""
    query = delete(StoredFile).where(
        StoredFile.uploaded_by_person_id.is_not(None), StoredFile.created_at < before
    )
    for column in file_links():
        query = query.where(~select(column).where(column == StoredFile.id).exists())
    result = await session.execute(query)
    return result.rowcount or 0


async def purge_old_logs(session: AsyncSession, before: datetime) -> int:
    """Retention: finished messages older than the retention period are deleted."""
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.updated_at < before,
            OutboxMessage.status.in_(("sent", "delivered", "dead", "unreachable", "expired")),
        )
    )
    return result.rowcount or 0


def to_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


async def audit_mentions(session: AsyncSession, person_id: int) -> int:
    return await session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            (AuditEntry.actor_person_id == person_id) | (AuditEntry.target_person_id == person_id)
        )
    )
