"""Engine and session factory, with the connection settings each database needs."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

RECYCLE_SECONDS = 600  # below the idle timeouts of common proxies and managed databases


def make_engine(url: str, **kwargs) -> AsyncEngine:
    """Create the engine; on SQLite turn on what privacy and concurrency require."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            # Deleted personal data must leave the file (UU 27/2022), not linger in free pages.
            cur.execute("PRAGMA secure_delete=ON")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    # No pre-ping (a round trip before every transaction): connections are renewed after
    # RECYCLE_SECONDS, and one the server dropped meanwhile fails its first statement, which
    # invalidates the pool; the inbound path then runs its transaction again (kkgbot/db/retry.py).
    kwargs.setdefault("pool_recycle", RECYCLE_SECONDS)
    return create_async_engine(url, **kwargs)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
