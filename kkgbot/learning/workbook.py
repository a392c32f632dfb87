"""Content packs as a spreadsheet: one row per lesson, so a district trainer writes lessons in
Excel or Google Sheets instead of YAML.

The column headings are a file format, like the YAML field names: fixed, in Indonesian (the
language lessons are written in), matched without regard to case or order, so a trainer may
move columns about. Pack and module details (title, topic, sources, review) are read from
the first row of the pack or module; later rows may leave them empty. `content_import`
turns the rows into a pack and checks it with the same rules as `content check`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kkgbot import i18n
from kkgbot.learning import content as c

if TYPE_CHECKING:  # openpyxl is imported where a workbook is made: it slows start-up
    from openpyxl import Workbook

SHEET = "Materi"
GUIDE_SHEET = "Petunjuk"
LETTERS = "ABCD"
TRY_MARK = "Coba besok:"
BODY_JOIN = f"\n\n{TRY_MARK} "

# (key, heading): the order the template and the export use.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("pack", "Paket (id)"),
    ("pack_title", "Judul paket"),
    ("pack_order", "Urutan paket"),
    ("module", "Modul (id)"),
    ("module_title", "Judul modul"),
    ("topic", "Topik (id)"),
    ("sources", "Sumber"),
    ("reviewed_by", "Ditinjau oleh"),
    ("reviewed_on", "Tanggal tinjau"),
    ("lesson", "Materi (id)"),
    ("title", "Judul materi"),
    ("text", "Teks materi"),
    ("try", "Coba besok"),
    ("question", "Pertanyaan"),
    *((f"option_{x}", f"Pilihan {x}") for x in LETTERS),
    ("correct", "Jawaban benar"),
    *((f"why_{x}", f"Penjelasan {x}") for x in LETTERS),
    ("picture", "Gambar"),
    ("link", "Tautan"),
)
HEADINGS = dict(COLUMNS)
REQUIRED = {"pack", "module", "title", "text", "try", "question", "option_A", "option_B",
            "correct", "why_A", "why_B"}  # fmt: skip
WIDTHS = {"text": 60, "try": 40, "question": 40, "sources": 40}

EXAMPLE = {
    "pack": "contoh-paket",
    "pack_title": "Contoh paket materi",
    "pack_order": 50,
    "module": "contoh-modul",
    "module_title": "Membaca bersama",
    "topic": "literasi-dasar",
    "sources": "Kemendikbudristek (2022). Panduan Pembelajaran dan Asesmen.",
    "lesson": "contoh-1",
    "title": "Jari menunjuk kata",
    "text": (
        "Saat membacakan buku besar, tunjuk setiap kata dengan jari sambil membaca. Anak "
        "melihat bahwa tulisan dibaca dari kiri ke kanan dan setiap kata yang diucapkan "
        "punya tulisannya sendiri."
    ),
    "try": "bacakan satu halaman sambil menunjuk kata, lalu minta satu anak menunjuk kata yang sama.",
    "question": "Apa yang dipelajari anak saat guru menunjuk kata sambil membaca?",
    "option_A": "Tulisan dibaca dari kiri ke kanan",
    "option_B": "Cara mengeja huruf",
    "correct": "A",
    "why_A": "Benar: arah membaca dan hubungan kata lisan dengan tulisannya.",
    "why_B": "Belum: mengeja dilatih tersendiri; di sini anak belajar arah dan kata.",
}


@dataclass
class Row:
    """One lesson row as written: cell values by column key, and where each column is."""

    number: int  # the sheet's row number (1 is the headings)
    values: dict[str, str]
    picture: bytes | None = None  # embedded in the sheet on this row
    columns: dict[str, str] = field(default_factory=dict)  # key -> column letter

    def get(self, key: str) -> str:
        return self.values.get(key, "")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def read_rows(data: bytes) -> tuple[list[Row], dict[str, str], list[str]]:
    """The lesson rows of a workbook, the letter of each known column, and the headings of
    required columns that are missing. Raises ValueError when it is not a workbook or has
    no `Materi` sheet (the caller reports it)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as err:  # zip, XML and openpyxl's own errors: not a workbook
        raise ValueError(str(err)[:200] or type(err).__name__) from err
    if SHEET not in book.sheetnames:
        raise KeyError(SHEET)
    sheet = book[SHEET]
    by_heading = {h.casefold(): k for k, h in COLUMNS}
    columns: dict[str, int] = {}
    for cell in sheet[1]:
        key = by_heading.get(_text(cell.value).casefold())
        if key and key not in columns:
            columns[key] = cell.column
    letters = {k: get_column_letter(n) for k, n in columns.items()}
    missing = [HEADINGS[k] for k, _ in COLUMNS if k in REQUIRED and k not in columns]
    pictures: dict[int, bytes] = {}
    for image in getattr(sheet, "_images", []):
        pictures.setdefault(image.anchor._from.row + 1, image._data())
    rows = []
    for number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        values = {k: _text(cells[n - 1]) for k, n in columns.items() if n - 1 < len(cells)}
        if any(values.values()) or number in pictures:
            rows.append(Row(number, values, pictures.get(number), letters))
    return rows, letters, missing


