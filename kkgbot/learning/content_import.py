"""`bot.py content import FILE.xlsx`: a pack from a spreadsheet, checked by the same rules as
`content check`, written into the content folder only when it has no problem at all.

The rows become YAML files in a staging folder beside links to the deployed packs, and
`content_check.check_content` reads them: one set of rules, and ids are checked against
every other pack. Each YAML line written is remembered with the sheet row and column it
came from, so every problem is reported as `Lembar 'Materi', baris 7, kolom L (Teks
materi): ...`, where the trainer looks. Only a clean pack is copied in, by a rename, so a
running bot (`library.refresh`) never reads half a pack. Import-only rules (a Coba besok
task, the correct option's letter, pictures) are `content_draft`'s; the rest is the loader's.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kkgbot import i18n, yamlfile
from kkgbot.learning import content as c
from kkgbot.learning import workbook as wb
from kkgbot.learning.content_check import PACK_FILE, check_content
from kkgbot.learning.content_draft import SAFE_NAME, Draft, SheetProblem, draft_pack

STAGED = "~import"  # sorts after every pack id: duplicates are reported in the new pack
PACK_COLS = {"id": "pack", "title": "pack_title", "order": "pack_order"}
MODULE_COLS = {"id": "module", "title": "module_title", "topic": "topic", "sources": "sources",
               "reviewed_by": "reviewed_by", "reviewed_on": "reviewed_on", "lessons": "lesson"}  # fmt: skip
LESSON_COLS = {"id": "lesson", "title": "title", "body": "text", "question": "question",
               "options": "option_A", "link": "link", "image": "picture"}  # fmt: skip
LOADER_SKIPS = {"no_right", "many_right"}  # the correct letter is checked here, more plainly
MAX_ZIPPED = 20_000_000  # a picture over 1 MB is refused by the loader; this only bounds memory


@dataclass
class Result:
    problems: list[SheetProblem]
    letters: dict[str, str] = field(default_factory=dict)
    pack: c.Pack | None = None
    path: Path | None = None
    replaced: bool = False
    pictures: int = 0


@dataclass
class _Where:
    row: int
    default: str | None
    fields: dict[str, str]


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(data: dict) -> tuple[str, yaml.Node]:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100_000)
    return text, yaml.compose(text, Loader=yaml.SafeLoader)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _walk(lines: dict[int, _Where], node: yaml.Node, row: int, cols: dict[str, str]) -> None:
    lines[_line(node)] = _Where(row, cols.get("id"), cols)
    for key, value in node.value:
        lines[_line(key)] = _Where(row, cols.get(key.value), cols)
        if key.value == "sources":
            for item in value.value:
                lines[_line(item)] = _Where(row, "sources", cols)


def _write_module(
    draft: Draft, folder: Path, n: int, module: dict, lines: dict[str, dict[int, _Where]]
) -> None:
    first = module.pop("first")
    data = {"id": module["id"], "title": module.get("module_title") or None,
            "topic": module.get("topic") or None}  # fmt: skip
    if sources := [s.strip() for s in module.get("sources", "").split("\n") if s.strip()]:
        data["sources"] = sources
    for key in ("reviewed_by", "reviewed_on"):
        if module.get(key):
            data[key] = module[key]
    data["lessons"] = module["lessons"]
    name = f"{n:02d}-{SAFE_NAME.sub('-', module['id'])[:60]}.yaml"
    text, node = _dump(data)
    (folder / name).write_text(text, encoding="utf-8")
    row = draft.module_rows[module["id"]]
    found = lines[name] = {0: _Where(row, "module", MODULE_COLS)}
    _walk(found, node, row, MODULE_COLS)
    for key, value in node.value:
        column = MODULE_COLS.get(key.value, "")
        if column in first:  # the detail was written on a later row of the module
            found[_line(key)].row = first[column]
        if key.value == "lessons":
            _walk_lessons(found, value, draft.rows[module["id"]])


def _walk_lessons(found: dict[int, _Where], lessons: yaml.Node, rows: list) -> None:
    for item, (sheet_row, letters) in zip(lessons.value, rows, strict=True):
        _walk(found, item, sheet_row.number, LESSON_COLS)
        for key, value in item.value:
            if key.value != "options":
                continue
            for option, x in zip(value.value, letters, strict=True):
                cols = {"text": f"option_{x}", "why": f"why_{x}", "right": "correct"}
                found[_line(option)] = _Where(sheet_row.number, f"option_{x}", cols)
                for name, _ in option.value:
                    found[_line(name)] = _Where(sheet_row.number, cols.get(name.value), cols)


def _stage(draft: Draft, folder: Path) -> dict[str, dict[int, _Where]]:
    """Writes the pack's YAML and pictures into `folder`; where each line came from."""
    folder.mkdir(parents=True)
    lines: dict[str, dict[int, _Where]] = {}
    pack = {k: draft.pack.get(k) for k in ("id", "title")}
    if draft.pack.get("order"):
        pack["order"] = draft.pack["order"]
    text, node = _dump(pack)
    (folder / PACK_FILE).write_text(text, encoding="utf-8")
    lines[PACK_FILE] = {0: _Where(draft.pack_row, "pack", PACK_COLS)}
    _walk(lines[PACK_FILE], node, draft.pack_row, PACK_COLS)
    for n, module in enumerate(draft.modules.values(), start=1):
        _write_module(draft, folder, n, module, lines)
    if draft.pictures:
        (folder / "pictures").mkdir()
        for name, (data, _) in draft.pictures.items():
            (folder / "pictures" / name).write_bytes(data)
    return lines


