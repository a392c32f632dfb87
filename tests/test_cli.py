"""The command line as an administrator and a new user meet it: real processes, real files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kkgbot.db.engine import make_engine, make_sessionmaker
from kkgbot.db.models import AuditEntry, Identity, Kkg, Person, Role

ROOT = Path(__file__).resolve().parent.parent


def bot(db_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "KKGBOT_DATABASE_URL": db_url, "KKGBOT_LANGUAGE": "id"}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


async def count(db_url: str, model, *where) -> int:
    engine = make_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as s:
            return await s.scalar(select(func.count()).select_from(model).where(*where))
    finally:
        await engine.dispose()


@pytest.mark.slow  # the admin CLI as real subprocesses, one per command
async def test_admin_cli_create_grant_revoke_and_audit(db_url):
    made = bot(
        db_url,
        "admin",
        "create-kkg",
        "KKG Gugus 3 Ampenan",
        "--district",
        "Kota Mataram",
        "--timezone",
        "WITA",
    )
    assert made.returncode == 0, made.stderr
    assert "Kode undangan:" in made.stdout
    code = made.stdout.strip().split()[-1]
    assert len(code) == 6 and code.isalnum() and code.isupper()
    again = bot(
        db_url,
        "admin",
        "create-kkg",
        "KKG Gugus 3 Ampenan",
        "--district",
        "Kota Mataram",
        "--timezone",
        "WITA",
    )
    assert again.returncode == 2 and "sudah ada" in again.stdout
    bad_zone = bot(
        db_url, "admin", "create-kkg", "KKG X", "--district", "Kota Bima", "--timezone", "Mars/Base"
    )
    assert bad_zone.returncode == 2 and "tidak dikenal" in bad_zone.stdout

    csv = ROOT / "tests" / "data" / "anggota.csv"
    imported = bot(db_url, "admin", "import-members", str(csv), "--kkg", code)
    assert imported.returncode == 1  # some rows were bad, and said so
    assert "3 anggota baru diimpor" in imported.stdout
    assert (
        "baris 4:" in imported.stdout
        and "baris 6:" in imported.stdout
        and "baris 7:" in imported.stdout
    )
    again = bot(db_url, "admin", "import-members", str(csv), "--kkg", code)
    assert "0 anggota baru diimpor, 3 sudah terdaftar" in again.stdout

    granted = bot(
        db_url, "admin", "grant", "koordinator", "0812-3400-0001", "--kkg", "KKG Gugus 3 Ampenan"
    )
    assert granted.returncode == 0, granted.stdout
    assert "diberikan kepada Wahyuni" in granted.stdout
    twice = bot(db_url, "admin", "grant", "koordinator", "+6281234000001", "--kkg", code)
    assert "sudah memegang" in twice.stdout
    revoked = bot(db_url, "admin", "revoke", "koordinator", "Wahyuni", "--kkg", code)
    assert "dicabut" in revoked.stdout
    nobody = bot(db_url, "admin", "grant", "guru", "Tidak Ada Orangnya", "--kkg", code)
    assert nobody.returncode == 2 and "tidak ditemukan" in nobody.stdout

    assert await count(db_url, Person) == 3
    assert await count(db_url, AuditEntry, AuditEntry.action == "kkg.create") == 1
    assert await count(db_url, AuditEntry, AuditEntry.action == "member.import") == 2
    assert await count(db_url, AuditEntry, AuditEntry.action == "role.grant") == 1
    assert await count(db_url, AuditEntry, AuditEntry.action == "role.revoke") == 1


async def test_import_without_the_columns_imports_nothing(db_url, tmp_path):
    assert bot(db_url, "admin", "seed-demo").returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("nama;kelas\nBudi;3\n", encoding="utf-8")
    result = bot(db_url, "admin", "import-members", str(bad), "--kkg", "GUGUS1")
    assert result.returncode == 2 and "Tidak ada yang diimpor" in result.stdout
    assert await count(db_url, Person) == 11


async def test_seed_demo_is_idempotent(db_url):
    first = bot(db_url, "admin", "seed-demo")
    second = bot(db_url, "admin", "seed-demo")
    assert "Data demo dibuat" in first.stdout
    assert "sudah ada" in second.stdout
    assert await count(db_url, Person) == 11
    assert await count(db_url, Kkg, Kkg.invite_code == "GUGUS1") == 1
    assert await count(db_url, Identity, Identity.channel == "console") == 11
    assert await count(db_url, Role, Role.role == "koordinator") == 1


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_console_script_prints_the_transcript(db_url, tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("# a comment\n@guru1: /bantuan\n@x: /start\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bot.py"),
            "console",
            "--script",
            str(script),
            "--seed",
            "demo",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "@guru1: /bantuan"
    assert lines[1] == "-> guru1: Perintah yang bisa Anda pakai:"
    assert "# a comment" not in result.stdout
    assert "@x: /start" in lines and "[1] Setuju" in lines


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_demo_opens_as_koordinator_and_ends_at_end_of_input(db_url):
    result = bot(db_url, "demo", stdin="/undang\n@guru1: /undang\n")
    assert result.returncode == 0, result.stderr
    assert "Rahmawati" in result.stdout
    assert "-> koordinator: Kode undangan KKG Gugus 1 Mataram: GUGUS1" in result.stdout
    assert "-> guru1: Maaf, perintah /undang hanya untuk koordinator" in result.stdout


def test_run_without_a_channel_explains_itself(tmp_path):
    result = bot(f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}", "run")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stdout
