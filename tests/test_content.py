"""Content packs: the shipped packs are clean, and every rule of `content check` is caught
with its file and line (each broken fixture marks the line with `# expect: <key>`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kkgbot.learning.content import MAX_BODY
from kkgbot.learning.content_check import check_content
from kkgbot.learning.library import load_library
from kkgbot.polls.topics import catalogue
from kkgbot.settings import CONFIG_DIR, ROOT

BROKEN = Path(__file__).parent / "data" / "content_broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())
MARK = re.compile(r"#\s*expect(-file|-file-pack)?:\s*([a-z_]+)")


def expected_problems(case: Path) -> set[tuple[Path, int, str]]:
    out = set()
    for path in sorted(case.rglob("*.yaml")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for kind, key in MARK.findall(line):
                if kind == "-file":
                    out.add((path, 0, key))
                elif kind == "-file-pack":
                    out.add((path.parent / "pack.yaml", 0, key))
                else:
                    out.add((path, n, key))
    return out


def test_shipped_packs_are_clean():
    library, problems = check_content(CONFIG_DIR / "content")
    assert problems == []
    ids = [p.id for p in library.packs]
    assert ids[:2] == ["literasi-kelas-awal", "numerasi-kelas-awal"]
    assert len(ids) >= 8 and sum(len(p.lessons) for p in library.packs) >= 160
    topics = {t.id for t in catalogue().topics}
    for pack in library.packs:
        assert len(pack.modules) >= 3 and len(pack.lessons) >= 12
        for module in pack.modules:
            assert module.topic in topics
        for n, lesson in enumerate(pack.lessons, start=1):
            assert lesson.position == n
            assert len(lesson.body) <= MAX_BODY
            # each lesson ends with one concrete thing to try in class tomorrow
            assert lesson.body.split("\n\n")[-1].startswith("Coba besok:"), lesson.id
            assert 2 <= len(lesson.options) <= 4
            assert sum(o.right for o in lesson.options) == 1
            assert all(o.why for o in lesson.options)
            assert len(f"a:lq:{lesson.id}:3".encode()) < 64


def test_content_check_command_on_shipped_packs():
    result = subprocess.run(
        [sys.executable, "bot.py", "content", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\d+ paket, \d+ modul, \d+ materi", result.stdout), result.stdout
    assert re.search(
        r"^9 paket, 58 modul, 174 materi; topik dengan materi \d+ dari 20$", result.stdout, re.M
    ), result.stdout
    assert "Modul yang sudah ditinjau: 0 dari 58." in result.stdout  # honest: nobody yet
    for module in check_content(CONFIG_DIR / "content")[0].modules():
        assert module.sources, module.id  # every module names its sources


def test_reviewed_modules_are_listed_with_the_reviewer(tmp_path):
    import shutil

    shutil.copytree(CONFIG_DIR / "content" / "kelas-rangkap", tmp_path / "kelas-rangkap")
    first = sorted((tmp_path / "kelas-rangkap").glob("0*.yaml"))[0]
    text = first.read_text(encoding="utf-8")
    first.write_text(
        text.replace(
            "lessons:", "reviewed_by: Ibu Siti, pengawas\nreviewed_on: 2026-10-01\nlessons:", 1
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "bot.py", "content", "check", "--dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "KKGBOT_LANGUAGE": "id"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Modul yang sudah ditinjau: 1 dari 6." in result.stdout
    assert "Ibu Siti, pengawas (2026-10-01)" in result.stdout


@pytest.mark.parametrize("case", CASES)
def test_each_rule_is_reported_with_file_and_line(case):
    root = BROKEN / case
    expected = expected_problems(root)
    assert expected, f"fixture {case} marks no expected problem"
    _, problems = check_content(root)
    assert {(p.path, p.line, p.key) for p in problems} == expected


def test_every_rule_has_a_fixture():
    keys = {key for case in CASES for _, _, key in expected_problems(BROKEN / case)}
    rules = {
        "too_long",
        "no_right",
        "many_right",
        "unknown_topic",
        "duplicate_id",
        "missing_field",
        "option_count",
        "unknown_field",
        "duplicate_field",
        "bad_id",
        "bad_link",
        "image_missing",
        "bad_right",
        "not_list",
        "no_lessons",
        "yaml_error",
        "no_pack_file",
        "no_modules",
    }
    assert rules <= keys


def test_broken_pack_fails_the_command_and_names_the_place():
    result = subprocess.run(
        [sys.executable, "bot.py", "content", "check", "--dir", str(BROKEN / "no_right")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "no_right/paket-uji/01-modul.yaml:12:" in result.stdout
    assert "tidak ada pilihan yang ditandai benar" in result.stdout


def test_bot_refuses_to_start_with_a_broken_pack(tmp_path):
    env = {"KKGBOT_CONTENT_DIR": str(BROKEN / "many_right"), "PATH": "/usr/bin:/bin"}
    script = tmp_path / "empty.script"
    script.write_text("@guru1: /materi\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "bot.py", "console", "--seed", "demo", "--script", str(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert result.returncode == 1
    assert "many_right/paket-uji/01-modul.yaml:12:" in result.stderr
    assert "Bot tidak dijalankan karena paket materi rusak" in result.stderr
    assert "/materi" not in result.stdout


def test_load_library_raises_with_every_problem():
    from kkgbot.learning.content import ContentError

    with pytest.raises(ContentError) as err:
        load_library(BROKEN / "unknown_field")
    assert [p.key for p in err.value.problems] == ["unknown_field", "no_right"]
