"""The console channel: conversations in a terminal, and the transcript scripts are checked by."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from kkgbot.channels.base import SENT, Outgoing, SendResult


def render(message: Outgoing) -> str:
    """`-> NAME: TEXT`, then `[n] Label` per choice and `[file: NAME]` per attachment."""
    lines = [f"-> {message.address}: {message.text}"]
    lines += [f"[{i}] {choice.label}" for i, choice in enumerate(message.choices, start=1)]
    if message.file_name:
        lines.append(f"[file: {message.file_name}]")
    return "\n".join(lines)


class ConsoleChannel:
    name = "console"

    def __init__(self, out: TextIO | None = None, files_dir: Path | None = None) -> None:
        self.out = out or sys.stdout
        self.files_dir = files_dir

    async def send(self, message: Outgoing) -> SendResult:
        if message.file_name and message.file_data is not None and self.files_dir:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            (self.files_dir / Path(message.file_name).name).write_bytes(message.file_data)
        print(render(message), file=self.out, flush=True)
        return SendResult(SENT, external_id=f"console-{message.outbox_id}")
