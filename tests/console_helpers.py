"""Playing console scripts in-process and comparing them with their expected transcripts."""

from __future__ import annotations

import io
import os
from pathlib import Path

from kkgbot.app import App
from kkgbot.console_session import play_script

SCRIPTS = Path(__file__).parent / "scripts"


async def transcript(app: App, script: str) -> str:
    out = io.StringIO()
    app.channels["console"].out = out  # type: ignore[attr-defined]
    await play_script(app, script.splitlines(), out)
    return out.getvalue()


def check_golden(name: str, produced: str) -> None:
    """The expected transcript is a file next to the script; KKGBOT_UPDATE_GOLDEN=1 rewrites it."""
    expected_path = SCRIPTS / f"{name}.expected"
    if os.environ.get("KKGBOT_UPDATE_GOLDEN"):
        expected_path.write_text(produced, encoding="utf-8")
    assert expected_path.exists(), (
        f"no {expected_path}: run with KKGBOT_UPDATE_GOLDEN=1 and read it"
    )
    expected = expected_path.read_text(encoding="utf-8")
    assert produced == expected, f"transcript of {name} differs from {expected_path}"
