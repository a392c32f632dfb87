"""Which instance schedules: exactly one at a time, the others only dispatch.

APScheduler 3 cannot share a job store between processes, and two schedulers scanning for
due work would race each other (harmless for delivery thanks to idempotency keys, but
wasteful and noisy). On PostgreSQL a session advisory lock elects the scheduler: it is held
by one connection and released by the server the moment that process dies, so another
instance takes over at its next try. On SQLite (one machine) an OS file lock next to the
database does the same.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)
LOCK_KEY = 0x4B4B47_5343  # "KKG" "SC": one number all instances agree on


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL, or None for an in-memory database."""
    _, _, rest = url.partition(":///")
    rest = rest.split("?", 1)[0]
    return None if not rest or rest == ":memory:" else Path(rest)


class SchedulerLeader:
    def __init__(self, engine: AsyncEngine, url: str, key: int = LOCK_KEY) -> None:
        self.engine = engine
        self.url = url
        self.key = key
        self.is_leader = False
        self._conn: AsyncConnection | None = None
        self._fd: int | None = None

    async def ensure(self) -> bool:
        """Leader now? Tries to become it when not; checks the lock connection when it is."""
        try:
            if self.engine.dialect.name == "postgresql":
                await self._ensure_postgres()
            else:
                self._ensure_file()
        except Exception:
            log.exception("scheduler election failed; not scheduling until the next try")
            await self.release()
        return self.is_leader

    async def _ensure_postgres(self) -> None:
        if self._conn is not None:
            await self._conn.execute(text("SELECT 1"))  # raises if the session (lock) is gone
            return
        conn = await self.engine.connect()
        got = await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})
        await conn.commit()  # the lock is session-level: it outlives the transaction
        if got:
            self._conn, self.is_leader = conn, True
            log.info("this instance is the scheduler (advisory lock %s)", self.key)
        else:
            await conn.close()

    def _ensure_file(self) -> None:
        if self._fd is not None:
            return
        path = sqlite_path(self.url)
        if path is None:
            self.is_leader = True
            return
        fd = os.open(f"{path}.scheduler-lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return
        self._fd, self.is_leader = fd, True
        log.info("this instance is the scheduler (lock file %s.scheduler-lock)", path)

    async def release(self) -> None:
        self.is_leader = False
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                await self._conn.commit()
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None
