"""Counts the statements that changed something, so a simulated clock can tell whether a
step of due work changed the database (and what each job said about its next moment may
no longer hold) without asking every job again after every step."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


class WriteCounter:
    """`count` grows with every statement that may have written a row. It errs on the side
    of counting: anything but a plain SELECT counts unless the driver says it touched no row
    (an INSERT ... ON CONFLICT DO NOTHING that found its row, an UPDATE that matched none)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "after_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement: str, parameters, context, executemany) -> None:
        if statement.lstrip()[:6].upper() == "SELECT":
            return
        if getattr(cursor, "rowcount", -1) != 0:
            self.count += 1
