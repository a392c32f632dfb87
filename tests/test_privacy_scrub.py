"""Erased data leaves the database files (issue 15, item 2).

SQLite: read while the app still runs, with another connection holding a reader during the
erasure (as the Telegram sender process does), the main file, `-wal` and `-shm` hold
neither the name nor the number. PostgreSQL: the rows are gone and vacuum ran on them.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from kkgbot.privacy import scrub
from tests.conftest import PG_URL
from tests.console_helpers import transcript
from tests.test_privacy import NAME, PHONE, occurrences, said


async def join_and_ask_for_data(app) -> None:
    await transcript(
        app,
        "\n".join(
            [
                "@kadek: /start GUGUS1",
                "@kadek: Setuju",
                f"@kadek: {NAME}",
                "@kadek: SDN 7 Mataram",
                f"@kadek: /profil telepon; {PHONE}",
            ]
        ),
    )
    assert "[file: data-saya.json]" in await said(app, "kadek", "/dataku")
    await said(app, "kadek", "/hapusdata")


def read(file: Path) -> bytes:
    """The file's bytes as they are on disk now (b"" when absent)."""
    return file.read_bytes() if file.exists() else b""


def needles() -> list[bytes]:
    local = "0" + PHONE.removeprefix("+62")
    return [NAME.encode(), PHONE.encode(), PHONE.lstrip("+").encode(), local.encode()]


def hold_a_reader(path: Path, seconds: float) -> threading.Event:
    """Another connection in a read transaction for `seconds` (started before returning)."""
    started = threading.Event()

    def read() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN")
        conn.execute("SELECT count(*) FROM people").fetchone()
        started.set()
        threading.Event().wait(seconds)
        conn.execute("COMMIT")
        conn.close()

    threading.Thread(target=read, daemon=True).start()
    started.wait()
    return started


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_sqlite_files_hold_no_trace_while_the_bot_runs(console_app, db_url):
    path = Path(db_url.removeprefix("sqlite+aiosqlite:///"))
    async with console_app.engine.connect() as conn:
        assert (await conn.exec_driver_sql("PRAGMA secure_delete")).scalar() == 1
        assert (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
    await join_and_ask_for_data(console_app)
    wal = path.with_name(path.name + "-wal")
    assert NAME.encode() in read(wal) + read(path)  # the test can see a trace
    hold_a_reader(path, 1.0)  # the checkpoint must wait for it, and retry
    assert "sudah dihapus" in await said(console_app, "kadek", "Ya")
    # The checkpoint(TRUNCATE) finished while the app still runs: the log was reset to
    # empty then. (Its size now may be above 0: the reply's delivery can write after it.)
    assert await scrub.settled() == [True]
    assert await occurrences(console_app, NAME) == []
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        data = read(path.with_name(name))
        for needle in needles():
            assert needle not in data, (name, needle)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_checkpoint_gives_up_after_bounded_tries(console_app, db_url):
    path = Path(db_url.removeprefix("sqlite+aiosqlite:///"))
    async with console_app.sessionmaker() as s, s.begin():
        await s.execute(text("UPDATE kkgs SET name = name"))
    hold_a_reader(path, 5.0)
    assert await scrub.checkpoint_sqlite(console_app.engine, tries=2) is False
    await asyncio.sleep(0)


@pytest.mark.skipif(not PG_URL, reason="KKGBOT_TEST_POSTGRES_URL not set")
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_postgres_rows_gone_and_vacuum_ran(console_app):
    await join_and_ask_for_data(console_app)
    async with console_app.engine.connect() as conn:  # a vacuum of an earlier test: not ours
        since = (await conn.execute(text("SELECT now()"))).scalar_one()
    assert "sudah dihapus" in await said(console_app, "kadek", "Ya")
    await scrub.settled()
    assert await occurrences(console_app, NAME) == []
    assert await occurrences(console_app, PHONE) == []
    query = text(
        "SELECT relname FROM pg_stat_user_tables WHERE relname IN ('people', 'identities', "
        "'files') AND coalesce(last_vacuum, last_autovacuum) >= :since"
    )
    for _ in range(50):  # the statistics reach pg_stat_* within a second or so
        async with console_app.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT pg_stat_clear_snapshot()")
            vacuumed = set((await conn.execute(query, {"since": since})).scalars())
        if vacuumed == {"people", "identities", "files"}:
            break
        await asyncio.sleep(0.1)
    assert vacuumed == {"people", "identities", "files"}
