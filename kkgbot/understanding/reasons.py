"""Why someone will not come, from their own words: "anak saya sakit" is Sakit, "ada
diklat di dinas" is Tugas lain, "izin bu" is Izin; anything else is kept as written."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import fuzz

from kkgbot import i18n
from kkgbot.understanding.meanings import FUZZY
from kkgbot.understanding.phrases import phrase_at
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
    found = reason_kinds(text)
    return found[0] if found else OTHER


def reason_kinds(text: str) -> list[str]:
    """Every kind of reason the text gives, the one that counts first."""
    typed = _own_matters_out(tokens_of(text).tokens)  # "ujian PPPK" is no school duty
    tokens = typed + ("",) + expanded(typed)  # "ngga enak badan" reads as "tidak enak badan" too
    tokens = tokens + ("",) + _spelled_right(typed)  # "sakiit bu" is Sakit
    found = [kind for kind in ORDER if phrase_in(tokens, _reasons()[kind])]
    if found[:1] == ["sakit"] and "izin" in found and _illness_on_the_side(typed):
        found.remove("izin")
        found.insert(0, "izin")  # "izin aja bu, sebenarnya sy kurang sehat juga": the izin stands
    return found


def _own_matters_out(tokens: tuple[str, ...]) -> tuple[str, ...]:
    own = words().own_matters
    out: list[str] = []
    i = 0
    while i < len(tokens):
        step = phrase_at(tokens, i, own)
        out.append("" if step else tokens[i])
        i += step or 1
    return tuple(out)


def _spelled_right(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Each word one letter off a one-word reason (`sakiit`, `pelatihn`), as that reason."""
    single = {p[0] for kind in ORDER for p in _reasons()[kind] if len(p) == 1 and len(p[0]) >= 5}
    out = []
    for token in tokens:
        near = [
            w for w in single
            if len(token) >= 5 and token[0] == w[0] and fuzz.ratio(token, w) >= FUZZY
        ]  # fmt: skip
        out.append(near[0] if len(near) == 1 else token)
    return tuple(out)


def _illness_on_the_side(tokens: tuple[str, ...]) -> bool:
    """An izin asked for first, an illness added with "juga" or "sebenarnya"."""
    reasons = _reasons()
    first_izin = next(
        (i for i in range(len(tokens)) if phrase_at(tokens, i, reasons["izin"])), None
    )
    first_sick = next(
        (i for i in range(len(tokens)) if phrase_at(tokens, i, reasons["sakit"])), None
    )
    if first_izin is None or first_sick is None or first_izin > first_sick:
        return False
    return phrase_in(tokens, words().side_remarks)


def has_reason(text: str) -> bool:
    """Whether words remain that say something beyond greetings, thanks, answer words and
    words that only repeat the question ("tidak bisa ikut rapat hari Sabtu" gives none)."""
    w = words()
    plain = {p[0] for group in w.meanings.values() for p in group if len(p) == 1}
    plain |= {p[0] for p in w.echo_words if len(p) == 1}
    rest = [t for t in content_words(tokens_of(text or "").tokens) if t not in plain]
    return any(t.isalpha() and len(t) > 2 for t in rest)
