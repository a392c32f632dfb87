"""Naming a choice by its label: the whole label, a distinctive word of it (`numerasi` for
"Numerasi kelas awal"), words a choice carries of its own, and small typos (`numersi`)."""

from __future__ import annotations

from rapidfuzz import fuzz

from kkgbot.understanding.meanings import FUZZY
from kkgbot.understanding.offered import Offered, Reading
from kkgbot.understanding.phrases import expanded, without_fillers
from kkgbot.understanding.text import Words, is_number, tokens_of
from kkgbot.understanding.words import words

STEM = 8  # letters two long words share at their start to be forms of one word
MAX_PARTIAL = 6  # words a reply may have and still name a choice by a part of its label


STOPWORDS = {
    "dan", "yang", "di", "ke", "dari", "untuk", "dengan", "kelas", "the", "of", "and", "a", "in",
    "secara", "pada", "atau", "dalam", "buku", "anak",
}  # fmt: skip


def by_words(content: tuple[str, ...], offered: list[Offered]) -> Reading | None:
    """The words a choice carries of its own; the longest phrase found decides."""
    best: dict[int, int] = {}
    for i, option in enumerate(offered):
        for phrase in (tuple(expanded(tokens_of(w).tokens)) for w in option.words):
            if phrase and _phrase_in_fuzzy(content, phrase):
                best[i] = max(best.get(i, 0), len(phrase))
    if not best:
        return None
    top = max(best.values())
    winners = [i for i, n in best.items() if n == top]
    if len(winners) > 1:
        return None
    return Reading((winners[0],), "words")


def by_label(
    ws: Words, content: tuple[str, ...], offered: list[Offered], many: bool, partial: bool = True
):
    labels = [label_tokens(o.label) for o in offered]
    named_by = [
        label + tuple(t for w in o.words for t in label_tokens(w))
        for label, o in zip(labels, offered, strict=True)
    ]
    if ws.asks:
        return None
    if len(content) > MAX_PARTIAL and partial:
        return None  # a long text that only mentions a label's word
    complete = [i for i, label in enumerate(labels) if label and contains(content, label)]
    complete = _most_specific(complete, labels)
    distinct = _distinctive(named_by)
    named = [i for i, keys in enumerate(distinct) if any(_names(content, key) for key in keys)]
    if complete and (not many or not partial):
        return _label_reading(complete, many, weak=False)
    picks = sorted(set(complete) | set(named)) if partial else complete
    if picks:
        return _label_reading(picks, many, weak=not set(picks) <= set(complete))
    return None


def _label_reading(picks: list[int], many: bool, weak: bool) -> Reading:
    picks = sorted(set(picks))
    return Reading(tuple(picks), "label", ambiguous=len(picks) > 1 and not many, weak=weak,
                   numbers_typed=len(picks))  # fmt: skip


def whole_label(content: tuple[str, ...], offered: list[Offered]) -> int | None:
    """A label typed out in full wins over any reading of its words: "Daftar hadir" is the
    roster button, not a yes; "Tidak setuju" is that option, not "Setuju" negated."""
    text = " ".join(content)
    for i, option in enumerate(offered):
        for form in (option.label, *option.words):
            if " ".join(without_fillers(expanded(tokens_of(form).tokens))) == text:
                return i
    w = words()
    linking = {p[0] for p in w.connectors if len(p) == 1}
    for i, option in enumerate(offered):
        label = label_tokens(option.label)
        if option.meaning is not None or len(label) < 2 or not contains(content, label):
            continue
        extra = [t for t in content if not any(_same(t, part) for part in label)]
        if all(t in linking for t in extra):  # "yang asesmen formatif": nothing else said
            return i
    return None


def label_tokens(label: str) -> tuple[str, ...]:
    tokens = expanded(tokens_of(label.replace("✅", "")).tokens)
    return tuple(t for t in tokens if t not in STOPWORDS or len(tokens) <= 2)


def contains(content: tuple[str, ...], label: tuple[str, ...]) -> bool:
    """Every word of the label is in the text, and the text has no number the label lacks
    ("2 jam 30 menit" is not the option "2 jam")."""
    if any(is_number(word) and word not in label for word in content):
        return False
    return all(any(_same(word, part) for word in content) for part in label)


def _most_specific(found: list[int], labels: list[tuple[str, ...]]) -> list[int]:
    """Of "Setuju" and "Tidak setuju" both found in "tidak setuju", the longer one."""
    return [i for i in found if not any(j != i and set(labels[i]) < set(labels[j]) for j in found)]


def _distinctive(labels: list[tuple[str, ...]]) -> list[set[str]]:
    """Per label, its words that no other label has (long enough to mean something, and not
    an answer word such as "tidak" or "sangat": those name no choice on their own)."""
    plain = {p[0] for group in words().meanings.values() for p in group if len(p) == 1}
    plain |= {"tidak", "sangat", "kurang", "cukup"} | STOPWORDS
    out = []
    for i, label in enumerate(labels):
        others = {w for j, other in enumerate(labels) if j != i for w in other}
        out.append(
            {w for w in label if len(w) >= 4 and w not in others | plain and not w.isdigit()}
        )
    return out


def _names(content: tuple[str, ...], key: str) -> bool:
    return any(_same(word, key) for word in content)


def _same(word: str, key: str) -> bool:
    if word == key:
        return True
    if len(word) < 4 or len(key) < 5 or word.isdigit():
        return False
    if min(len(word), len(key)) >= STEM + 1 and word[:STEM] == key[:STEM]:
        return True  # "differentiation" names "Differentiated instruction"
    return fuzz.ratio(word, key) >= FUZZY


def _phrase_in_fuzzy(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(
        all(_same(tokens[i + k], phrase[k]) for k in range(n)) for i in range(len(tokens) - n + 1)
    )
