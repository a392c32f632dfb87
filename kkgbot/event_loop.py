"""The event loop `bot.py run` runs on: uvloop where it is installed, else asyncio's own.

One process serves the webhooks, the router's database round trips and the scheduler on one
loop; on a 2-core machine its CPU is the limit of inbound updates a second (issue 21), and
uvloop's loop and transports cost less of it per update than asyncio's. The console, the
demo and the tests stay on asyncio's loop: nothing there is busy enough to notice.
`KKGBOT_EVENT_LOOP=asyncio` goes back to asyncio's loop (the benchmark's baseline).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T], loop: str = "uvloop") -> T:
    if loop == "uvloop":
        try:
            import uvloop
        except ImportError:  # an optional speed-up, never a reason not to start
            pass
        else:
            return uvloop.run(main)
    return asyncio.run(main)
