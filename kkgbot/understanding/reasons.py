"""Why someone will not come, from their own words: "anak saya sakit" is Sakit, "ada
diklat di dinas" is Tugas lain, "izin bu" is Izin; anything else is kept as written."""

from __future__ import annotations

from functools import lru_cache

from kkgbot import i18n
from kkgbot.understanding.reading import content_words, expanded, phrase_in
from kkgbot.understanding.text import tokens_of
from kkgbot.understanding.words import Phrase, words

ORDER = ("sakit", "tugas", "izin")  # illness first: "izin, saya sakit" is Sakit
OTHER = "lain"


@lru_cache
def _reasons() -> dict[str, set[Phrase]]:
    out: dict[str, set[Phrase]] = {kind: set() for kind in ORDER}
    for lang in i18n.LANGUAGES:
        for kind in ORDER:
            items = i18n.catalogue(lang).get(f"answers.reasons.{kind}") or []
            out[kind] |= {tuple(str(item).split()) for item in items}
    return out


def reason_kind(text: str) -> str:
    tokens = tokens_of(text).tokens
    tokens = tokens + expanded(tokens)  # "ngga enak badan" reads as "tidak enak badan" too
    for kind in ORDER:
        if phrase_in(tokens, _reasons()[kind]):
            return kind
    return OTHER


def has_reason(text: str) -> bool:
    """Whether words remain that say something beyond greetings, thanks, answer words and
    words that only repeat the question ("tidak bisa ikut rapat hari Sabtu" gives none)."""
    w = words()
    plain = {p[0] for group in w.meanings.values() for p in group if len(p) == 1}
    plain |= {p[0] for p in w.echo_words if len(p) == 1}
    rest = [t for t in content_words(tokens_of(text or "").tokens) if t not in plain]
    return any(t.isalpha() and len(t) > 2 for t in rest)
