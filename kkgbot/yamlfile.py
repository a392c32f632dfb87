"""YAML through libyaml's C parser when PyYAML was built with it.

The locale catalogues, content packs and topic lists are read by every process at start-up
(the bot, each CLI run, each test worker); the pure-Python parser spent seconds on them.
Same safe subset, same node marks (line numbers for the content check)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_text(text: str) -> Any:
    return yaml.load(text, Loader=Loader)  # noqa: S506 (a safe loader)


def load_file(path: Path) -> Any:
    return load_text(path.read_text(encoding="utf-8"))


def compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=Loader)
