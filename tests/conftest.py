"""Shared fixtures: a freshly migrated database per test, on SQLite and (when configured)
PostgreSQL, and an App wired to a console channel that records what it sends."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kkgbot.app import App
from kkgbot.channels.console import ConsoleChannel
from kkgbot.clock import MovableClock
from kkgbot.db.migrate import upgrade_sync
from kkgbot.settings import Settings

PG_URL = os.environ.get("KKGBOT_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
START = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # Tuesday 08:00 WITA
SEEDED = pytest.StashKey[bool]()  # the test's database holds the demo seed already


def _pg_admin_url() -> str:
    return PG_URL.replace("postgresql+asyncpg://", "postgresql://")  # type: ignore[union-attr]


async def _pg_exec(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_admin_url())
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_db_url(name: str) -> str:
    base, _, _ = PG_URL.rpartition("/")  # type: ignore[union-attr]
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("tmpl") / "template.sqlite3"
    upgrade_sync(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> str | None:
    if not PG_URL:
        yield None
        return
    name = f"kkgbot_tmpl_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_exec(f'CREATE DATABASE "{name}"'))
    upgrade_sync(_pg_db_url(name))
    yield name
    asyncio.run(_pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_worker_db(pg_template) -> str | None:
    """One PostgreSQL database per test process (xdist worker), emptied before each test:
    creating a database per test from the template cost about a second of the server's
    time each, more than most tests themselves."""
    if not PG_URL:
        yield None
        return
    name = f"kkgbot_w_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield name
    asyncio.run(_pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _pg_empty(name: str) -> None:
    """Every table emptied and its ids restarted, as a fresh copy of the template would be;
    connections a finished test left behind are ended first, so nothing holds a lock.

    DELETE, not TRUNCATE: a TRUNCATE of the 46 tables made new files for every table and
    index and took about a second each time (fsync on), more than most tests; deleting the
    few rows a test wrote takes milliseconds. Foreign-key triggers are off while it runs
    (`session_replication_role = replica`), so the order of the tables does not matter."""
    import asyncpg

    conn = await asyncpg.connect(_pg_admin_url().rpartition("/")[0] + f"/{name}")
    try:
        await conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            " AND tablename <> 'alembic_version'"
        )
        sequences = await conn.fetch(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
        )
        await conn.execute(
            "SET session_replication_role = replica;"
            + "".join(f'DELETE FROM "{r[0]}";' for r in tables)
            + "".join(f"SELECT setval('\"{r[0]}\"', 1, false);" for r in sequences)
            + "SET session_replication_role = DEFAULT;"
        )
    finally:
        await conn.close()


async def _seed(url: str) -> None:
    app = App(Settings().model_copy(update={"database_url": url}), MovableClock(START), {})
    try:
        await app.seed_demo()
    finally:
        await app.close()


@pytest.fixture(scope="session")
def sqlite_seeded(sqlite_template, tmp_path_factory) -> Path:
    """The template with the demo district seeded at START, as `console_app` seeds it: the
    seed is the same every time, so each test copies it instead of writing it again."""
    path = tmp_path_factory.mktemp("seeded") / "seeded.sqlite3"
    shutil.copy(sqlite_template, path)
    asyncio.run(_seed(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def pg_seeded(pg_worker_db) -> dict[str, bytes | int]:
    """The demo seed on PostgreSQL, kept as COPY data of each table it writes and the
    value of each sequence, to be put back after emptying."""
    if not pg_worker_db:
        return {}

    async def dump() -> dict[str, bytes | int]:
        import asyncpg

        await _pg_empty(pg_worker_db)
        await _seed(_pg_db_url(pg_worker_db))
        conn = await asyncpg.connect(_pg_admin_url().rpartition("/")[0] + f"/{pg_worker_db}")
        try:
            kept: dict[str, bytes | int] = {}
            for (table,) in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'alembic_version'"
            ):
                if await conn.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{table}")'):
                    data = io.BytesIO()
                    await conn.copy_from_table(table, output=data, format="binary")
                    kept[table] = data.getvalue()
            for name, value in await conn.fetch(
                "SELECT sequencename, last_value FROM pg_sequences"
                " WHERE schemaname = 'public' AND last_value IS NOT NULL"
            ):
                kept[f"seq:{name}"] = value
            return kept
        finally:
            await conn.close()

    return asyncio.run(dump())


async def _pg_restore(name: str, kept: dict[str, bytes | int]) -> None:
    """Put the seeded rows back into the emptied database (foreign keys off meanwhile)."""
    import asyncpg

    conn = await asyncpg.connect(_pg_admin_url().rpartition("/")[0] + f"/{name}")
    try:
        await conn.execute("SET session_replication_role = replica")
        for key, value in kept.items():
            if key.startswith("seq:"):
                await conn.execute("SELECT setval($1::regclass, $2)", f'"{key[4:]}"', value)
            else:
                await conn.copy_to_table(key, source=io.BytesIO(value), format="binary")
    finally:
        await conn.close()


@pytest.fixture(params=BACKENDS)
async def db_url(
    request, tmp_path, sqlite_template, sqlite_seeded, pg_worker_db, pg_seeded
) -> AsyncIterator[str]:
    """A migrated, empty database for each test: a copy of a migrated SQLite template, or
    the worker's PostgreSQL database emptied. For `console_app` the demo is already in it
    (copied or restored from a seed made once per worker)."""
    seeded = "console_app" in request.fixturenames
    request.node.stash[SEEDED] = seeded
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite3"
        shutil.copy(sqlite_seeded if seeded else sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    await _pg_empty(pg_worker_db)
    if seeded:
        await _pg_restore(pg_worker_db, pg_seeded)
    yield _pg_db_url(pg_worker_db)


@pytest.fixture
def settings(db_url) -> Settings:
    return Settings().model_copy(update={"database_url": db_url})


@pytest.fixture
async def console_app(request, settings, tmp_path) -> AsyncIterator[App]:
    """The bot with the console channel writing to `app.transcript` (a StringIO), on a
    database where the demo district is already seeded (see `db_url`)."""
    out = io.StringIO()
    app = App(settings, MovableClock(START), {"console": ConsoleChannel(out, tmp_path / "files")})
    app.transcript = out  # type: ignore[attr-defined]
    if not request.node.stash.get(SEEDED, False):
        await app.seed_demo()
    yield app
    await app.close()
