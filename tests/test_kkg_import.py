"""A district's list of KKGs with their kecamatan, imported from the shell or the web set-up:
every row checked first, good rows created and audited, bad rows named with their problem."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kkgbot.db.models import AuditEntry, Kkg
from tests.dashboard_helpers import CSRF, dashboard_bot
from tests.test_cli import bot, count

KKGS = (
    "nama,kecamatan,zona\n"
    "KKG Gugus 3 Ampenan,Ampenan,WITA\n"
    "KKG Gugus 4 Sekarbela,Sekarbela,\n"
    "KKG Gugus 1 Mataram,Mataram,WITA\n"  # exists already (the demo)
    "KKG Gugus 5,Cakranegara,WIX\n"  # an unknown zone
    "KKG Gugus 3 Ampenan,Ampenan,WITA\n"  # the same as line 2
)


@pytest.mark.slow  # the import CLI as a real subprocess
async def test_cli_import_kkgs(db_url, tmp_path):
    assert bot(db_url, "admin", "seed-demo").returncode == 0
    path = tmp_path / "kkg.csv"
    path.write_text(KKGS, encoding="utf-8")
    result = bot(db_url, "admin", "import-kkgs", str(path), "--district", "kota mataram")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "2 KKG dibuat, 3 baris bermasalah." in result.stdout
    assert "baris 4: KKG bernama KKG Gugus 1 Mataram sudah ada" in result.stdout
    assert "baris 5: Zona waktu WIX tidak dikenal" in result.stdout
    assert "baris 6: nama KKG sama dengan baris 2" in result.stdout
    assert await count(db_url, Kkg, Kkg.kecamatan == "Sekarbela") == 1
    assert await count(db_url, AuditEntry, AuditEntry.action == "kkg.create") == 3  # demo + 2
    missing = bot(db_url, "admin", "import-kkgs", str(path), "--district", "Atlantis")
    assert missing.returncode == 2 and "Atlantis tidak ditemukan" in missing.stdout


async def test_web_import_kkgs_with_preview(settings, tmp_path):
    async with dashboard_bot(settings, tmp_path) as b:
        admin = await b.signed_in("admin")
        csrf = CSRF.search((await admin.get("/dasbor/atur")).text).group(1)
        before = await count(settings.database_url, Kkg)
        preview = await admin.post(
            "/dasbor/atur/impor-kkg",
            data={"csrf": csrf, "district": "1"},
            files={"file": ("kkg.csv", KKGS.encode(), "text/csv")},
        )
        assert "5 baris: 2 KKG siap dibuat, 3 baris bermasalah" in preview.text
        assert await count(settings.database_url, Kkg) == before
        done = await admin.post(
            "/dasbor/atur/impor-kkg",
            data={"csrf": csrf, "district": "1", "confirm": "1", "rows": KKGS},
            follow_redirects=True,
        )
        assert "Ampenan" in done.text and await count(settings.database_url, Kkg) == before + 2
        async with b.app.sessionmaker() as s:
            web = await s.scalar(
                select(AuditEntry).where(
                    AuditEntry.action == "kkg.create", AuditEntry.actor == "web"
                )
            )
        assert web is not None and web.details["kecamatan"] in ("Ampenan", "Sekarbela")
        page = await admin.get("/dasbor?kecamatan=Ampenan")
        assert "KKG Gugus 3 Ampenan" in page.text and "KKG Gugus 1 Mataram" not in page.text
        await admin.aclose()
