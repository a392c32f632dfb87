"""The deployed content packs, read and checked once: start-up refuses a broken pack rather
than a teacher meeting it at 19:00."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from kkgbot.learning.content import ContentError, Library
from kkgbot.learning.content_check import check_content
from kkgbot.settings import get_settings


def load_library(root: Path) -> Library:
    """Read and check every pack under `root`; raises ContentError listing all problems."""
    library, problems = check_content(root)
    if problems:
        raise ContentError(problems)
    return library


@lru_cache
def library() -> Library:
    """The deployed packs (KKGBOT_CONTENT_DIR), read once; start-up refuses broken ones."""
    return load_library(get_settings().content_dir)