def _archive(path: Path | None) -> dict[str, bytes]:
    if path is None or not path.is_file():
        return {}
    with zipfile.ZipFile(path) as z:
        return {
            Path(info.filename).name.casefold(): z.read(info)
            for info in z.infolist()
            if not info.is_dir() and info.file_size <= MAX_ZIPPED
        }


def _pack_dirs(root: Path) -> dict[str, Path]:
    """Deployed packs by id (a folder's name need not be its id)."""
    found: dict[str, Path] = {}
    if not root.is_dir():
        return found
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and not folder.name.startswith((".", "_")):
            with contextlib.suppress(OSError, yaml.YAMLError, TypeError, KeyError):
                found.setdefault(str(yamlfile.load_file(folder / PACK_FILE)["id"]), folder)
    return found


def _translate(
    draft: Draft, problem: Any, lines: dict[str, dict[int, _Where]], lang: str
) -> SheetProblem:
    """A loader problem at file:line as the cell it came from, with the column's heading."""
    in_file = lines.get(problem.path.name, {})
    where = in_file.get(problem.line) or in_file.get(0) or _Where(draft.pack_row, None, {})
    params = dict(problem.params)
    column = where.fields.get(params.get("field", ""), where.default)
    if "field" in params:
        label = wb.HEADINGS.get(column or "", params["field"])
        params["field"] = f"{label} + Coba besok" if column == "text" else label
    if problem.key == "duplicate_id":
        rows = draft.lesson_rows if column == "lesson" else draft.module_rows
        row = rows.get(params["id"]) if column in ("lesson", "module") else None
        params["where"] = (
            i18n.t(lang, "learning.import.row_ref", row=row)
            if row and row != where.row
            else i18n.t(lang, "learning.import.other_pack")
        )
    return SheetProblem(where.row, column, f"learning.check.{problem.key}", params)


def import_workbook(
    data: bytes, root: Path, pictures: Path | None = None, lang: str = "id"
) -> Result:
    """Checks the workbook's pack and, when it has no problem, writes it into `root`."""
    try:
        rows, letters, missing = wb.read_rows(data)
    except KeyError:
        return Result([SheetProblem(None, None, "learning.import.no_sheet", {"sheet": wb.SHEET})])
    except ValueError as err:
        return Result([SheetProblem(None, None, "learning.import.bad_file", {"error": str(err)})])
    result = Result([], letters)
    for heading in missing:
        result.problems.append(
            SheetProblem(1, None, "learning.import.no_heading", {"heading": heading})
        )
    if missing:
        return result
    if not rows:
        result.problems.append(SheetProblem(2, None, "learning.import.no_rows"))
        return result
    draft = draft_pack(rows, _archive(pictures))
    result.problems += draft.problems
    deployed = _pack_dirs(root)
    old = deployed.get(draft.pack.get("id", ""))
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp)
        for folder in deployed.values():
            if folder != old:
                (stage / folder.name).symlink_to(folder.resolve(), target_is_directory=True)
        lines = _stage(draft, stage / STAGED)
        library, found = check_content(stage)
        new = stage / STAGED
        for problem in found:
            if problem.path.is_relative_to(new) and problem.key not in LOADER_SKIPS:
                result.problems.append(_translate(draft, problem, lines, lang))
        target = old or root / str(draft.pack.get("id"))
        if old is None and target.exists():
            result.problems.append(SheetProblem(draft.pack_row, "pack", "learning.import.folder_taken",
                                                {"folder": str(target)}))  # fmt: skip
        if result.problems:
            order = {key: n for n, (key, _) in enumerate(wb.COLUMNS)}
            result.problems.sort(key=lambda p: (p.row or 0, order.get(p.column or "", -1)))
            return result
        _install(new, root, target, old is not None)
    loaded, _ = check_content(root)
    result.pack = loaded.pack(draft.pack["id"])
    result.path, result.replaced, result.pictures = target, old is not None, len(draft.pictures)
    return result


def _install(staged: Path, root: Path, target: Path, replace: bool) -> None:
    """Copies the pack in beside its target and renames it into place: the bot's reload sees
    the old pack or the new one. Files of the old folder that are not module files (the
    pictures' drawing scripts) are kept."""
    root.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    fresh, trash = root / f".import-{tag}", root / f".old-{tag}"
    shutil.copytree(staged, fresh)
    if replace:
        for path in target.rglob("*"):
            rel = path.relative_to(target)
            if path.is_file() and path.suffix != ".yaml" and not (fresh / rel).exists():
                (fresh / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, fresh / rel)
        target.rename(trash)
    fresh.rename(target)
    if replace:
        shutil.rmtree(trash, ignore_errors=True)
