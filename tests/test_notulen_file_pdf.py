"""The laporan kegiatan of a meeting whose notulen are a file says the file goes with it."""

from __future__ import annotations

from kkgbot.db.models import StoredFile
from kkgbot.meetings import service as meetings
from kkgbot.meetings.spj_pdf import activity_report_pdf
from tests.conftest import START
from tests.test_exports import pdf_text
from tests.test_privacy_files import past_meeting


async def test_report_names_the_notulen_file(console_app, tmp_path):
    async with console_app.sessionmaker() as s, s.begin():
        kkg, meeting = await past_meeting(console_app, s)
        notes = StoredFile(name="notulen-numerasi.pdf", mime="application/pdf", data=b"%PDF-1.4",
                           created_at=START)  # fmt: skip
        s.add(notes)
        await s.flush()
        await meetings.set_notes(s, meeting, text=None, file_id=notes.id, now=START, actor_id=None)
        report = await activity_report_pdf(s, meeting, kkg)
    text = pdf_text(report, tmp_path)
    assert "Terlampir (file notulen: notulen-numerasi.pdf)" in text
    assert "notulen belum diisi" not in text
