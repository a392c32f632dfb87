"""Applies the Alembic migrations from code, so `run`, `demo` and tests share one path.

A database already at the head revision is the usual case at start-up, and Alembic (with
Mako and Pygments behind it) costs a few hundred milliseconds to import and load its
scripts. So `upgrade` first compares the database's revision with the head read from the
migration files as text, and starts Alembic only when there is something to do (or the
files are not the plain one-head chain this check understands).
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

from sqlalchemy import text

from kkgbot.settings import ROOT

if TYPE_CHECKING:
    from alembic.config import Config

VERSIONS = ROOT / "migrations" / "versions"
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.M)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade_sync(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The one head of the migration files (None if there are several, or none)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        downs.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


async def at_head(url: str) -> bool:
    """True when the database's single Alembic revision is the files' head."""
    from kkgbot.db.engine import make_engine

    head = head_revision()
    if head is None:
        return False
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            found = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
    except Exception:  # no table yet (a new database) or unreadable: Alembic decides
        return False
    finally:
        await engine.dispose()
    return [row[0] for row in found] == [head]


async def upgrade(url: str, revision: str = "head") -> None:
    """Alembic's env runs its own event loop for async drivers, so run it in a thread."""
    if revision == "head" and await at_head(url):
        return
    await asyncio.to_thread(upgrade_sync, url, revision)
