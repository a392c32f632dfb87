"""`bot.py content template|import|export`: the spreadsheet side of the content packs, for a
district trainer who writes lessons in Excel or Google Sheets rather than YAML."""

from __future__ import annotations

import sys
from pathlib import Path

from kkgbot import i18n
from kkgbot.learning import workbook
from kkgbot.learning.content_check import check_content
from kkgbot.learning.content_import import import_workbook
from kkgbot.settings import Settings

TEMPLATE = Path("docs/templat-materi.xlsx")


def run(args, settings: Settings) -> int:
    lang = settings.language
    root = getattr(args, "dir", None) or settings.content_dir
    if args.content_command == "template":
        path = args.file or TEMPLATE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(workbook.template(lang))
        print(i18n.t(lang, "learning.import.template_written", path=path))
        return 0
    if args.content_command == "export":
        library, _ = check_content(root)
        pack = library.pack(args.pack)
        if pack is None:
            packs = ", ".join(p.id for p in library.packs) or "-"
            print(i18n.t(lang, "learning.import.unknown_pack", pack=args.pack, packs=packs),
                  file=sys.stderr)  # fmt: skip
            return 1
        path = args.file or Path(f"{pack.id}.xlsx")
        path.write_bytes(workbook.export_pack(pack, lang))
        print(i18n.t(lang, "learning.import.exported", pack=pack.id, path=path,
                     lessons=len(pack.lessons)))  # fmt: skip
        return 0
    return _import(args, root, lang)


def _import(args, root: Path, lang: str) -> int:
    if not args.file.is_file():
        print(i18n.t(lang, "learning.import.no_file", path=args.file), file=sys.stderr)
        return 1
    pictures = args.pictures or args.file.with_suffix(".zip")
    result = import_workbook(args.file.read_bytes(), root, pictures, lang)
    for problem in result.problems:
        print(problem.render(lang, result.letters), file=sys.stderr)
    if result.problems or result.pack is None:
        print(i18n.t(lang, "learning.import.failed", count=len(result.problems)), file=sys.stderr)
        return 1
    pack = result.pack
    print(i18n.t(lang, "learning.import.written", pack=pack.id, title=pack.title,
                 path=result.path, modules=len(pack.modules), lessons=len(pack.lessons),
                 pictures=result.pictures))  # fmt: skip
    if result.replaced:
        print(i18n.t(lang, "learning.import.replaced"))
    return 0
