"""A real `python bot.py run` process for tests: started with the given settings in its
environment, and on the way out stopped with SIGTERM, which must end it cleanly (exit 0)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@asynccontextmanager
async def bot_run(
    env: dict[str, str], lines: list[str] | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`lines`, when given, receives the process's stderr line by line while it runs."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        "run",
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    reader = None
    if lines is not None:
        reader = asyncio.create_task(_collect(proc.stderr, lines))
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), timeout=20)
            except TimeoutError:
                proc.kill()
                raise
    if reader is not None:
        await reader
        stderr = "\n".join(lines).encode()
    else:
        _, stderr = await proc.communicate()
    assert proc.returncode == 0, stderr.decode()[-2000:]


async def _collect(stream: asyncio.StreamReader, lines: list[str]) -> None:
    while line := await stream.readline():
        lines.append(line.decode(errors="replace").rstrip())
