"""The production runtime (`kkgbot.serve.run_bot`) as the benchmarks start it.

Same code as `python bot.py run`, without the command line's start-up checks of other
features (content packs), which have nothing to do with delivery.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from kkgbot.serve import run_bot
from kkgbot.settings import Settings

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    sys.exit(asyncio.run(run_bot(Settings())))
