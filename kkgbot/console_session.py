"""Plays console scripts and runs the interactive console (see PRODUCT.md "Console")."""

from __future__ import annotations

import asyncio
import base64
import mimetypes
import re
import sys
import tempfile
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from kkgbot.app import App
from kkgbot.channels.console import ConsoleChannel
from kkgbot.clock import MovableClock
from kkgbot.console_group import group_inbound
from kkgbot.messages import FILE_TOO_LARGE, Inbound, InboundFile
from kkgbot.settings import Settings

LINE = re.compile(r"^@([^:\s]+):\s?(.*)$")
GROUP_NAME = re.compile(r"^([^@]+)@([^@]+)$")  # "guru1@grup": guru1 speaking in group "grup"
RELATIVE = re.compile(r"(\d+)\s*([wdhms])", re.IGNORECASE)
UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
# `[file notulen.pdf]` sends a file (placeholder content); `[file foto.jpg 12MB]` one of
# that size, to try the size limit without a real file
FILE_LINE = re.compile(r"^\[(?:file|berkas)\s+([^\]]+?)(?:\s+(\d+(?:[.,]\d+)?)\s*MB)?\]$", re.I)
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)


DEMO_HINT = """\
KKG Bot — demo (console). Anda adalah Rahmawati, koordinator KKG Gugus 1 Mataram (WITA).
Coba: /bantuan, /jadwal, /rapat, /survei, /materi, /undang, /bahasa.
Bicara sebagai orang lain: @guru1: /rapat    Orang baru: @ayu: /start GUGUS1
Majukan waktu (pengingat, materi, ringkasan berjalan): @clock: +1d    Keluar: Ctrl-D
"""


class ScriptError(ValueError):
    pass


def parse_clock(text: str, now: datetime, default_zone: str) -> datetime:
    """`+25h`, `+1d2h30m`, or `2026-12-05 08:00 [Zone]` (the KKG zone by default)."""
    text = text.strip()
    if text.startswith("+"):
        body = text[1:].replace(" ", "")
        parts = RELATIVE.findall(body)
        if not parts or "".join(n + u for n, u in parts).lower() != body.lower():
            raise ScriptError(f"cannot read clock step {text!r}")
        delta = timedelta()
        for number, unit in parts:
            delta += timedelta(**{UNITS[unit.lower()]: int(number)})
        return now + delta
    stamp, _, zone = text.partition(" ")
    rest = zone.split(" ", 1)
    if rest and re.fullmatch(r"\d{1,2}[:.]\d{2}", rest[0]):
        stamp = f"{stamp} {rest[0]}"
        zone = rest[1] if len(rest) > 1 else ""
    try:
        naive = datetime.fromisoformat(stamp.replace(".", ":") if " " in stamp else stamp)
    except ValueError as exc:
        raise ScriptError(f"cannot read clock time {text!r}") from exc
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=ZoneInfo(zone.strip() or default_zone))


def script_start(lines: list[str], default_zone: str) -> datetime | None:
    """The time of a leading `@clock:` line with an absolute time, if the script has one."""
    for raw in lines:
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        match = LINE.match(raw.rstrip("\n"))
        if match and match.group(1) == "clock" and not match.group(2).strip().startswith("+"):
            return parse_clock(match.group(2), datetime.now().astimezone(), default_zone)
        return None
    return None


async def play_line(app: App, raw: str, out: TextIO, default_person: str | None = None) -> None:
    match = LINE.match(raw)
    if match is None:
        if default_person is None:
            print(f"(line not understood, expected '@NAME: TEXT': {raw!r})", file=sys.stderr)
            return
        name, text = default_person, raw
    else:
        name, text = match.group(1), match.group(2)
    if name == "clock":
        target = parse_clock(text, app.clock.now(), app.settings.default_timezone)
        await app.advance_to(target)
        return
    group = GROUP_NAME.match(name)
    if group is not None:
        inbound = await group_inbound(app, group.group(1), "#" + group.group(2), text)
    else:
        inbound = console_inbound(name, text, app.settings.max_upload_bytes)
    if inbound is not None:
        await app.router.handle(inbound)
    await app.dispatcher.drain()


def placeholder(name: str, mime: str) -> bytes:
    """Content for a file sent from a script: small, and of the kind its name says."""
    if mime.startswith("image/"):
        return PNG_1PX
    if mime == "application/pdf":
        return f"%PDF-1.4\n% KKG Bot console file {name}\n%%EOF\n".encode()
    return f"KKG Bot console file {name}\n".encode()


def console_inbound(name: str, text: str, max_upload_bytes: int) -> Inbound:
    """A typed line, or a file written as `[file NAME]` / `[file NAME 12MB]`."""
    match = FILE_LINE.match(text.strip())
    if match is None:
        return Inbound(channel="console", address=name, text=text)
    file_name = match.group(1).strip()
    mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    media = "image" if mime.startswith("image/") else "file"
    if match.group(2):
        size = int(float(match.group(2).replace(",", ".")) * 1024 * 1024)
        if size > max_upload_bytes:
            return Inbound("console", name, media=media, file_error=FILE_TOO_LARGE, file_size=size)
    data = placeholder(file_name, mime)
    return Inbound("console", name, media=media, file=InboundFile(file_name, mime, data))


async def play_script(app: App, lines: Iterable[str], out: TextIO) -> None:
    for raw in lines:
        raw = raw.rstrip("\n")
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        print(raw, file=out, flush=True)
        try:
            await play_line(app, raw, out)
        except ScriptError as exc:
            print(f"(script error: {exc})", file=sys.stderr)


async def interactive(app: App, person: str, out: TextIO, hint: str | None = None) -> None:
    """Reads lines as `person`; `@NAME: TEXT` speaks as someone else, `@clock: +1h` moves time."""
    if hint:
        print(hint, file=out, flush=True)
    loop = asyncio.get_running_loop()
    while True:
        if sys.stdin.isatty():
            print(f"{person}> ", end="", file=out, flush=True)
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            break
        line = line.rstrip("\n")
        if not line.strip():
            continue
        try:
            await play_line(app, line, out, default_person=person)
        except ScriptError as exc:
            print(f"({exc})", file=out)


def console_clock(start: datetime | None) -> MovableClock:
    return MovableClock(start)


async def open_console(
    settings: Settings, *, person: str, seed: bool, hint: str | None = None, out: Path | None = None
) -> int:
    files = out or Path(tempfile.mkdtemp(prefix="kkgbot-console-"))
    app = App(settings, MovableClock(), {"console": ConsoleChannel(sys.stdout, files)})
    web = None
    try:
        await app.migrate()
        if seed:
            await app.seed_demo()
        if settings.public_url:  # the web dashboard beside the console: /dasbor's link opens
            from kkgbot.web.wiring import start_web

            web = await start_web(app, settings)
        await interactive(app, person, sys.stdout, hint)
    finally:
        if web is not None:
            await web.stop()
        await app.close()
    return 0


async def play_file(settings: Settings, path: Path, seed: bool, out: Path | None) -> int:
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
