"""Triggers that keep `outbox_counts` (rows per channel and status) true as `outbox` changes.

Autogenerate cannot see triggers, so the migration template calls `install` at the end of
the initial revision (migrations/script.py.mako). One row per (channel, status) means a
scrape reads a handful of rows; the price is one small UPDATE per outbox change.

On PostgreSQL one status change updates both its rows in a single statement (one scan of
the primary key, so concurrent transactions lock them in the same order).
"""

from __future__ import annotations

from typing import Any

SQLITE = [
    """CREATE TRIGGER outbox_counts_insert AFTER INSERT ON outbox BEGIN
        INSERT OR IGNORE INTO outbox_counts (channel, status, n)
            VALUES (NEW.channel, NEW.status, 0);
        UPDATE outbox_counts SET n = n + 1
            WHERE channel = NEW.channel AND status = NEW.status;
    END""",
    """CREATE TRIGGER outbox_counts_delete AFTER DELETE ON outbox BEGIN
        UPDATE outbox_counts SET n = n - 1
            WHERE channel = OLD.channel AND status = OLD.status;
    END""",
    """CREATE TRIGGER outbox_counts_update AFTER UPDATE OF channel, status ON outbox
    WHEN OLD.channel IS NOT NEW.channel OR OLD.status IS NOT NEW.status BEGIN
        INSERT OR IGNORE INTO outbox_counts (channel, status, n)
            VALUES (NEW.channel, NEW.status, 0);
        UPDATE outbox_counts SET n = n - 1
            WHERE channel = OLD.channel AND status = OLD.status;
        UPDATE outbox_counts SET n = n + 1
            WHERE channel = NEW.channel AND status = NEW.status;
    END""",
]

POSTGRES = [
    """CREATE FUNCTION outbox_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO outbox_counts AS c (channel, status, n)
                VALUES (NEW.channel, NEW.status, 1)
                ON CONFLICT (channel, status) DO UPDATE SET n = c.n + 1;
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE outbox_counts SET n = n - 1
                WHERE channel = OLD.channel AND status = OLD.status;
        ELSIF (OLD.channel, OLD.status) IS DISTINCT FROM (NEW.channel, NEW.status) THEN
            INSERT INTO outbox_counts (channel, status, n)
                VALUES (NEW.channel, NEW.status, 0) ON CONFLICT DO NOTHING;
            UPDATE outbox_counts
                SET n = n + CASE WHEN channel = NEW.channel AND status = NEW.status
                                 THEN 1 ELSE -1 END
                WHERE (channel, status) IN ((OLD.channel, OLD.status),
                                            (NEW.channel, NEW.status));
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER outbox_counts_track
        AFTER INSERT OR DELETE OR UPDATE OF channel, status ON outbox
        FOR EACH ROW EXECUTE FUNCTION outbox_counts_track()""",
]

BACKFILL = """INSERT INTO outbox_counts (channel, status, n)
    SELECT channel, status, count(*) FROM outbox GROUP BY channel, status"""

DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS outbox_counts_insert",
        "DROP TRIGGER IF EXISTS outbox_counts_delete",
        "DROP TRIGGER IF EXISTS outbox_counts_update",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS outbox_counts_track ON outbox",
        "DROP FUNCTION IF EXISTS outbox_counts_track()",
    ],
}


def install(op: Any) -> None:
    """Creates the triggers (Alembic `op`), and counts what the outbox already holds."""
    dialect = op.get_bind().dialect.name
    op.execute("DELETE FROM outbox_counts")
    op.execute(BACKFILL)
    for statement in SQLITE if dialect == "sqlite" else POSTGRES:
        op.execute(statement)


def uninstall(op: Any) -> None:
    for statement in DROP.get(op.get_bind().dialect.name, []):
        op.execute(statement)
