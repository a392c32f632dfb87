"""The deployed content packs, read and checked once: start-up refuses a broken pack rather
than a teacher meeting it at 19:00.

A running bot picks up a pack written by `bot.py content import` (or edited by hand) without
a restart: `refresh`, called on every lesson-job tick, compares the files' sizes and
modification times under the content folder (a few hundred `stat` calls, no reading) and
rereads the packs when they changed. A changed folder with problems keeps the packs already
loaded and logs the problems once: a half-edited file must not take lessons away.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from kkgbot.learning.content import ContentError, Library
from kkgbot.learning.content_check import check_content
from kkgbot.settings import get_settings

log = logging.getLogger(__name__)
Fingerprint = tuple[tuple[str, int, int], ...]


def load_library(root: Path) -> Library:
    """Read and check every pack under `root`; raises ContentError listing all problems."""
    library, problems = check_content(root)
    if problems:
        raise ContentError(problems)
    return library


def fingerprint(root: Path) -> Fingerprint:
    """Every file's (path, size, mtime) under `root`, hidden folders (an import in progress)
    left out."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in files:
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            found.append((os.path.relpath(path, root), st.st_size, st.st_mtime_ns))
    return tuple(sorted(found))


@dataclass
class _Loaded:
    root: Path
    seen: Fingerprint
    library: Library


_loaded: _Loaded | None = None


def library() -> Library:
    """The deployed packs (KKGBOT_CONTENT_DIR), read once; start-up refuses broken ones."""
    global _loaded
    root = get_settings().content_dir
    if _loaded is None or _loaded.root != root:
        seen = fingerprint(root)
        _loaded = _Loaded(root, seen, load_library(root))
    return _loaded.library


def refresh() -> bool:
    """Reread the packs if a file under the content folder changed; True when they were."""
    if _loaded is None or _loaded.root != get_settings().content_dir:
        library()
        return False
    seen = fingerprint(_loaded.root)
    if seen == _loaded.seen:
        return False
    _loaded.seen = seen
    fresh, problems = check_content(_loaded.root)
    if problems:
        log.warning(
            "content folder changed but has %d problem(s); keeping the packs loaded before "
            "(run: python bot.py content check)",
            len(problems),
        )
        return False
    _loaded.library = fresh
    log.info("content packs reloaded: %d packs", len(fresh.packs))
    return True


def cache_clear() -> None:
    """Forget the loaded packs (tests that point KKGBOT_CONTENT_DIR elsewhere)."""
    global _loaded
    _loaded = None


library.cache_clear = cache_clear  # type: ignore[attr-defined]  # as when it was lru_cache
