"""Certificates of JP: /sertifikat for a meeting attended and the semester, refusals with
the reason (not attended, not yet held, cancelled), late check-ins (terlambat, fewer JP),
the koordinator and narasumber counted present, /verifikasi in chat and on the web page,
and erasure making a certificate no longer valid."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import httpx
from sqlalchemy import func, select

from kkgbot.certificates.models import Certificate
from kkgbot.certificates.service import semester_of
from kkgbot.db.models import FilePerson, Person, StoredFile
from kkgbot.meetings.models import Attendance, Meeting
from kkgbot.web.asgi import WebState, build_web_app
from kkgbot.web.metrics import Metrics
from kkgbot.web.verify import Limiter
from tests.test_exports import held_meeting, pdf_text, stored
from tests.test_meetings import person_id, say, schedule

CODE = re.compile(r"(?:Kode verifikasi|Verification code): ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")


async def certificates(app) -> int:
    async with app.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(Certificate)))


async def test_a_certificate_for_a_meeting_attended(console_app):
    meeting = await held_meeting(console_app)
    menu = await say(console_app, "guru1", "/sertifikat")
    assert "[1] Literasi Dasar · Sel 1 Des 13.00 WITA" in menu
    assert "Rekap JP Semester 1 (ganjil) 2026/2027" in menu
    reply = await say(console_app, "guru1", "1")
    assert f"[file: sertifikat-2026-12-01-rapat-{meeting.id}.pdf]" in reply
    assert "bukan bukti angka kredit PKB resmi" in reply
    code = CODE.search(reply)[1]
    text = pdf_text(await stored(console_app, "sertifikat-%.pdf"))
    for needle in ("SERTIFIKAT KEHADIRAN", "Ni Made Ayu Lestari", "KKG Gugus 1 Mataram",
                   "Literasi Dasar", "1 Desember 2026", "2 JP", "Mengetahui", "Ketua KKG",
                   "Rahmawati", "bukan bukti angka kredit PKB resmi", code):  # fmt: skip
        assert needle in text, needle
    # asked again: the same code (a printed certificate keeps verifying)
    await say(console_app, "guru1", "/sertifikat")
    assert code in await say(console_app, "guru1", "1")
    assert await certificates(console_app) == 1
    async with console_app.sessionmaker() as s:  # the file names its holder (erasure deletes it)
        named = await s.scalars(
            select(FilePerson.person_id)
            .join(StoredFile, StoredFile.id == FilePerson.file_id)
            .where(StoredFile.name.like("sertifikat-%"))
        )
        assert set(named) == {await person_id(console_app, "guru1")}


async def test_no_certificate_without_attendance_and_the_reason(console_app):
    await held_meeting(console_app)
    upcoming = await schedule(console_app, "Numerasi; 2026-12-03 09:00; SDN 2 Mataram; Pecahan")
    menu = await say(console_app, "guru3", "/sertifikat")
    assert "[1] Numerasi" in menu and "[2] Literasi Dasar" in menu
    reply = await say(console_app, "guru3", "2")
    assert "tidak tercatat hadir" in reply and "[file:" not in reply
    await say(console_app, "guru3", "/sertifikat")
    assert "belum berlangsung" in await say(console_app, "guru3", "1")
    await say(console_app, "guru3", "/sertifikat")
    assert "Belum ada rapat yang Anda hadiri" in await say(console_app, "guru3", "3")
    async with console_app.sessionmaker() as s, s.begin():
        (await s.get(Meeting, upcoming.id)).cancelled_at = console_app.clock.now()
    await say(console_app, "guru3", "/sertifikat")
    assert "dibatalkan" in await say(console_app, "guru3", "1")
    assert await certificates(console_app) == 0


async def test_the_koordinator_and_narasumber_count_as_present(console_app):
    meeting = await held_meeting(console_app)
    async with console_app.sessionmaker() as s:  # she never checked in: she ran the meeting
        row = await s.scalar(
            select(Attendance).where(
                Attendance.meeting_id == meeting.id,
                Attendance.person_id == await person_id(console_app, "koordinator"),
            )
        )
        assert row.method == "role" and row.jp == 2  # recorded at the wrap-up
    await say(console_app, "koordinator", "/sertifikat")
    reply = await say(console_app, "koordinator", "1")
    assert "[file: sertifikat-" in reply and "(2 JP)" in reply


async def test_a_late_check_in_is_terlambat_with_fewer_jp(console_app):
    meeting = await schedule(console_app, "Literasi; 2026-12-01 13:00; SDN 1 Mataram; Membaca")
    await console_app.advance_to(meeting.starts_at + timedelta(minutes=40))
    async with console_app.sessionmaker() as s:
        code = (await s.get(Meeting, meeting.id)).checkin_code
    reply = await say(console_app, "guru3", f"/hadir {code}")
    assert "terlambat 40 menit" in reply and "1 JP" in reply
    await console_app.advance_to(meeting.starts_at + timedelta(hours=3))
    await say(console_app, "guru3", "/sertifikat")
    reply = await say(console_app, "guru3", "1")
    assert "(1 JP)" in reply
    assert "terlambat 40 menit" in pdf_text(await stored(console_app, "sertifikat-%.pdf"))


async def test_the_semester_summary(console_app):
    await held_meeting(console_app)
    await say(console_app, "guru1", "/sertifikat")
    reply = await say(console_app, "guru1", "rekap")
    assert "Rekap JP Semester 1 (ganjil) 2026/2027: 2 JP dari 1 rapat" in reply
    text = pdf_text(await stored(console_app, "sertifikat-jp-%.pdf"))
    assert "Jumlah JP" in text and "Literasi Dasar" in text and "Semester 1" in text
    checked = await say(console_app, "pengawas", f"/verifikasi {CODE.search(reply)[1]}")
    assert (
        "Rekap JP KKG untuk Ni Made Ayu Lestari (KKG Gugus 1 Mataram): 2 JP dari 1 rapat" in checked
    )
    assert "Semester 1 (ganjil) 2026/2027" in checked


def test_semesters_follow_the_school_year():
    from datetime import date

    assert semester_of(date(2026, 12, 1))[0] == "2026/2027-1"
    assert semester_of(date(2027, 1, 4))[0] == "2026/2027-2"
    assert semester_of(date(2027, 6, 30))[0] == "2026/2027-2"


async def test_verification_in_chat_and_after_erasure(console_app):
    await held_meeting(console_app)
    await say(console_app, "guru1", "/sertifikat")
    code = CODE.search(await say(console_app, "guru1", "1"))[1]
    reply = await say(console_app, "pengawas", f"/verifikasi {code.lower()}")
    assert "Sertifikat ASLI" in reply and "Ni Made Ayu Lestari" in reply
    assert "Literasi Dasar" in reply and "2 JP" in reply and "bukan bukti angka kredit" in reply
    assert "SDN" not in reply  # no other personal data
    # a stranger who never joined may check too; a wrong code is said plainly
    reply = await say(console_app, "tamu", "/verifikasi ACDE-FGHJ-KMNP")
    assert "tidak ditemukan" in reply
    assert "tidak ditemukan" in await say(console_app, "tamu", "/verifikasi 12345")
    before = await certificates(console_app)
    # erasure: the confirmation warns, then the certificate is no longer valid, nameless
    assert "Sertifikat kehadiran Anda juga tidak berlaku" in await say(
        console_app, "guru1", "/hapusdata"
    )
    await say(console_app, "guru1", "Ya")
    reply = await say(console_app, "pengawas", f"/verifikasi {code}")
    assert "sudah tidak berlaku" in reply and "Ayu" not in reply
    assert await certificates(console_app) == before
    async with console_app.sessionmaker() as s:
        assert not list(
            await s.scalars(select(StoredFile).where(StoredFile.name.like("sertifikat-%")))
        )


async def test_english_certificate(console_app):
    await held_meeting(console_app)
    async with console_app.sessionmaker() as s, s.begin():
        (await s.get(Person, await person_id(console_app, "guru2"))).language = "en"
    menu = await say(console_app, "guru2", "/certificate")
    assert "A certificate of attendance for which meeting?" in menu
    reply = await say(console_app, "guru2", "1")
    assert "Your certificate of attendance" in reply and "not an official PKB credit" in reply
    text = pdf_text(await stored(console_app, "sertifikat-%.pdf"))
    assert "CERTIFICATE OF ATTENDANCE" in text and "1 December 2026" in text
    code = CODE.search(reply)[1]
    assert "GENUINE" in await say(console_app, "guru2", f"/verify {code}")


async def test_the_web_page_verifies_and_is_rate_limited(console_app, monkeypatch):
    monkeypatch.setattr(console_app.settings, "public_url", "https://kkg.example")
    await held_meeting(console_app)
    await say(console_app, "guru1", "/sertifikat")
    code = CODE.search(await say(console_app, "guru1", "1"))[1].replace("-", "")
    text = " ".join(pdf_text(await stored(console_app, "sertifikat-%.pdf")).split())
    assert f"https://kkg.example/verifikasi/{code}" in text  # printed beside its QR code
    state = WebState(console_app.settings, console_app.sessionmaker, console_app.clock,
                     on_inbound=None, metrics=Metrics())  # fmt: skip
    app = build_web_app(state)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kkg.test") as client:
        ok = await client.get(f"/verifikasi/{code}")
        assert ok.status_code == 200 and "Sertifikat ASLI" in ok.text
        assert "Ni Made Ayu Lestari" in ok.text and "SDN" not in ok.text
        english = await client.get(f"/verifikasi/{code}?lang=en")
        assert "GENUINE" in english.text
        wrong = await client.get("/verifikasi/ACDEFGHJKMNP")
        assert wrong.status_code == 404 and "tidak ditemukan" in wrong.text
        hostile = await client.get("/verifikasi/%3Cscript%3E")
        assert "<script>" not in hostile.text
        app.state.verify_limiter = Limiter(per_client=2, clock=lambda: 0.0)
        statuses = [(await client.get(f"/verifikasi/{code}")).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]


def test_the_limiter_forgets_after_its_window():
    now = [0.0]
    limiter = Limiter(per_client=2, overall=3, window=60, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
    assert limiter.allow("b") and not limiter.allow("c")  # the overall limit
    now[0] = 61
    assert limiter.allow("a")


async def test_signatories_and_logo_come_from_config(console_app, tmp_path, monkeypatch):
    import segno

    from kkgbot.people import signatories

    segno.make("logo").save(str(tmp_path / "logo-dinas.png"), scale=4)
    (tmp_path / "certificates.yaml").write_text(
        "logo: logo-dinas.png\n"
        "default:\n  mengetahui: {title: Pengawas Sekolah}\n"
        "kkgs:\n  KKG Gugus 1 Mataram:\n    mengetahui:\n"
        "      title: Kepala Bidang GTK Dinas Pendidikan\n"
        "      name: Drs. I Made Suarta, M.Pd.\n      nip: '196805121994031007'\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(signatories, "PATH", tmp_path / "certificates.yaml")
    assert signatories.logo_path() == tmp_path / "logo-dinas.png"
    await held_meeting(console_app)
    await say(console_app, "guru1", "/sertifikat")
    assert "[file: sertifikat-" in await say(console_app, "guru1", "1")
    data = await stored(console_app, "sertifikat-%.pdf")
    text = " ".join(pdf_text(data).split())
    assert "Kepala Bidang GTK Dinas Pendidikan" in text and "Drs. I Made Suarta" in text
    assert "196805121994031007" in text and "Rahmawati" in text  # the ketua from the bot
    from pypdf import PdfReader

    assert PdfReader(io.BytesIO(data)).pages[0].images  # the logo and the QR code
