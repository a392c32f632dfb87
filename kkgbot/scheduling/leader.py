"""Which instance schedules: exactly one at a time, the others only dispatch.

APScheduler 3 cannot share a job store between processes, and two schedulers scanning for
due work would race each other (harmless for delivery thanks to idempotency keys, but
wasteful and noisy). On PostgreSQL a session advisory lock elects the scheduler: it is held
by one connection and released by the server the moment that process dies, so another
instance takes over at its next try (every tick, `KKGBOT_TICK_SECONDS`). On SQLite (one
machine) an OS file lock next to the database does the same.

What bounds a takeover: the standby's next try (at most one tick), plus the time the server
takes to notice the leader's session is gone. A killed process's kernel closes its socket,
so that is at once; a machine that vanishes (power, network) sends nothing, and the server
would wait for TCP keepalive, two hours by default: the lock session sets its own
keepalives (`KEEPALIVE`) so the server gives up on it in about half a minute.

The lock needs a session of its own on the server: behind PgBouncer in transaction pooling
the lock would be taken on a server connection other sessions share. Point
`KKGBOT_DATABASE_URL` at PostgreSQL itself, or at a session-pooling bouncer.
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
# idle 10 s, then 3 probes 5 s apart: a vanished leader's lock is freed after about 25 s
KEEPALIVE = {"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5",
             "tcp_keepalives_count": "3"}  # fmt: skip


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

    @property
    def role(self) -> str:
        """For /healthz: which of the processes behind the load balancer schedules."""
        return "leader" if self.is_leader else "standby"

    async def _ensure_postgres(self) -> None:
        if self._conn is not None:
            await self._conn.execute(text("SELECT 1"))  # raises if the session (lock) is gone
            await self._conn.commit()  # not left "idle in transaction" between ticks
            return
        conn = await self.engine.connect()
        got = await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})
        if got:
            for name, value in KEEPALIVE.items():  # session-level, as the lock is
                await conn.execute(
                    text("SELECT set_config(:name, :value, false)"), {"name": name, "value": value}
                )
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
