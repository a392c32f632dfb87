"""`INSERT ... ON CONFLICT DO NOTHING` on SQLite and PostgreSQL alike: the one place that
picks the dialect's insert, for the rows whose uniqueness is the point (an inbound update seen
once, an outbox message with its idempotency key)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_new(
    session: AsyncSession, model: type, values: dict[str, Any], conflict: list[str] | None = None
) -> bool:
    """Insert the row unless it clashes with a unique key (`conflict`: those columns only);
    True when it was new."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict)
    result = await session.execute(stmt)
    return bool(result.rowcount)


async def insert_new_rows(
    session: AsyncSession,
    model: type,
    rows: Sequence[dict[str, Any]],
    conflict: list[str],
    key: str,
) -> set[Any]:
    """`insert_new` for several rows in one statement (one round trip); returns the `key`
    column of the rows that were new (RETURNING: the clashing ones return nothing)."""
    if not rows:
        return set()
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    column = getattr(model, key)
    stmt = (
        insert(model)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=conflict)
        .returning(column)
    )
    return set(await session.scalars(stmt))
