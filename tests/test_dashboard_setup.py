"""District set-up on the web for the admin: create a KKG, a new invite code, import
members with a preview that shows every row's problem before anything is saved, grant and
revoke roles; every write audited; forms without the session's CSRF token change nothing."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from kkgbot.db.models import AuditEntry, Kkg, Person, Role
from kkgbot.people import identities
from tests.dashboard_helpers import CSRF, dashboard_bot

CSV = (
    "nama,sekolah,telepon\n"
    "Putu Ayu,SDN 3 Mataram,081234567801\n"
    "X,SDN 3 Mataram,081234567802\n"  # a name too short
    "Made Oka,SDN 4 Mataram,081234567801\n"  # the same number as line 2
    "Komang Sari,SDN 4 Mataram,nomor saya\n"  # no number at all
)


async def _count(app, model, *where) -> int:
    async with app.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _kkg_id(app, name: str) -> int:
    async with app.sessionmaker() as s:
        return await s.scalar(select(Kkg.id).where(Kkg.name == name))


async def test_create_kkg_and_new_code(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as bot:
        admin = await bot.signed_in("admin")
        page = await admin.get("/dasbor/atur")
        assert page.status_code == 200 and "GUGUS1" in page.text
        csrf = CSRF.search(page.text).group(1)
        district = await _count(bot.app, Kkg)
        form = {"csrf": csrf, "name": "KKG Gugus 7 Ampenan", "kecamatan": "Ampenan",
                "zone": "WITA", "district": "1"}  # fmt: skip
        refused = await admin.post("/dasbor/atur/kkg", data={**form, "csrf": "forged"})
        assert refused.status_code == 403 and await _count(bot.app, Kkg) == district
        bad = await admin.post("/dasbor/atur/kkg", data={**form, "name": "KK"})
        assert bad.status_code == 200 and 'id="problem"' in bad.text
        assert await _count(bot.app, Kkg) == district
        made = await admin.post("/dasbor/atur/kkg", data=form, follow_redirects=True)
        assert "KKG sudah dibuat." in made.text and "KKG Gugus 7 Ampenan" in made.text
        new_id = await _kkg_id(bot.app, "KKG Gugus 7 Ampenan")
        async with bot.app.sessionmaker() as s:
            kkg = await s.get(Kkg, new_id)
            old_code = kkg.invite_code
            assert kkg.kecamatan == "Ampenan" and kkg.timezone == "Asia/Makassar"
        changed = await admin.post(
            "/dasbor/atur/kode", data={"csrf": csrf, "kkg": str(new_id)}, follow_redirects=True
        )
        assert "Kode undangan baru" in changed.text
        async with bot.app.sessionmaker() as s:
            assert (await s.get(Kkg, new_id)).invite_code != old_code
            actions = set(
                await s.scalars(select(AuditEntry.action).where(AuditEntry.actor == "web"))
            )
        assert {"kkg.create", "kkg.invite_code"} <= actions
        pengawas = await bot.signed_in("pengawas")
        assert (await pengawas.get("/dasbor/atur")).status_code == 403
        await admin.aclose()
        await pengawas.aclose()


async def test_import_preview_shows_every_problem_before_saving(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as bot:
        admin = await bot.signed_in("admin")
        csrf = CSRF.search((await admin.get("/dasbor/atur")).text).group(1)
        kkg_id = await _kkg_id(bot.app, "KKG Gugus 1 Mataram")
        people = await _count(bot.app, Person)
        preview = await admin.post(
            "/dasbor/atur/impor",
            data={"csrf": csrf, "kkg": str(kkg_id)},
            files={"file": ("anggota.csv", CSV.encode(), "text/csv")},
        )
        assert preview.status_code == 200, preview.text
        text = preview.text
        assert "4 baris: 1 anggota baru siap disimpan, 3 baris bermasalah" in text
        assert "nomor HP sama dengan baris 2" in text
        assert await _count(bot.app, Person) == people  # nothing saved by the preview
        saved = await admin.post(
            "/dasbor/atur/impor",
            data={"csrf": csrf, "kkg": str(kkg_id), "confirm": "1", "rows": CSV},
            follow_redirects=True,
        )
        assert "baris bermasalah dilewati" in saved.text
        assert await _count(bot.app, Person) == people + 1
        assert await _count(bot.app, AuditEntry, AuditEntry.action == "member.import") == 1

        book = Workbook()
        book.active.append(["nama", "sekolah", "telepon"])
        book.active.append(["Ketut Arta", "SDN 9 Mataram", "081234567890"])
        data = io.BytesIO()
        book.save(data)
        from_xlsx = await admin.post(
            "/dasbor/atur/impor",
            data={"csrf": csrf, "kkg": str(kkg_id)},
            files={"file": ("anggota.xlsx", data.getvalue(), "application/octet-stream")},
        )
        assert "Ketut Arta" in from_xlsx.text and "1 anggota baru" in from_xlsx.text
        junk = await admin.post(
            "/dasbor/atur/impor",
            data={"csrf": csrf, "kkg": str(kkg_id)},
            files={"file": ("x.csv", b"just,some\n1,2\n", "text/csv")},
        )
        assert junk.status_code == 200 and "Kolom yang wajib tidak ada" in junk.text
        await admin.aclose()


async def test_grant_and_revoke_roles(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as bot:
        admin = await bot.signed_in("admin")
        csrf = CSRF.search((await admin.get("/dasbor/atur")).text).group(1)
        kkg_id = await _kkg_id(bot.app, "KKG Gugus 1 Mataram")
        async with bot.app.sessionmaker() as s:
            ayu = (await identities.find_person(s, "guru1"))[0]
        form = {"csrf": csrf, "person": str(ayu.id), "role": "koordinator", "kkg": str(kkg_id)}
        granted = await admin.post(
            "/dasbor/atur/peran", data={**form, "do": "grant"}, follow_redirects=True
        )
        assert "Peran sudah diberikan." in granted.text and "role.grant" in granted.text
        held = (Role.person_id == ayu.id, Role.role == "koordinator")
        assert await _count(bot.app, Role, *held) == 1
        # Ayu may now sign in herself; a revoke ends that session at once
        ayu_client = await bot.signed_in("guru1")
        assert (await ayu_client.get("/dasbor")).status_code == 200
        revoked = await admin.post(
            "/dasbor/atur/peran", data={**form, "do": "revoke"}, follow_redirects=True
        )
        assert "Peran sudah dicabut." in revoked.text
        assert await _count(bot.app, Role, *held) == 0
        assert (await ayu_client.get("/dasbor")).status_code == 401
        bad = await admin.post("/dasbor/atur/peran", data={**form, "role": "raja", "do": "grant"})
        assert bad.status_code == 200 and 'id="problem"' in bad.text
        await admin.aclose()
        await ayu_client.aclose()
