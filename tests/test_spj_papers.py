"""Papers for the SPJ: the daftar hadir (PDF and xlsx) with NIP and Keterangan (H, T, I, S,
A), the "Mengetahui" block, laporan kegiatan and SPJ only for meetings held, dates and file
names in the KKG's zone, percents as numbers, NIP on /profil and in member imports."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from kkgbot.db.models import Kkg, Person
from kkgbot.meetings import rsvp
from kkgbot.meetings.attendance_sheet import attendance_sheet
from kkgbot.meetings.models import RSVP_NO, Meeting
from kkgbot.meetings.spj_pdf import attendance_pdf
from kkgbot.people.member_import import import_members
from tests.test_exports import pdf_text, stored
from tests.test_meetings import person_id, say, schedule

NIP = "198503122010012015"


async def meeting_with_every_remark(app) -> Meeting:
    """guru1 on time (H), guru2 40 minutes late (T), guru3 ill (S), guru4 on other duty (I),
    guru5 a reason in her words (I), the rest silent and absent (A); the koordinator ran it."""
    meeting = await schedule(app, "Literasi Dasar; 2026-12-01 13:00; SDN 1 Mataram; Membaca")
    now = app.clock.now()
    async with app.sessionmaker() as s, s.begin():
        m = await s.get(Meeting, meeting.id)
        for who, reason, text in (("guru3", "sakit", None), ("guru4", "tugas", None),
                                  ("guru5", "lain", "menjaga ibu di rumah sakit")):  # fmt: skip
            pid = await person_id(app, who)
            await rsvp.set_answer(s, m, pid, RSVP_NO, now)
            await rsvp.set_reason(s, m.id, pid, reason, text)
        (await s.get(Person, await person_id(app, "guru1"))).nip = NIP
    async with app.sessionmaker() as s:
        code = (await s.get(Meeting, meeting.id)).checkin_code
    await app.advance_to(meeting.starts_at + timedelta(minutes=5))
    await say(app, "guru1", f"/hadir {code}")
    await app.advance_to(meeting.starts_at + timedelta(minutes=40))
    assert "terlambat 40 menit" in await say(app, "guru2", f"/hadir {code}")
    await app.advance_to(meeting.starts_at + timedelta(hours=3))
    return meeting


def remark_of(text: str, name: str) -> str:
    line = next(line for line in text.splitlines() if name in line)
    return line


async def test_the_daftar_hadir_pdf_has_nip_keterangan_and_mengetahui(console_app):
    meeting = await meeting_with_every_remark(console_app)
    async with console_app.sessionmaker() as s:
        m = await s.get(Meeting, meeting.id)
        kkg = await s.get(Kkg, m.kkg_id)
        text = pdf_text(await attendance_pdf(s, m, kkg, console_app.clock.now()))
    text = " ".join(text.split())
    for needle in ("NIP", "Sekolah", "Ket.", "Tanda tangan", NIP, "Mengetahui,",
                   "Pengawas Sekolah,", "Ketua KKG,", "Lalu Hendra Wijaya", "Rahmawati",
                   "T = terlambat", "S = sakit", "3 dari 9 anggota"):  # fmt: skip
        assert needle in text, needle
    async with console_app.sessionmaker() as s:
        m = await s.get(Meeting, meeting.id)
        rows = {r.name: r for r in await rsvp.roster(s, m, console_app.clock.now())}
    from kkgbot.meetings.remarks import remark

    got = {name: remark(row, True) for name, row in rows.items()}
    assert got["Ni Made Ayu Lestari"] == "H" and got["Lalu Ahmad Zaini"] == "T"
    assert got["Baiq Nurul Hidayati"] == "S"
    assert sorted(got.values()).count("I") == 2 and "A" in got.values()
    assert got["Rahmawati"] == "H"  # she ran the meeting


async def test_the_daftar_hadir_sheet_has_the_same_columns_and_a_percent(console_app):
    meeting = await meeting_with_every_remark(console_app)
    async with console_app.sessionmaker() as s:
        m = await s.get(Meeting, meeting.id)
        kkg = await s.get(Kkg, m.kkg_id)
        data = await attendance_sheet(s, m, kkg, "id", console_app.clock.now())
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert (
        rows[5][:5] == ("No", "Nama", "NIP", "Sekolah", "Keterangan")
        and rows[5][-1] == "Tanda tangan"
    )
    people = {r[1]: r for r in rows[6:] if isinstance(r[0], int)}
    assert people["Ni Made Ayu Lestari"][2] == NIP and people["Ni Made Ayu Lestari"][4] == "H"
    assert people["Lalu Ahmad Zaini"][4] == "T" and people["Lalu Ahmad Zaini"][9] == 1
    rate = next(row for row in sheet.iter_rows() if row[0].value == "Persentase hadir")
    assert rate[1].value == 3 / 9 and rate[1].number_format == "0%"
    assert next(r for r in rows if r[0] == "S (sakit)")[1] == 1
    async with console_app.sessionmaker() as s:  # in English for an English reader
        m = await s.get(Meeting, meeting.id)
        kkg = await s.get(Kkg, m.kkg_id)
        data = await attendance_sheet(s, m, kkg, "en", console_app.clock.now())
    heads = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))[5]
    assert heads[4] == "Remarks" and heads[-1] == "Signature"


async def test_laporan_and_spj_only_for_meetings_held(console_app):
    meeting = await schedule(console_app, "Numerasi; 2026-12-03 09:00; SDN 2 Mataram; Pecahan")
    menu = await say(console_app, "koordinator", "/ekspor")
    assert "[1] Numerasi" in menu and "Dokumen SPJ" not in menu and "[2] Rekap" in menu
    await say(console_app, "koordinator", "/batal")
    await console_app.advance_to(meeting.starts_at + timedelta(hours=3))
    menu = await say(console_app, "koordinator", "/ekspor")
    assert "[3] Dokumen SPJ rapat" in menu
    reply = await say(console_app, "koordinator", "3")
    assert "[1] Numerasi" in reply
    reply = await say(console_app, "koordinator", "1")
    assert f"[file: laporan-kegiatan-2026-12-03-rapat-{meeting.id}.pdf]" in reply


async def test_the_rekap_file_is_dated_in_the_kkgs_zone_with_percents(console_app):
    meeting = await meeting_with_every_remark(console_app)
    # 23:30 UTC is 07:30 the next morning in Mataram (WITA)
    await console_app.advance_to(datetime.fromisoformat("2026-12-01T23:30:00+00:00"))
    await say(console_app, "koordinator", "/ekspor")
    reply = await say(console_app, "koordinator", "Rekap")
    assert "[file: rekap-gugus1-2026-12-02.xlsx]" in reply, reply
    book = load_workbook(io.BytesIO(await stored(console_app, "rekap-%.xlsx")))
    row = next(r for r in book["Rapat"].iter_rows(min_row=2) if r[2].value == meeting.title)
    assert row[8].value == 3 / 9 and row[8].number_format == "0%"


async def test_nip_on_profil(console_app):
    reply = await say(console_app, "guru1", "/profil")
    assert "NIP: —" in reply and "Ubah NIP" in reply
    assert "18 angka" in await say(console_app, "guru1", "NIP")
    assert "NIP harus 18 angka" in await say(console_app, "guru1", "12345")
    async with console_app.sessionmaker() as s:
        assert (await s.get(Person, await person_id(console_app, "guru1"))).nip is None
    reply = await say(console_app, "guru1", "19850312 201001 2 015")
    assert f"NIP: {NIP}" in reply
    assert f"NIP: {NIP}" in await say(console_app, "guru1", "/dataku")
    await say(console_app, "guru1", "/profil")
    await say(console_app, "guru1", "NIP")
    assert "NIP: —" in await say(console_app, "guru1", "-")


async def test_member_import_takes_an_optional_nip(console_app):
    csv = (
        "nama,sekolah,telepon,nip\n"
        "Siti Aminah,SDN 3 Mataram,081234567001,19850312 201001 2 015\n"
        "Dewi Lestari,SDN 4 Mataram,081234567002,\n"
        "Rina Wati,SDN 5 Mataram,081234567003,12345\n"
    )
    async with console_app.sessionmaker() as s, s.begin():
        kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
        report = await import_members(s, kkg, csv, console_app.clock.now())
    assert report.imported == 2 and [b[1] for b in report.bad] == ["profile.nip_invalid"]
    async with console_app.sessionmaker() as s:
        nips = dict((await s.execute(select(Person.name, Person.nip).where(
            Person.name.in_(["Siti Aminah", "Dewi Lestari"])))).all())  # fmt: skip
    assert nips == {"Siti Aminah": NIP, "Dewi Lestari": None}


def test_digest_workbook_shares_are_numbers_in_percent_format():
    from kkgbot.digest.render import _ratio
    from kkgbot.digest.sheet_writer import SheetBook

    book = SheetBook()
    book.sheet("Kehadiran", ["KKG", "Persentase"], [["Gugus 1", _ratio(1 / 3)], ["Gugus 2", None]])
    sheet = load_workbook(io.BytesIO(book.to_bytes()))["Kehadiran"]
    assert sheet["B2"].value == 0.333 and sheet["B2"].number_format == "0%"
    assert sheet["A1"].font.b and sheet.freeze_panes == "B2" and sheet["B3"].value is None


async def test_erasure_clears_the_nip(console_app):
    await say(console_app, "guru1", "/profil")
    await say(console_app, "guru1", "NIP")
    await say(console_app, "guru1", "19850312 201001 2 015")
    pid = await person_id(console_app, "guru1")
    async with console_app.sessionmaker() as s:
        assert (await s.get(Person, pid)).nip == NIP
    await say(console_app, "guru1", "/hapusdata")
    await say(console_app, "guru1", "Ya")
    async with console_app.sessionmaker() as s:
        assert (await s.get(Person, pid)).nip is None


def test_keterangan_before_and_after_the_meeting():
    from kkgbot.meetings.remarks import remark
    from kkgbot.meetings.rsvp import RosterRow

    def row(**kw) -> RosterRow:
        base = dict(person_id=1, name="A", school=None, answer=None, reason=None,
                    reason_text=None, checked_in_at=None, method=None, jp=0)  # fmt: skip
        return RosterRow(**{**base, **kw})

    silent, ill = row(), row(answer=RSVP_NO, reason="sakit")
    written = row(answer=RSVP_NO, reason="lain", reason_text="menjaga ibu")
    assert [remark(r, False) for r in (silent, ill, written)] == ["", "S", "I"]
    assert [remark(r, True) for r in (silent, ill, written)] == ["A", "S", "I"]
    on_time = row(checked_in_at=datetime(2026, 12, 1, 5), jp=2)
    late = row(checked_in_at=datetime(2026, 12, 1, 5), jp=1, late_minutes=40)
    assert (remark(on_time, True), remark(late, True)) == ("H", "T")
