#!/usr/bin/env python3
"""KKG Bot command line, the one entry point: run the bot, try it in the console, check
content, and administer a district. Each command imports only what it needs, so `--help`
and `content check` start fast."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot.py", description="KKG Bot")
    parser.add_argument(
        "--db", help="database URL (default: KKGBOT_DATABASE_URL or the SQLite file)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("run", help="run the bot on the configured channels (Telegram, WhatsApp)")
    sub.add_parser("migrate", help="apply the database migrations")
    sub.add_parser("demo", help="seed the demo district and open the console as the koordinator")

    console = sub.add_parser("console", help="talk to the bot in the terminal, or play a script")
    console.add_argument("--as", dest="person", default="koordinator", help="who you are")
    console.add_argument("--script", type=Path, help="play this script and print the transcript")
    console.add_argument("--seed", choices=["demo"], help="load the demo data first")
    console.add_argument("--out", type=Path, help="folder for files the bot sends")

    content = sub.add_parser("content", help="micro-learning content packs")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    check = content_sub.add_parser("check", help="check every pack; exit 1 on any problem")
    check.add_argument("--dir", type=Path, help="packs folder (default: config/content)")
    tmpl = content_sub.add_parser("template", help="write the spreadsheet template for lessons")
    tmpl.add_argument("file", type=Path, nargs="?", help="default: docs/templat-materi.xlsx")
    imp = content_sub.add_parser("import", help="check a lessons workbook and install its pack")
    imp.add_argument("file", type=Path, help="the .xlsx (one row per lesson)")
    imp.add_argument("--pictures", type=Path, help="a .zip of pictures (default: FILE.zip)")
    exp = content_sub.add_parser("export", help="write a pack as a lessons workbook")
    exp.add_argument("pack", help="pack id")
    exp.add_argument("file", type=Path, nargs="?", help="default: PACK.xlsx")
    for cmd in (imp, exp):
        cmd.add_argument("--dir", type=Path, help="packs folder (default: KKGBOT_CONTENT_DIR)")

    admin = sub.add_parser("admin", help="district administration")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    create = admin_sub.add_parser("create-kkg", help="create a KKG and print its invite code")
    create.add_argument("name")
    create.add_argument("--district", required=True)
    create.add_argument("--timezone", required=True, help="WIB, WITA, WIT or an IANA zone")
    create.add_argument("--code", help="a chosen invite code (default: a random one)")
    create.add_argument("--kecamatan", help="the sub-district, for the dashboard's filter")
    for verb in ("grant", "revoke"):
        cmd = admin_sub.add_parser(verb, help=f"{verb} a role")
        cmd.add_argument("role", choices=["guru", "koordinator", "narasumber", "pengawas", "admin"])
        cmd.add_argument("person", help="phone number, Telegram @username, console handle or name")
        cmd.add_argument("--kkg", required=True, help="KKG name, invite code or id")
    imp = admin_sub.add_parser(
        "import-members", help="import members from a CSV (name,school,phone)"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--kkg", required=True)
    kkg_imp = admin_sub.add_parser(
        "import-kkgs", help="create KKGs from a CSV (name,kecamatan,zone) in a district"
    )
    kkg_imp.add_argument("file", type=Path)
    kkg_imp.add_argument("--district", required=True, help="the district's name")
    admin_sub.add_parser("seed-demo", help="load the demo district (idempotent)")
    export = admin_sub.add_parser(
        "export", help="a KKG's attendance, polls, reports and learning as one .xlsx"
    )
    export.add_argument("--kkg", required=True, help="KKG name, invite code or id")
    export.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    _calendar_parser(admin_sub)
    return parser


def _calendar_parser(admin_sub) -> None:
    """`admin calendar add|remove|list|province` (kkgbot/calendar_admin.py)."""
    cal = admin_sub.add_parser("calendar", help="school calendar: days off, province")
    cal_sub = cal.add_subparsers(dest="calendar_command", required=True)

    def scope(cmd) -> None:
        group = cmd.add_mutually_exclusive_group(required=True)
        group.add_argument("--kkg", help="KKG name, invite code or id")
        group.add_argument("--district", help="district name or id")

    for verb, text in (("add", "add days off"), ("remove", "make days school days")):
        cmd = cal_sub.add_parser(verb, help=text)
        cmd.add_argument("date", help="YYYY-MM-DD or DD-MM-YYYY")
        cmd.add_argument("--to", help="last day of a range")
        cmd.add_argument("--name", default="", help="what the day is (shown to people)")
        scope(cmd)
    listing = cal_sub.add_parser("list", help="every day off in a year")
    listing.add_argument("--year", type=int, help="default: this year")
    scope(listing)
    week = cal_sub.add_parser("week", help="a KKG's school days a week (5 or 6)")
    week.add_argument("days", type=int, choices=(5, 6))
    week.add_argument("--kkg", required=True, help="KKG name, invite code or id")
    prov = cal_sub.add_parser("province", help="the province whose school breaks apply")
    prov.add_argument("province", help="e.g. nusa-tenggara-barat")
    prov.add_argument("--district", required=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from kkgbot import logs
    from kkgbot.settings import Settings

    settings = Settings()
    level = (
        logging.DEBUG
        if args.verbose
        else logging.INFO
        if args.command == "run"
        else logging.WARNING
    )
    logs.setup(
        level,
        secrets=settings.secrets,
        json_logs=args.command == "run" and settings.log_json,
    )
    if args.command == "console" and args.script and not args.db:
        # A script gets a fresh database, so its transcript is the same on every run.
        with tempfile.TemporaryDirectory() as tmp:
            args.db = f"sqlite+aiosqlite:///{Path(tmp) / 'console.sqlite3'}"
            return asyncio.run(dispatch(args))
    return asyncio.run(dispatch(args))


def settings_for(args: argparse.Namespace):
    from kkgbot.settings import Settings

    settings = Settings()
    if getattr(args, "db", None):
        settings = settings.model_copy(update={"database_url": args.db})
    return settings


async def dispatch(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    if args.command == "migrate":
        from kkgbot.app import App
        from kkgbot.clock import SystemClock

        app = App(settings, SystemClock())
        await app.migrate()
        await app.close()
        print("migrations applied")
        return 0
    if args.command == "content" and args.content_command == "check":
        return content_check(settings, args.dir)
    if args.command == "content":
        from kkgbot.learning import content_cli

        return content_cli.run(args, settings)
    if args.command in ("run", "demo", "console") and content_check(settings, None, quiet=True):
        from kkgbot import i18n

        print(i18n.t(settings.language, "learning.check.refuse_start"), file=sys.stderr)
        return 1
    if args.command == "run":
        from kkgbot.serve import run_bot

        return await run_bot(settings)
    from kkgbot import console_session

    if args.command == "demo":
        return await console_session.open_console(
            settings, person="koordinator", seed=True, hint=console_session.DEMO_HINT
        )
    if args.command == "console":
        if args.script:
            return await console_session.play_file(
                settings, args.script, args.seed == "demo", args.out
            )
        return await console_session.open_console(
            settings, person=args.person, seed=args.seed == "demo", out=args.out
        )
    if args.command == "admin":
        from kkgbot import district_admin

        return await district_admin.run(args, settings)
    raise SystemExit(f"unknown command {args.command}")


def content_check(settings, root: Path | None, quiet: bool = False) -> int:
    """`content check`, and the start-up refusal: every problem with its file and line."""
    from kkgbot import i18n
    from kkgbot.learning.content_check import check_content, review_lines, summary

    lang = settings.language
    root = root or settings.content_dir
    library, problems = check_content(root)
    out = sys.stderr if quiet else sys.stdout
    for problem in problems:
        print(problem.render(lang, Path.cwd()), file=out)
    if problems:
        print(i18n.t(lang, "learning.check.failed", count=len(problems)), file=out)
        return 1
    if not quiet:
        print(i18n.t(lang, "learning.check.ok", **summary(library)), file=out)
        print(i18n.t(lang, "learning.check.coverage", **summary(library)), file=out)
        print(i18n.t(lang, "learning.check.reviewed", **summary(library)), file=out)
        for module_id, who, when in review_lines(library):
            print(f"  {module_id}: {who}" + (f" ({when})" if when else ""), file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
