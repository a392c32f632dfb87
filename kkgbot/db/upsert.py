"""`INSERT ... ON CONFLICT DO NOTHING` on SQLite and PostgreSQL alike: the one place that
picks the dialect's insert, for the rows whose uniqueness is the point (an inbound update seen
once, an outbox message with its idempotency key).

The statements are built once per table and conflict target and run with the values as
parameters: building and hashing a new SQLAlchemy statement for every row cost more CPU
than the database spent on the insert (issue 21)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


@cache
def _insert(
    dialect: str, model: type, conflict: tuple[str, ...] | None, returning: str | None = None
) -> Insert:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = model.__table__  # type: ignore[attr-defined]  # Core: no ORM bulk machinery
    index = list(conflict) if conflict else None
    stmt = insert(table).on_conflict_do_nothing(index_elements=index)
    return stmt.returning(table.c[returning]) if returning else stmt


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind else "sqlite"


async def insert_new(
    session: AsyncSession, model: type, values: dict[str, Any], conflict: list[str] | None = None
) -> bool:
    """Insert the row unless it clashes with a unique key (`conflict`: those columns only);
    True when it was new."""
    stmt = _insert(_dialect(session), model, tuple(conflict) if conflict else None)
    result = await session.execute(stmt, values)
    return bool(result.rowcount)


async def insert_new_rows(
    session: AsyncSession,
    model: type,
    rows: Sequence[dict[str, Any]],
    conflict: list[str],
    key: str,
) -> set[Any]:
    """`insert_new` for several rows in one statement (one round trip: SQLAlchemy sends an
    executemany with RETURNING as one multi-row INSERT); returns the `key` column of the
    rows that were new (the clashing ones return nothing)."""
    if not rows:
        return set()
    stmt = _insert(_dialect(session), model, tuple(conflict), key)
    return set(await session.scalars(stmt, list(rows)))
