"""After an erasure commits, the bytes it freed leave the database files.

Deleting a row is not enough for UU 27/2022's promise. On SQLite (WAL mode) the old page
images stay in the `-wal` file until a checkpoint copies the new pages into the main file
and the log is reset; `secure_delete` zeroes the freed space in the main file but never
touches WAL frames. So once the erasure commits, `PRAGMA wal_checkpoint(TRUNCATE)` runs;
it cannot finish while another connection (the Telegram sender process) reads an older
snapshot, so it is retried a bounded number of times, each try waiting briefly.

On PostgreSQL the old row versions stay in the heap as dead tuples until vacuum: the
tables the erasure touched are vacuumed right after the commit, outside a transaction
(VACUUM refuses to run in one). What still stays for a while is said in the README.

The scrub runs as a task after the commit (never inside the conversation's transaction);
`settled()` waits for the ones under way (tests, shutdown).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from sqlalchemy import event, table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ClauseElement, Executable, TableClause

log = logging.getLogger(__name__)


class Vacuum(Executable, ClauseElement):
    """`VACUUM <table>` with the name quoted by the dialect (SQLAlchemy has no construct)."""

    inherit_cache = False

    def __init__(self, target: TableClause) -> None:
        self.target = target


@compiles(Vacuum, "postgresql")
def _vacuum(element: Vacuum, compiler, **kw) -> str:
    return "VACUUM " + compiler.preparer.format_table(element.target)


TRIES = 60  # each try waits up to BUSY_MS for readers, then PAUSE: ~25 s at most in all
BUSY_MS = 250
PAUSE = 0.15
_running: set[asyncio.Task] = set()


def after_commit(session: AsyncSession, tables: Iterable[str]) -> None:
    """Scrubs the database once the session's transaction commits."""
    engine = session.bind
    assert isinstance(engine, AsyncEngine)
    names = sorted(set(tables))

    def committed(_session) -> None:
        task = asyncio.get_running_loop().create_task(scrub(engine, names), name="scrub")
        _running.add(task)
        task.add_done_callback(_running.discard)

    event.listen(session.sync_session, "after_commit", committed, once=True)


async def settled() -> list[bool | BaseException]:
    """Waits for the scrubs under way; what each returned (True: the files are clean), so a
    caller can tell a finished checkpoint from one that gave up."""
    results: list[bool | BaseException] = []
    while _running:
        results += await asyncio.gather(*list(_running), return_exceptions=True)
    return results


async def scrub(engine: AsyncEngine, tables: list[str]) -> bool:
    """True when the freed bytes are out of the files (SQLite) or vacuum ran (PostgreSQL)."""
    try:
        if engine.dialect.name == "sqlite":
            return await checkpoint_sqlite(engine)
        if engine.dialect.name == "postgresql":
            await vacuum_postgres(engine, tables)
            return True
    except Exception:
        log.exception("scrub after erasure failed")
    return False


async def checkpoint_sqlite(engine: AsyncEngine, tries: int = TRIES) -> bool:
    async with engine.connect() as conn:
        await conn.exec_driver_sql("PRAGMA busy_timeout=250")  # BUSY_MS
        try:
            for _ in range(tries):
                busy, _, _ = (await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
                if not busy:
                    return True
                await asyncio.sleep(PAUSE)
            log.warning(
                "erasure: the database log could not be cleared after %s tries (a reader "
                "held it); it clears at the next checkpoint",
                tries,
            )
            return False
        finally:
            await conn.exec_driver_sql("PRAGMA busy_timeout=30000")  # as kkgbot/db/engine.py


async def vacuum_postgres(engine: AsyncEngine, tables: list[str]) -> None:
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for name in tables:
            await conn.execute(Vacuum(table(name)))
