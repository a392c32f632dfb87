"""One transaction run again when the connection it was given had been dropped.

The pool used to "pre-ping" every connection it handed out: a `SELECT 1` round trip before
each message, a tenth of the work of a plain one. Instead connections are recycled after a
while (`pool_recycle`, kkgbot/db/engine.py) and a connection the server closed meanwhile
(a restart, a failover, an idle timeout, `pg_terminate_backend`) fails the first statement
of a transaction. SQLAlchemy then invalidates it and every older connection in the pool,
so running the whole transaction again gets a fresh one. Nothing of the failed attempt
was committed, except when the drop hit the COMMIT itself: then the work's own idempotency
(an inbound update recorded in `inbound_seen`, outbox keys) makes the second run harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

T = TypeVar("T")
ATTEMPTS = 3


def dropped_connection(exc: BaseException) -> bool:
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


async def on_live_connection(work: Callable[[], Awaitable[T]], attempts: int = ATTEMPTS) -> T:
    """`work()` (one whole transaction), again when its connection turned out to be dead."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except DBAPIError as exc:
            if not dropped_connection(exc) or attempt == attempts:
                raise
            log.warning("database connection was dropped (%s); running again", exc.orig)
    raise AssertionError("unreachable")
