"""Lessons in a spreadsheet: the template ships, a pack goes out and back unchanged, every
problem is named with sheet, row and column while nothing is written, and a running bot
uses an imported pack without a restart."""

from __future__ import annotations

import dataclasses
import io
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from kkgbot.db.models import OutboxMessage
from kkgbot.learning import library as library_module
from kkgbot.learning import workbook
from kkgbot.learning.content_check import check_content
from kkgbot.learning.content_import import import_workbook
from kkgbot.learning.library import library
from kkgbot.settings import CONFIG_DIR, ROOT, get_settings

SHIPPED = CONFIG_DIR / "content"
TEMPLATE = ROOT / "docs" / "templat-materi.xlsx"


def _comparable(lesson):
    image = (lesson.image.name, lesson.image.read_bytes()) if lesson.image else None
    return dataclasses.replace(lesson, image=None), image


def _rows(data: bytes):
    book = load_workbook(io.BytesIO(data))
    sheet = book[workbook.SHEET]
    heads = {c.value: c.column for c in sheet[1]}
    return book, sheet, heads


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _listing(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


@pytest.mark.parametrize("pack_id", ["numerasi-kelas-awal", "literasi-kelas-awal"])
def test_round_trip_gives_the_same_lessons(tmp_path, pack_id):
    shipped, _ = check_content(SHIPPED)
    pack = shipped.pack(pack_id)
    result = import_workbook(workbook.export_pack(pack, "id"), tmp_path)
    assert result.problems == []
    loaded, problems = check_content(tmp_path)
    assert problems == []
    again = loaded.pack(pack_id)
    assert [_comparable(x) for x in again.lessons] == [_comparable(x) for x in pack.lessons]
    assert [dataclasses.replace(m, lessons=()) for m in again.modules] == [
        dataclasses.replace(m, lessons=()) for m in pack.modules
    ]
    assert (again.title, again.order) == (pack.title, pack.order)
    assert any(lesson.image for lesson in again.lessons)  # the pictures came back, embedded


def test_shipped_template_is_the_commands_and_its_example_imports(tmp_path):
    shipped = load_workbook(TEMPLATE)
    fresh = load_workbook(io.BytesIO(workbook.template("id")))
    assert shipped.sheetnames == fresh.sheetnames == [workbook.SHEET, workbook.GUIDE_SHEET]
    heads = [c.value for c in shipped[workbook.SHEET][1]]
    assert heads == [h for _, h in workbook.COLUMNS]
    assert shipped[workbook.SHEET].max_row == 2  # the headings and one example
    assert "Coba besok" in " ".join(str(c.value) for c in shipped[workbook.GUIDE_SHEET]["A"])
    result = import_workbook(TEMPLATE.read_bytes(), tmp_path)
    assert result.problems == [] and result.pack is not None
    assert len(result.pack.lessons) == 1
    assert "Coba besok: " in result.pack.lessons[0].body


def test_every_problem_is_named_by_cell_and_nothing_is_written(tmp_path):
    book, sheet, h = _rows(workbook.template("id"))
    sheet.cell(2, h["Teks materi"]).value = "Panjang sekali. " * 45
    sheet.cell(2, h["Gambar"]).value = "tidak-ada.png"
    row3 = {"Materi (id)": "contoh-2", "Judul materi": "Dua", "Teks materi": "Pendek.",
            "Pertanyaan": "Mana?", "Pilihan A": "Satu", "Pilihan B": "Dua",
            "Jawaban benar": "D", "Penjelasan A": "Karena satu."}  # fmt: skip
    row4 = {"Materi (id)": "contoh-3", "Judul materi": "Tiga", "Teks materi": "Pendek.",
            "Coba besok": "coba.", "Pertanyaan": "Mana?", "Pilihan A": "Satu",
            "Pilihan C": "Tiga", "Jawaban benar": "A", "Penjelasan A": "a",
            "Penjelasan C": "c", "Topik (id)": "bukan-topik"}  # fmt: skip
    for n, values in ((3, row3), (4, row4)):
        for heading, value in values.items():
            sheet.cell(n, h[heading]).value = value
    result = import_workbook(_save(book), tmp_path / "content")
    shown = [p.render("id", result.letters) for p in result.problems]
    expected = [
        "baris 2, kolom L (Teks materi): kolom 'Teks materi + Coba besok' terlalu panjang",
        "baris 2, kolom X (Gambar): gambar 'tidak-ada.png' tidak ada",
        "baris 3, kolom M (Coba besok): Coba besok belum diisi",
        "baris 3, kolom S (Jawaban benar): Jawaban benar 'D' tidak cocok",
        "baris 3, kolom U (Penjelasan B): kolom 'Penjelasan B' belum diisi",
        "baris 4, kolom F (Topik (id)): isinya berbeda dengan baris 2",
        "baris 4, kolom P (Pilihan B): Pilihan B kosong padahal pilihan sesudahnya terisi",
    ]
    assert len(shown) == len(expected), shown
    for line, want in zip(shown, expected, strict=True):
        assert line.startswith("Lembar 'Materi', ") and want in line, (line, want)
    assert _listing(tmp_path / "content") == []


def test_clashing_ids_and_missing_headings(tmp_path):
    shutil.copytree(SHIPPED / "numerasi-kelas-awal", tmp_path / "c" / "numerasi-kelas-awal")
    book, sheet, h = _rows(workbook.template("id"))
    sheet.cell(2, h["Materi (id)"]).value = "num-mb-1"  # a lesson of another pack
    result = import_workbook(_save(book), tmp_path / "c")
    [problem] = result.problems
    assert "kolom J (Materi (id)): id 'num-mb-1' sudah dipakai di paket lain" in problem.render(
        "id", result.letters
    )
    sheet.delete_cols(h["Coba besok"])
    result = import_workbook(_save(book), tmp_path / "c")
    assert [p.render("id", {}) for p in result.problems] == [
        "Lembar 'Materi', baris 1: judul kolom 'Coba besok' tidak ada di baris 1"
    ]
    result = import_workbook(b"not a workbook", tmp_path / "c")
    assert "tidak bisa dibaca sebagai workbook" in result.problems[0].render("id", {})


def test_picture_from_a_zip_beside_the_workbook(tmp_path):
    png = (SHIPPED / "numerasi-kelas-awal" / "pictures" / "kerangka-sepuluh-7.png").read_bytes()
    book, sheet, h = _rows(workbook.template("id"))
    sheet.cell(2, h["Gambar"]).value = "bingkai.png"
    with zipfile.ZipFile(tmp_path / "materi.zip", "w") as z:
        z.writestr("gambar/bingkai.png", png)
    result = import_workbook(_save(book), tmp_path / "c", tmp_path / "materi.zip")
    assert result.problems == []
    [lesson] = result.pack.lessons
    assert lesson.image.name == "bingkai.png" and lesson.image.read_bytes() == png


def test_reimport_replaces_the_pack_and_keeps_drawing_scripts(tmp_path):
    root = tmp_path / "c"
    shutil.copytree(SHIPPED / "numerasi-kelas-awal", root / "numerasi-kelas-awal")
    pack = check_content(root)[0].pack("numerasi-kelas-awal")
    book, sheet, h = _rows(workbook.export_pack(pack, "id"))
    sheet.cell(2, h["Judul materi"]).value = "Judul baru"
    result = import_workbook(_save(book), root)
    assert result.problems == [] and result.replaced
    assert result.pack.lessons[0].title == "Judul baru"
    assert (root / "numerasi-kelas-awal" / "pictures" / "kerangka-sepuluh-7.py").is_file()
    assert [p.name for p in root.iterdir()] == ["numerasi-kelas-awal"]  # no staging left


@pytest.fixture
def content_copy(tmp_path, monkeypatch):
    root = tmp_path / "content"
    shutil.copytree(SHIPPED, root)
    monkeypatch.setenv("KKGBOT_CONTENT_DIR", str(root))
    get_settings.cache_clear()
    library_module.cache_clear()
    yield root
    monkeypatch.undo()
    get_settings.cache_clear()
    library_module.cache_clear()


async def test_running_bot_uses_an_imported_pack_without_restart(content_copy, console_app):
    from kkgbot.learning import learners

    async with console_app.sessionmaker() as s:
        first = learners.next_new(await learners.sequence(s, 1), [])
    pack = library().pack(first.pack_id)
    book, sheet, h = _rows(workbook.export_pack(pack, "id"))
    row = next(
        r for r in range(2, sheet.max_row + 1) if sheet.cell(r, h["Materi (id)"]).value == first.id
    )
    sheet.cell(row, h["Judul materi"]).value = "Judul dari lembar kerja"
    assert import_workbook(_save(book), content_copy).problems == []
    assert library().lesson(first.id).title == first.title  # not yet: no tick has run
    await console_app.advance_to(console_app.clock.now() + timedelta(days=1))
    assert library().lesson(first.id).title == "Judul dari lembar kerja"
    async with console_app.sessionmaker() as s:
        texts = [p.get("text", "") for p in await s.scalars(select(OutboxMessage.payload))]
    assert any("Judul dari lembar kerja" in t for t in texts)


async def test_a_broken_change_keeps_the_loaded_packs(content_copy, console_app):
    before = library()
    (content_copy / "numerasi-kelas-awal" / "pack.yaml").write_text("id: [\n", encoding="utf-8")
    await console_app.advance_to(console_app.clock.now() + timedelta(minutes=5))
    assert library() is before


def _cli(*args: str, cwd: Path = ROOT):
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), "content", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "KKGBOT_LANGUAGE": "id"},
    )


def test_the_commands_export_import_and_refuse(tmp_path):
    exported = _cli("export", "numerasi-kelas-awal", str(tmp_path / "num.xlsx"))
    assert exported.returncode == 0, exported.stderr
    done = _cli("import", str(tmp_path / "num.xlsx"), "--dir", str(tmp_path / "c"))
    assert done.returncode == 0, done.stderr
    assert "8 modul, 24 materi, 3 gambar" in done.stdout
    book, sheet, h = _rows((tmp_path / "num.xlsx").read_bytes())
    sheet.cell(3, h["Coba besok"]).value = None
    (tmp_path / "bad.xlsx").write_bytes(_save(book))
    refused = _cli("import", str(tmp_path / "bad.xlsx"), "--dir", str(tmp_path / "d"))
    assert refused.returncode == 1
    assert "Lembar 'Materi', baris 3, kolom M (Coba besok)" in refused.stderr
    assert "Tidak ada yang ditulis" in refused.stderr and not (tmp_path / "d").exists()
    assert _cli("export", "tidak-ada").returncode == 1
