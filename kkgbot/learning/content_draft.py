"""The rows of a lessons workbook as a pack draft: values to write as YAML, the rows they
came from, and the problems only a spreadsheet can have (a missing Coba besok task, the
correct option's letter, a gap between options, a picture that is not there). Everything
else is left to the loader's rules (`content_check`), which `content_import` runs.

Pack and module ids carry down: a row with them empty belongs to the pack and module of the
row above, as a trainer would read the sheet. Pack and module details come from their first
row; a later row that says something different is a slip and is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kkgbot import i18n
from kkgbot.learning import workbook as wb

MODULE_KEYS = ("module_title", "topic", "sources", "reviewed_by", "reviewed_on")
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
JPEG = b"\xff\xd8"


@dataclass(frozen=True)
class SheetProblem:
    """A problem where the trainer looks: row and column of the sheet (None: the file)."""

    row: int | None
    column: str | None  # column key (workbook.COLUMNS)
    key: str  # a text key, learning.check.* or learning.import.*
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, lang: str, letters: dict[str, str]) -> str:
        text = i18n.t(lang, self.key, **self.params)
        if self.row is None:
            return text
        if self.column is None:
            where = i18n.t(lang, "learning.import.at_row", sheet=wb.SHEET, row=self.row)
        else:
            where = i18n.t(lang, "learning.import.at_cell", sheet=wb.SHEET, row=self.row,
                           column=letters.get(self.column, "?"),
                           heading=wb.HEADINGS[self.column])  # fmt: skip
        return f"{where}: {text}"


@dataclass
class Draft:
    """The pack being built from the rows, with what maps YAML lines back to cells."""

    problems: list[SheetProblem] = field(default_factory=list)
    pack: dict[str, Any] = field(default_factory=dict)
    pack_row: int = 2
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    rows: dict[str, list[tuple[wb.Row, list[str]]]] = field(default_factory=dict)
    module_rows: dict[str, int] = field(default_factory=dict)
    lesson_rows: dict[str, int] = field(default_factory=dict)
    pictures: dict[str, tuple[bytes, int]] = field(default_factory=dict)

    def problem(self, at: int | None, column: str | None, key: str, **params: Any) -> None:
        self.problems.append(SheetProblem(at, column, key, params))


def _missing(draft: Draft, row: wb.Row, key: str) -> None:
    draft.problem(row.number, key, "learning.check.missing_field", field=wb.HEADINGS[key])


def _same(draft: Draft, target: dict, first: dict, row: wb.Row, key: str, name: str) -> None:
    """Pack and module details come from their first row; a later, different one is a slip."""
    value = row.get(key)
    if not value:
        return
    if name not in target or target[name] in (None, ""):
        target[name], first[key] = value, row.number
    elif str(target[name]) != value:
        draft.problem(row.number, key, "learning.import.differs", row=first.get(key, "?"))


def _options(draft: Draft, row: wb.Row) -> tuple[list[dict], list[str]]:
    filled = [x for x in wb.LETTERS if row.get(f"option_{x}") or row.get(f"why_{x}")]
    for gap in wb.LETTERS[: wb.LETTERS.index(filled[-1])] if filled else ():
        if gap not in filled:
            draft.problem(row.number, f"option_{gap}", "learning.import.option_gap", letter=gap)
    correct = row.get("correct").upper().removeprefix("PILIHAN ").strip()
    if not correct:
        _missing(draft, row, "correct")
    elif filled and correct not in filled:
        draft.problem(row.number, "correct", "learning.import.bad_correct",
                      value=row.get("correct"), last=filled[-1])  # fmt: skip
    options = []
    for x in filled:
        option: dict[str, Any] = {"text": row.get(f"option_{x}") or None}
        if x == correct:
            option["right"] = True
        option["why"] = row.get(f"why_{x}") or None
        options.append(option)
    return options, filled


def _picture(draft: Draft, row: wb.Row, lesson_id: str, archive: dict[str, bytes]) -> str | None:
    name = Path(row.get("picture").replace("\\", "/")).name
    data = row.picture
    if data is None and name:
        data = archive.get(name.casefold())
        if data is None:
            draft.problem(row.number, "picture", "learning.import.picture_unknown", name=name)
            return None
    if data is None:
        return None
    if not name:
        name = lesson_id + (".jpg" if data.startswith(JPEG) else ".png")
    name = SAFE_NAME.sub("-", name)
    if name in draft.pictures and draft.pictures[name][0] != data:
        draft.problem(row.number, "picture", "learning.import.picture_clash",
                      name=name, row=draft.pictures[name][1])  # fmt: skip
    draft.pictures.setdefault(name, (data, row.number))
    return f"pictures/{name}"


def _lesson(draft: Draft, row: wb.Row, module_id: str, n: int, archive: dict) -> dict:
    lesson_id = row.get("lesson") or f"{module_id}-{n}"
    draft.lesson_rows.setdefault(lesson_id, row.number)
    text, task = row.get("text"), row.get("try")
    if text and not task:
        draft.problem(row.number, "try", "learning.import.no_try")
    options, letters = _options(draft, row)
    lesson: dict[str, Any] = {
        "id": lesson_id,
        "title": row.get("title") or None,
        "body": (wb.join_body(text, task) if task else text) or None,
        "question": row.get("question") or None,
        "options": options,
    }
    if row.get("link"):
        lesson["link"] = row.get("link")
    if picture := _picture(draft, row, lesson_id, archive):
        lesson["image"] = picture
    draft.rows[module_id].append((row, letters))
    return lesson


def draft_pack(rows: list[wb.Row], archive: dict[str, bytes]) -> Draft:
    draft = Draft()
    pack_first: dict[str, int] = {}
    pack_id = module_id = ""
    for row in rows:
        pack_id = row.get("pack") or pack_id
        module_id = row.get("module") or module_id
        if not pack_id:
            _missing(draft, row, "pack")
        elif "id" not in draft.pack:
            draft.pack["id"], draft.pack_row = pack_id, row.number
        elif pack_id != draft.pack["id"]:
            draft.problem(row.number, "pack", "learning.import.many_packs",
                          pack=pack_id, first=draft.pack["id"])  # fmt: skip
        _same(draft, draft.pack, pack_first, row, "pack_title", "title")
        _same(draft, draft.pack, pack_first, row, "pack_order", "order")
        if not module_id:
            _missing(draft, row, "module")
            continue
        if module_id not in draft.modules:
            draft.modules[module_id] = {"id": module_id, "first": {}, "lessons": []}
            draft.rows[module_id] = []
            draft.module_rows[module_id] = row.number
        module = draft.modules[module_id]
        for key in MODULE_KEYS:
            _same(draft, module, module["first"], row, key, key)
        n = len(module["lessons"]) + 1
        module["lessons"].append(_lesson(draft, row, module_id, n, archive))
    return draft
