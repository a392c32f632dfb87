"""Rendering a digest to its three parts, in worker processes so the event loop stays free.

A Monday round draws one chart and writes one workbook per supervisor: CPU work that, on
the event loop, stalled every member's reply for the whole round (47 s at 4,000 KKGs).
The workers get the digest as plain data (the figures, no database, no session) and send
back bytes; the job queues them in its own transactions. `workers=0` renders inline: the
console and the scripted tests move a simulated clock and need no second process, and
render exactly the same bytes in the same order.

Workers are started with "spawn": the bot process runs threads (aiosqlite, the web
server) that a fork would copy in an unknown state. A worker that dies (killed, out of
memory) breaks the pool; the next render starts a fresh one, so one bad Monday does not
stop the next round.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from kkgbot.digest.render import Digest, digest_chart, digest_text, digest_xlsx

log = logging.getLogger(__name__)


def default_workers() -> int:
    """One core stays with the event loop and the database: one worker on a 2-core machine."""
    return max(1, (os.cpu_count() or 1) - 1)


@dataclass(frozen=True)
class Rendered:
    text: str
    chart: bytes
    xlsx: bytes
    chart_name: str
    xlsx_name: str


def render(digest: Digest, lang: str) -> Rendered:
    day = digest.period.now.astimezone(ZoneInfo(digest.period.zone))
    stamp = day.strftime("%Y-%m-%d")
    return Rendered(
        digest_text(digest, lang),
        digest_chart(digest, lang),
        digest_xlsx(digest, lang),
        f"ringkasan-{stamp}.png",
        f"ringkasan-{stamp}.xlsx",
    )


def _warm_up() -> None:
    """Load the drawing and workbook libraries once per worker, not in the first render."""
    import openpyxl  # noqa: F401
    from PIL import Image, ImageDraw  # noqa: F401

    from kkgbot import i18n

    for lang in i18n.LANGUAGES:
        i18n.catalogue(lang)


class DigestRenderer:
    """Renders digests inline (`workers=0`) or in a pool of `workers` processes."""

    def __init__(self, workers: int) -> None:
        self.workers = max(0, workers)
        self._pool: ProcessPoolExecutor | None = None

    @property
    def inline(self) -> bool:
        return self.workers == 0

    def pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_warm_up,
            )
        return self._pool

    async def start(self) -> None:
        """Start the workers now (a few seconds each, loading the libraries), so that the
        first round does not wait for them; `render` starts them anyway if need be."""
        if not self.inline:
            loop = asyncio.get_running_loop()
            pool = self.pool()
            await asyncio.gather(
                *(loop.run_in_executor(pool, _warm_up) for _ in range(self.workers))
            )

    async def render(self, digest: Digest, lang: str) -> Rendered:
        if self.inline:
            return render(digest, lang)
        pool = self.pool()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, render, digest, lang)
        except BrokenProcessPool:
            if self._pool is pool:  # the first to notice replaces it for the next render
                log.error("a digest worker died; a new pool starts with the next render")
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
