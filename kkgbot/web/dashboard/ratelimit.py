"""A small in-memory limit on sign-in attempts per client address (a guessed token must be
expensive), on top of the per-person limit on the links /dasbor sends."""

from __future__ import annotations

import time
from collections import defaultdict, deque

from starlette.requests import Request

WINDOW_SECONDS = 600
ATTEMPTS = 20
_seen: dict[tuple[str, str], deque[float]] = defaultdict(deque)


def too_many(request: Request, what: str) -> bool:
    client = request.client.host if request.client else "?"
    now = time.monotonic()
    seen = _seen[(what, client)]
    while seen and seen[0] < now - WINDOW_SECONDS:
        seen.popleft()
    if len(seen) >= ATTEMPTS:
        return True
    seen.append(now)
    if len(_seen) > 10_000:  # forget idle clients rather than grow without bound
        _seen.clear()
    return False
