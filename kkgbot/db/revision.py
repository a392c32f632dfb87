"""Regenerates the schema migration from the models.

Until the first deployment the schema is one migration, `0001_initial`, rewritten from the
models whenever they change (`--squash`, the default). After a deployment, pass `--new
"message"` to add a revision on top instead.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from alembic import command

from kkgbot.db.migrate import alembic_config
from kkgbot.settings import ROOT

VERSIONS = ROOT / "migrations" / "versions"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--new", metavar="MESSAGE", help="add a revision instead of squashing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'rev.sqlite3'}"
        cfg = alembic_config(url)
        if args.new:
            command.upgrade(cfg, "head")
            command.revision(cfg, message=args.new, autogenerate=True)
            return
        for old in VERSIONS.glob("*.py"):
            old.unlink()
        command.revision(cfg, message="initial", autogenerate=True, rev_id="0001")


if __name__ == "__main__":
    main()
