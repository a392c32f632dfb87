"""Applies the Alembic migrations from code, so `run`, `demo` and tests share one path."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.config import Config

from kkgbot.settings import ROOT


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_sync(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


async def upgrade(url: str, revision: str = "head") -> None:
    """Alembic's env runs its own event loop for async drivers, so run it in a thread."""
    await asyncio.to_thread(upgrade_sync, url, revision)
