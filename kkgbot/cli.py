"""The commands behind bot.py; each builds an App for the job and closes it afterwards."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from kkgbot import admin_cli, i18n
from kkgbot.app import App
from kkgbot.channels.console import ConsoleChannel
from kkgbot.clock import MovableClock, SystemClock
from kkgbot.console_runner import interactive, play_script, script_start
from kkgbot.settings import Settings

DEMO_HINT = """\
KKG Bot — demo (console). Anda adalah Rahmawati, koordinator KKG Gugus 1 Mataram (WITA).
Coba: /bantuan, /jadwal, /rapat, /survei, /materi, /undang, /bahasa.
Bicara sebagai orang lain: @guru1: /rapat    Orang baru: @ayu: /start GUGUS1
Majukan waktu (pengingat, materi, ringkasan berjalan): @clock: +1d    Keluar: Ctrl-D
"""


def settings_for(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if getattr(args, "db", None):
        settings = settings.model_copy(update={"database_url": args.db})
    return settings


async def dispatch(args: argparse.Namespace) -> int:
    settings = settings_for(args)
    if args.command == "migrate":
        app = App(settings, SystemClock())
        await app.migrate()
        await app.close()
        print("migrations applied")
        return 0
    if args.command == "content":
        return content_check(settings, args.dir)
    if args.command in ("run", "demo", "console") and content_check(settings, None, quiet=True):
        print(i18n.t(settings.language, "learning.check.refuse_start"), file=sys.stderr)
        return 1
    if args.command == "run":
        from kkgbot.runtime import run_bot

        return await run_bot(settings)
    if args.command == "demo":
        return await _console(settings, person="koordinator", seed=True, hint=DEMO_HINT)
    if args.command == "console":
        if args.script:
            return await _script(settings, args.script, args.seed == "demo", args.out)
        return await _console(settings, person=args.person, seed=args.seed == "demo", out=args.out)
    if args.command == "admin":
        return await admin_cli.run(args, settings)
    raise SystemExit(f"unknown command {args.command}")


def content_check(settings: Settings, root: Path | None, quiet: bool = False) -> int:
    """`content check`, and the start-up refusal: every problem with its file and line."""
    from kkgbot.learning.content_check import check_content, summary

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
    return 0


async def _console(
    settings: Settings, *, person: str, seed: bool, hint: str | None = None, out: Path | None = None
) -> int:
    files = out or Path(tempfile.mkdtemp(prefix="kkgbot-console-"))
    app = App(settings, MovableClock(), {"console": ConsoleChannel(sys.stdout, files)})
    try:
        await app.migrate()
        if seed:
            await app.seed_demo()
        await interactive(app, person, sys.stdout, hint)
    finally:
        await app.close()
    return 0


async def _script(settings: Settings, path: Path, seed: bool, out: Path | None) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    files = out or Path(tempfile.mkdtemp(prefix="kkgbot-console-"))
    clock = MovableClock(script_start(lines, settings.default_timezone))
    app = App(settings, clock, {"console": ConsoleChannel(sys.stdout, files)})
    try:
        await app.migrate()
        if seed:
            await app.seed_demo()
        await play_script(app, lines, sys.stdout)
    finally:
        await app.close()
    return 0
