"""Translation catalogues: every user-facing text lives in `config/locales/<lang>/*.yaml`.

Each feature has its own file, so features can be added without touching one big file.
A missing English text falls back to Indonesian; a missing Indonesian text is a bug and
raises, so a test catches it rather than a teacher seeing a key.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from kkgbot import yamlfile
from kkgbot.settings import CONFIG_DIR

LANGUAGES = ("id", "en")
DEFAULT = "id"


def _flatten(prefix: str, node: Any, out: dict[str, Any]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out)
    else:
        out[prefix] = node


@lru_cache
def catalogue(lang: str, root: Path = CONFIG_DIR / "locales") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path in sorted((root / lang).glob("*.yaml")):
        _flatten(path.stem, yamlfile.load_file(path) or {}, out)
    return out


class MissingText(KeyError):
    pass


def raw(lang: str, key: str) -> Any:
    lang = lang if lang in LANGUAGES else DEFAULT
    value = catalogue(lang).get(key)
    if value is None and lang != DEFAULT:
        value = catalogue(DEFAULT).get(key)
    if value is None:
        raise MissingText(key)
    return value


def t(lang: str, key: str, **params: Any) -> str:
    """The text for `key` in `lang`, with `{name}` fields filled in."""
    text = raw(lang, key)
    return str(text).format(**params) if params else str(text)


def all_forms(key: str) -> set[str]:
    """The key's text in every language: for commands and answers typed in either."""
    forms = set()
    for lang in LANGUAGES:
        try:
            forms.add(str(raw(lang, key)))
        except MissingText:
            continue
    return forms


def word_list(key: str) -> tuple[str, ...]:
    """A list of words under `key` in every language, merged (the words people may type for
    a choice, in whichever language they write)."""
    out: list[str] = []
    for lang in LANGUAGES:
        value = catalogue(lang).get(key)
        if isinstance(value, list):
            out += [str(item) for item in value if str(item) not in out]
        elif value is not None and str(value) not in out:
            out.append(str(value))
    return tuple(out)
