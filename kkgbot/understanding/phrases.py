"""Words within a reply: where a phrase stands, which words carry an answer (no greetings,
honorifics or a trailing `ya`), and short forms and regional words read as the standard ones
(`sgt` as "sangat", `kada` as "tidak") so that labels can be met."""

from __future__ import annotations

from kkgbot.understanding.text import Words
from kkgbot.understanding.words import Phrase, words

# negation words not read as "tidak": "belum" keeps its "not yet", "no" may be "nomor",
# and Javanese "tak" is "I (will)" as often as it is "not"
KEEP_AS_TYPED = {"belum", "blm", "dereng", "durung", "no", "tak"}


INTENSIFIERS = {
    "sangat", "sekali", "banget", "bgt", "pisan", "sanget", "sajan", "banar", "amat", "gati",
    "strongly", "totally", "completely", "fully", "absolutely", "really", "very",
}  # fmt: skip


def phrase_at(tokens, i: int, phrases) -> int:
    """The length of the longest phrase of `phrases` starting at `tokens[i]` (0: none)."""
    best = 0
    for phrase in phrases:
        n = len(phrase)
        if n > best and tuple(tokens[i : i + n]) == phrase:
            best = n
    return best


def phrase_in(tokens: tuple[str, ...], phrases: set[Phrase]) -> bool:
    return any(phrase_at(tokens, i, phrases) for i in range(len(tokens)))


def first_content(tokens: tuple[str, ...]) -> int:
    fillers = words().fillers
    i = 0
    while i < len(tokens):
        step = phrase_at(tokens, i, fillers)
        if not step:
            return i
        i += step
    return i


def without_fillers(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The words that can carry an answer: no greetings, honorifics or trailing `ya`."""
    fillers = words().fillers
    out: list[str] = []
    i = 0
    first = first_content(tokens)
    while i < len(tokens):
        step = phrase_at(tokens, i, fillers)
        if step:
            i += step
            continue
        if tokens[i] in ("ya", "yaa") and i != first and len(tokens) > 1:
            i += 1
            continue
        out.append(tokens[i])
        i += 1
    return tuple(out)


def content_words(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The words that say something: no greetings, honorifics, thanks or fillers."""
    return without_fillers(tokens)


def has_content(tokens: tuple[str, ...]) -> bool:
    return any(t.isalpha() and len(t) > 2 for t in tokens)


def last_phrase(tokens: tuple[str, ...], phrases: set[Phrase], first: bool = False) -> int | None:
    """Where the last (or the first) of these phrases ends in the tokens, if anywhere."""
    at = [i + n for i in range(len(tokens)) if (n := phrase_at(tokens, i, phrases))]
    if not at:
        return None
    return at[0] if first else at[-1]


def expanded(tokens) -> tuple[str, ...]:
    """Short forms spelled out ("sgt" -> "sangat"), every word for "not" read as "tidak"
    and every "very" as "sangat", so "kada setuju" and "setuju pisan" meet the labels
    "Tidak setuju" and "Sangat setuju"."""
    w = words()
    negators = {p[0] for p in w.meanings["no"] if len(p) == 1 and p[0].isalpha()}
    out = []
    for token in tokens:
        token = w.short_forms.get(token, token)
        if token in negators and token not in KEEP_AS_TYPED:
            token = "tidak"
        elif token in INTENSIFIERS:
            token = "sangat"
        out.append(token)
    return tuple(out)


def expanded_words(ws: Words) -> Words:
    return Words(expanded(ws.tokens), ws.asks, ws.raw, ws.spans)
