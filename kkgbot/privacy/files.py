"""Files that name people do not outlive their purpose.

A generated file (an attendance workbook, SPJ PDFs, a digest, a /dataku export) is written
down with the people it lists (`file_people`) when it is made, because a compressed xlsx or
PDF cannot be searched for a name afterwards. Erasing a person deletes every file that
lists them. Apart from erasure, a generated file is only needed while its link works: it
is deleted once the link has expired. A person's own /dataku file goes sooner: once
delivered, or a day after it was made at the latest.

Uploads (notulen, a broadcast's attachment) are not handled here: they follow the KKG
record that keeps them (kkgbot/privacy/personal_data.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import FilePerson, OutboxMessage, StoredFile
from kkgbot.delivery import outbox

# Outcomes after which nobody will fetch the file again. A WhatsApp message "sent" is only
# accepted by Twilio, which fetches the media afterwards: it waits for "delivered".
_FAILED = (outbox.DEAD, outbox.UNREACHABLE, outbox.EXPIRED)
_WAITING = (*outbox.PENDING_STATUSES, outbox.HELD)


def _carried_by() -> object:
    return OutboxMessage.payload["file_id"].as_integer()


def _carrying(file_id_column, *conditions) -> object:
    return exists(select(OutboxMessage.id).where(_carried_by() == file_id_column, *conditions))


async def erase_files_naming(session: AsyncSession, person_id: int) -> int:
    """Every generated file that lists the person is deleted (their /dataku file too)."""
    named = select(FilePerson.file_id).where(FilePerson.person_id == person_id)
    result = await session.execute(delete(StoredFile).where(StoredFile.id.in_(named)))
    await session.execute(delete(FilePerson).where(FilePerson.person_id == person_id))
    return result.rowcount or 0


async def purge_own_files(session: AsyncSession, now: datetime) -> int:
    """A person's own files: gone once delivered (or failed for good), or past their day.
    Runs every tick: the messages looked at are the owner's (outbox.person_id is indexed),
    never the whole outbox."""
    owner = OutboxMessage.person_id.in_(
        select(FilePerson.person_id).where(FilePerson.file_id == StoredFile.id)
    )
    done = or_(
        OutboxMessage.status == outbox.DELIVERED,
        and_(OutboxMessage.status == outbox.SENT, OutboxMessage.channel != "whatsapp"),
        OutboxMessage.status.in_(_FAILED),
    )
    pending = OutboxMessage.status.in_(_WAITING)
    result = await session.execute(
        delete(StoredFile).where(
            StoredFile.delete_after.is_not(None),
            (StoredFile.delete_after <= now)
            | (_carrying(StoredFile.id, owner, done) & ~_carrying(StoredFile.id, owner, pending)),
        )
    )
    return result.rowcount or 0


async def purge_expired_generated(
    session: AsyncSession, made_before: datetime, file_links: list
) -> int:
    """Generated files (no uploader) older than the media link's lifetime: every link to
    them has expired, so nobody can fetch them. Files a KKG record keeps, and files a
    message still waiting to go out carries, stay."""
    query = delete(StoredFile).where(
        StoredFile.uploaded_by_person_id.is_(None),
        StoredFile.created_at < made_before,
        ~_carrying(StoredFile.id, OutboxMessage.status.in_(_WAITING)),
    )
    for column in file_links:
        query = query.where(~select(column).where(column == StoredFile.id).exists())
    result = await session.execute(query)
    return result.rowcount or 0
