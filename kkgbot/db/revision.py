"""Writes a new Alembic revision by comparing the models with a fresh migrated database."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from kkgbot.db.migrate import alembic_config


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'rev.sqlite3'}"
        cfg = alembic_config(url)
        command.upgrade(cfg, "head")
        command.revision(cfg, message=message, autogenerate=True)


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "change")
