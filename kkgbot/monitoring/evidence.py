"""Bukti karya: a teacher's photo of student work or the board, after trying a practice.

The photo is asked for with its rules (no children's faces or full names; seen by the
koordinator and pengawas; kept one semester at most), and sending it is the consent. It
is stored as the teacher's upload and listed in `file_people` under the teacher, so
erasing the teacher deletes it (kkgbot/privacy/files.erase_files_naming); a daily job
deletes every photo older than `KEEP`. Only images are kept: anything else is deleted at
once and the teacher told, nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import FilePerson, Kkg, Person, StoredFile
from kkgbot.delivery.keys import idempotency_key
from kkgbot.meetings.models import Meeting
from kkgbot.messages import MessageKind
from kkgbot.monitoring.models import Reflection
from kkgbot.monitoring.reflections import ReflectionError, followup_row_for
from kkgbot.people import messaging, roles
from kkgbot.people.messaging import Recipient

KEEP = timedelta(days=183)  # one semester at most


async def attach_photo(
    session: AsyncSession, meeting_id: int, person_id: int, file_id: int, now: datetime
) -> Reflection:
    stored = await session.get(StoredFile, file_id)
    try:
        if stored is None or not stored.mime.startswith("image/"):
            raise ReflectionError("monitoring.rf_photo_not_image")
        row = await followup_row_for(session, meeting_id, person_id, now)
        if not row.tried:
            raise ReflectionError("monitoring.rf_tried_first")
    except ReflectionError:
        if stored is not None:
            await session.delete(stored)
        raise
    old = row.photo_file_id
    row.photo_file_id = file_id
    session.add(FilePerson(file_id=file_id, person_id=person_id))
    if old is not None and old != file_id:
        await session.execute(delete(StoredFile).where(StoredFile.id == old))
    await session.flush()
    return row


@dataclass(frozen=True)
class Photo:
    file_id: int
    name: str | None
    meeting_title: str
    sent_at: datetime


async def photos_for(session: AsyncSession, kkg_id: int, since: datetime) -> list[Photo]:
    rows = await session.execute(
        select(Reflection.photo_file_id, Person.name, Meeting.title, StoredFile.created_at)
        .join(StoredFile, StoredFile.id == Reflection.photo_file_id)
        .join(Person, Person.id == Reflection.person_id)
        .join(Meeting, Meeting.id == Reflection.meeting_id)
        .where(Reflection.kkg_id == kkg_id, StoredFile.created_at >= since)
        .order_by(StoredFile.created_at)
    )
    return [Photo(fid, name, title, at) for fid, name, title, at in rows]


async def purge_old_photos(session: AsyncSession, now: datetime) -> int:
    """Photos of student work older than a semester are deleted."""
    old = select(Reflection.photo_file_id).where(Reflection.photo_file_id.is_not(None))
    result = await session.execute(
        delete(StoredFile).where(StoredFile.id.in_(old), StoredFile.created_at < now - KEEP)
    )
    return result.rowcount or 0


async def send_photos(session: AsyncSession, kkg: Kkg, since: datetime, now: datetime) -> int:
    """The week's photos to the KKG's koordinators, one message each, with who and which
    meeting (the koordinator and pengawas may see names; nobody else)."""
    photos = await photos_for(session, kkg.id, since)
    sent = 0
    for person in await roles.koordinators_of(session, kkg.id):
        recipient = Recipient(person.id, person.language or i18n.DEFAULT, kkg.timezone)
        for photo in photos:
            sent += await messaging.send(
                session,
                recipient,
                lambda lang, p=photo: caption(lang, p),
                key=idempotency_key("evidence", ("file", photo.file_id), ("person", person.id)),
                now=now,
                file_id=photo.file_id,
                file_name="bukti-karya.jpg",
                about=MessageKind.NOTICE,
            )
    return sent


def caption(lang: str, photo: Photo) -> str:
    return i18n.t(
        lang, "monitoring.photo_caption", name=photo.name or "—", title=photo.meeting_title
    )
