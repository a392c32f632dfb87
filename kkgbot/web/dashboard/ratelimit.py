"""A small in-memory limit on sign-in attempts per client address (a guessed token must be
expensive), on top of the per-person limit on the links /dasbor sends. Kept on the ASGI
app's state, so each server (and each test's server) counts its own."""

from __future__ import annotations

import time
from collections import defaultdict, deque

from starlette.requests import Request

WINDOW_SECONDS = 600
ATTEMPTS = 20


def too_many(request: Request, what: str) -> bool:
    seen_all = getattr(request.app.state, "attempts", None)
    if seen_all is None:
        seen_all = request.app.state.attempts = defaultdict(deque)
    client = request.client.host if request.client else "?"
    now = time.monotonic()
    seen = seen_all[(what, client)]
    while seen and seen[0] < now - WINDOW_SECONDS:
        seen.popleft()
    if len(seen) >= ATTEMPTS:
        return True
    seen.append(now)
    if len(seen_all) > 10_000:  # forget idle clients rather than grow without bound
        seen_all.clear()
    return False