def _guide(book: Workbook, lang: str) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet(GUIDE_SHEET)
    sheet.column_dimensions["A"].width = 110
    for n, line in enumerate(i18n.raw(lang, "learning.workbook.guide"), start=1):
        sheet.append([line])
        sheet.cell(n, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.cell(1, 1).font = Font(bold=True, size=13)


def _book(lang: str) -> tuple[Workbook, Any]:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([h for _, h in COLUMNS])
    for n, (key, _) in enumerate(COLUMNS, start=1):
        sheet.cell(1, n).font = Font(bold=True)
        sheet.cell(1, n).alignment = Alignment(wrap_text=True)
        sheet.column_dimensions[get_column_letter(n)].width = WIDTHS.get(key, 18)
    sheet.freeze_panes = "A2"
    _guide(book, lang)
    return book, sheet


def _append(sheet: Any, values: dict[str, Any]) -> int:
    from openpyxl.styles import Alignment

    sheet.append([values.get(k, "") for k, _ in COLUMNS])
    row = sheet.max_row
    for cell in sheet[row]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return row


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template(lang: str) -> bytes:
    """The empty template: the headings, one filled example row, and the guide sheet."""
    book, sheet = _book(lang)
    _append(sheet, EXAMPLE)
    return _save(book)


def split_body(body: str) -> tuple[str, str]:
    """A lesson body as (text, coba besok task); the task is empty when there is none."""
    text, mark, task = body.rpartition(BODY_JOIN)
    return (text.strip(), task.strip()) if mark else (body.strip(), "")


def join_body(text: str, task: str) -> str:
    task = task.strip()
    if task.casefold().startswith(TRY_MARK.casefold()):
        task = task[len(TRY_MARK) :].strip()
    return f"{text.strip()}{BODY_JOIN}{task}"


def export_pack(pack: c.Pack, lang: str) -> bytes:
    """A pack as the template workbook, pictures embedded in their rows (the round trip of
    `content import`)."""
    from openpyxl.drawing.image import Image

    book, sheet = _book(lang)
    column = next(n for n, (k, _) in enumerate(COLUMNS, start=1) if k == "picture")
    for m, module in enumerate(pack.modules):
        for n, lesson in enumerate(module.lessons):
            text, task = split_body(lesson.body)
            values: dict[str, Any] = {"pack": pack.id, "module": module.id, "lesson": lesson.id,
                      "title": lesson.title, "text": text, "try": task,
                      "question": lesson.question, "link": lesson.link or "",
                      "correct": LETTERS[lesson.right_index]}  # fmt: skip
            for letter, option in zip(LETTERS, lesson.options, strict=False):
                values[f"option_{letter}"] = option.text
                values[f"why_{letter}"] = option.why
            if n == 0:
                values |= {"module_title": module.title, "topic": module.topic,
                           "sources": "\n".join(module.sources),
                           "reviewed_by": module.reviewed_by or "",
                           "reviewed_on": module.reviewed_on or ""}  # fmt: skip
            if m == 0 and n == 0:
                values |= {"pack_title": pack.title, "pack_order": pack.order}
            if lesson.image is not None:
                values["picture"] = lesson.image.name
            row = _append(sheet, values)
            if lesson.image is not None:
                _embed(sheet, Image, lesson.image, row, column)
    return _save(book)


def _embed(sheet: Any, image_class: Any, path: Path, row: int, column: int) -> None:
    """The picture on its row, shown small (the file keeps its full size)."""
    from openpyxl.utils import get_column_letter

    image = image_class(io.BytesIO(path.read_bytes()))
    scale = min(1.0, 160 / max(image.width, 1))
    image.width, image.height = int(image.width * scale), int(image.height * scale)
    sheet.add_image(image, f"{get_column_letter(column)}{row}")
    sheet.row_dimensions[row].height = max(image.height * 0.75, 60)
