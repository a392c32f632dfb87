"""Files a person sent: /dataku exports them; /hapusdata deletes those only they had, and
keeps, unlinked from them, those the KKG keeps as its record (a meeting's notulen)."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from sqlalchemy import select

from kkgbot.db.models import Kkg, StoredFile
from kkgbot.meetings import service as meetings
from kkgbot.meetings.models import Meeting
from kkgbot.meetings.service import MeetingDraft
from kkgbot.messages import InboundFile
from tests.conftest import START
from tests.test_meetings import say

PDF = b"%PDF-1.4\n% notulen Rahmawati\n%%EOF\n"


async def past_meeting(app, s) -> tuple[Kkg, Meeting]:
    """A meeting of the demo KKG that ended just before START, ready for notulen."""
    kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
    draft = MeetingDraft(kkg_id=kkg.id, title="Numerasi", starts_at=START - timedelta(hours=3),
                         duration_minutes=120, place="SDN 1", agenda=None)  # fmt: skip
    meeting = await meetings.create_meeting(
        s, draft, creator_id=None, now=START, code_key=meetings.code_key_for(app.settings)
    )
    return kkg, meeting


async def test_uploaded_notulen_are_exported_and_stay_with_the_kkg_after_erasure(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        kkg, meeting = await past_meeting(console_app, s)
        meeting_id = meeting.id
    await say(console_app, "koordinator", "/rapat")
    await say(console_app, "koordinator", "1")
    await say(console_app, "koordinator", "Notulen")
    pdf = InboundFile("notulen.pdf", "application/pdf", PDF)
    confirm = await say(console_app, "koordinator", None, media="file", file=pdf)
    assert 'Simpan file "notulen.pdf"' in confirm
    await say(console_app, "koordinator", "Ya")

    assert "[file: data-saya.json]" in await say(console_app, "koordinator", "/dataku")
    async with console_app.sessionmaker() as s:
        export = await s.scalar(select(StoredFile).where(StoredFile.name == "data-saya.json"))
        data = json.loads(export.data)
    [row] = data["files"]
    assert row["name"] == "notulen.pdf" and base64.b64decode(row["data"]["bytes_base64"]) == PDF

    # a file of hers that the KKG never kept: her abandoned broadcast's poster
    await say(console_app, "koordinator", "/siaran")
    await say(console_app, "koordinator", "Poster lomba numerasi terlampir.")
    poster = InboundFile("poster.png", "image/png", b"\x89PNG\r\n\x1a\n")
    await say(console_app, "koordinator", None, media="image", file=poster)
    await say(console_app, "koordinator", "/batal")

    await say(console_app, "koordinator", "/hapusdata")
    assert "sudah dihapus" in await say(console_app, "koordinator", "Ya")
    async with console_app.sessionmaker() as s:
        notulen = await s.scalar(select(StoredFile).where(StoredFile.name == "notulen.pdf"))
        assert notulen.data == PDF and notulen.uploaded_by_person_id is None
        assert (await s.get(Meeting, meeting_id)).notes_file_id == notulen.id
        assert await s.scalar(select(StoredFile).where(StoredFile.name == "poster.png")) is None


async def test_a_file_from_an_abandoned_conversation_is_deleted_after_a_day(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        await past_meeting(console_app, s)
    await say(console_app, "koordinator", "/rapat")
    await say(console_app, "koordinator", "1")
    await say(console_app, "koordinator", "Notulen")
    kept = InboundFile("notulen.pdf", "application/pdf", PDF)
    await say(console_app, "koordinator", None, media="file", file=kept)
    await say(console_app, "koordinator", "Ya")
    await say(console_app, "koordinator", "/siaran")
    await say(console_app, "koordinator", "Poster lomba numerasi terlampir.")
    dropped = InboundFile("poster.png", "image/png", b"\x89PNG\r\n\x1a\n")
    await say(console_app, "koordinator", None, media="image", file=dropped)
    await say(console_app, "koordinator", "/batal")  # the broadcast never happens
    await console_app.advance_to(START + timedelta(hours=12))
    async with console_app.sessionmaker() as s:
        names = set(await s.scalars(select(StoredFile.name).where(
            StoredFile.uploaded_by_person_id.is_not(None))))  # fmt: skip
    assert names == {"notulen.pdf", "poster.png"}  # not yet: a day must pass
    await console_app.advance_to(START + timedelta(days=2))
    async with console_app.sessionmaker() as s:
        names = set(await s.scalars(select(StoredFile.name).where(
            StoredFile.uploaded_by_person_id.is_not(None))))  # fmt: skip
    assert names == {"notulen.pdf"}
