"""Reading a typed answer against the choices on offer, as a person means it.

A choice is answered by its number in any form (`3`, `no 3`, `tiga`, `1 dan 4`), by the
meaning it carries (yes, no, maybe: `iya bu`, `gak bisa`, `mboten`, 👍), or by its label or
a distinctive word of it, with small typos (`numerasi`, `asesmen formatif`, `numersi`).
Negation wins (`tidak bisa hadir` is no). When a reply fits two choices of one question
(`1 atau 2`, `bisa atau tidak`), the reading says so and the bot asks; it never guesses.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from kkgbot.understanding.text import Words, is_number, tokens_of
from kkgbot.understanding.words import Phrase, words

YES, NO, MAYBE = "yes", "no", "maybe"
FUZZY = 85
MAX_PARTIAL = 6  # words a reply may have and still name a choice by a part of its label  # rapidfuzz ratio for one mistyped letter in a word of five or more
STOPWORDS = {
    "dan", "yang", "di", "ke", "dari", "untuk", "dengan", "kelas", "the", "of", "and", "a", "in",
    "secara", "pada", "atau", "dalam", "buku", "anak",
}  # fmt: skip


@dataclass(frozen=True)
class Offered:
    """What the reader needs of a choice: its label and, if any, its meaning."""

    label: str
    meaning: str | None = None


@dataclass(frozen=True)
class Reading:
    picks: tuple[int, ...]  # positions (0-based) of the choices the reply names
    how: str  # "exact" (the whole label), "number", "meaning", "label" (a part of it)
    rest: str = ""  # what the person wrote beyond the answer (a reason, a comment)
    ambiguous: bool = False  # it fits several choices of this question: ask which
    bare_number: bool = False  # nothing but a number: never enough to change a setting


@dataclass(frozen=True)
class Found:
    meaning: str
    start: int
    end: int  # token positions [start, end)


def read(text: str | Words, offered: list[Offered], *, many: bool = False) -> Reading | None:
    """The choices `text` names among `offered`, or None when it answers none of them."""
    ws = text if isinstance(text, Words) else tokens_of(text)
    content = _without_fillers(ws.tokens)
    if not content or not offered:
        return None
    whole = _whole_label(content, offered)
    if whole is not None:
        return Reading((whole,), "exact")
    numbers = numbers_of(content)
    if numbers is not None:
        picked, alternatives = numbers
        if not all(1 <= n <= len(offered) for n in picked):
            return None
        picks = tuple(sorted({n - 1 for n in picked}))
        ambiguous = alternatives or (len(picks) > 1 and not many)
        bare = len(content) == 1 and is_number(content[0])
        return Reading(picks, "number", ambiguous=ambiguous, bare_number=bare)
    if any(o.meaning for o in offered):
        return _by_meaning(ws, content, offered)
    return _by_label(ws, content, offered, many)


def _whole_label(content: tuple[str, ...], offered: list[Offered]) -> int | None:
    """A label typed out in full wins over any reading of its words: "Daftar hadir" is the
    roster button, not a yes; "Tidak setuju" is that option, not "Setuju" negated."""
    text = " ".join(content)
    for i, option in enumerate(offered):
        if " ".join(_without_fillers(tokens_of(option.label).tokens)) == text:
            return i
    for i, option in enumerate(offered):
        label = _label_tokens(option.label)
        short = len(content) <= len(label) + 2
        if option.meaning is None and len(label) >= 2 and short and _contains(content, label):
            return i
    return None


def meaning_of(ws: Words) -> tuple[str | None, bool, int]:
    """(yes/no/maybe or None, whether it says two things, the token after the answer)."""
    found = _meanings(ws.tokens)
    if not found:
        return None, False, 0
    kinds = {f.meaning for f in found}
    end = max(f.end for f in found)
    if len(kinds) > 1 and _alternatives_between(ws.tokens, found):
        return None, True, end
    if NO in kinds:
        return NO, False, end
    if MAYBE in kinds:
        return MAYBE, False, end
    return YES, False, end


def numbers_of(content: tuple[str, ...]) -> tuple[list[int], bool] | None:
    """The numbers a message consists of (`3`, `no 3`, `tiga`, `1 dan 4`, `3,4`, `1 atau 2`),
    and whether it offers them as alternatives; None when it is more than numbers."""
    w = words()
    picked: list[int] = []
    alternatives = False
    i = 0
    while i < len(content):
        token = content[i]
        if is_number(token):
            picked.append(int(token))
            i += 1
            continue
        step = _phrase_at(content, i, w.numbers.keys())
        if step:
            picked.append(w.numbers[tuple(content[i : i + step])])
            i += step
            continue
        step = _phrase_at(content, i, w.alternatives)
        if step:
            alternatives = True
            i += step
            continue
        step = _phrase_at(content, i, w.connectors)
        if step or token == "&":
            i += step or 1
            continue
        return None
    return (picked, alternatives and len(set(picked)) > 1) if picked else None


def _by_meaning(ws: Words, content: tuple[str, ...], offered: list[Offered]) -> Reading | None:
    meaning, two, end = meaning_of(ws)
    if two:
        picks = tuple(i for i, o in enumerate(offered) if o.meaning)
        return Reading(picks, "meaning", ambiguous=True)
    if meaning is None:
        return _by_label(ws, content, offered, False)
    picks = tuple(i for i, o in enumerate(offered) if o.meaning == meaning)
    if not picks:
        return None
    rest = ws.after(end)
    if ws.asks and _has_content(_without_fillers(ws.tokens[end:])):
        return None  # "bisa online tidak bu?": a question for a person, not an answer
    return Reading(picks[:1], "meaning", rest=rest)


def _by_label(ws: Words, content: tuple[str, ...], offered: list[Offered], many: bool):
    labels = [_label_tokens(o.label) for o in offered]
    text = " ".join(content)
    exact = [i for i, label in enumerate(labels) if " ".join(label) == text]
    if exact:
        return Reading((exact[0],), "exact")
    if ws.asks or len(content) > MAX_PARTIAL:
        return None  # a question, or a long text that only mentions a label's word
    complete = [i for i, label in enumerate(labels) if label and _contains(content, label)]
    complete = _most_specific(complete, labels)
    if complete:
        return _label_reading(complete, many)
    distinct = _distinctive(labels)
    named = [i for i, keys in enumerate(distinct) if any(_names(content, key) for key in keys)]
    if named:
        return _label_reading(named, many)
    return None


def _label_reading(picks: list[int], many: bool) -> Reading:
    picks = sorted(set(picks))
    return Reading(tuple(picks), "label", ambiguous=len(picks) > 1 and not many)


def _label_tokens(label: str) -> tuple[str, ...]:
    tokens = tokens_of(label.replace("✅", "")).tokens
    return tuple(t for t in tokens if t not in STOPWORDS or len(tokens) <= 2)


def _contains(content: tuple[str, ...], label: tuple[str, ...]) -> bool:
    """Every word of the label is in the text, and the text has no number the label lacks
    ("2 jam 30 menit" is not the option "2 jam")."""
    if any(is_number(word) and word not in label for word in content):
        return False
    return all(any(_same(word, part) for word in content) for part in label)


def _most_specific(found: list[int], labels: list[tuple[str, ...]]) -> list[int]:
    """Of "Setuju" and "Tidak setuju" both found in "tidak setuju", the longer one."""
    return [i for i in found if not any(j != i and set(labels[i]) < set(labels[j]) for j in found)]


def _distinctive(labels: list[tuple[str, ...]]) -> list[set[str]]:
    """Per label, its words that no other label has (long enough to mean something)."""
    out = []
    for i, label in enumerate(labels):
        others = {w for j, other in enumerate(labels) if j != i for w in other}
        out.append({w for w in label if len(w) >= 4 and w not in others and not w.isdigit()})
    return out


def _names(content: tuple[str, ...], key: str) -> bool:
    return any(_same(word, key) for word in content)


def _same(word: str, key: str) -> bool:
    if word == key:
        return True
    if len(word) < 4 or len(key) < 5 or word.isdigit():
        return False
    return fuzz.ratio(word, key) >= FUZZY


def _meanings(tokens: tuple[str, ...]) -> list[Found]:
    """Every yes/no/maybe phrase, longest first at each place; `tidak masalah` says nothing,
    and `ya` counts only as the first word (elsewhere it is a filler: `bisa ya bu`)."""
    w = words()
    found: list[Found] = []
    first = _first_content(tokens)
    i = 0
    while i < len(tokens):
        step = _phrase_at(tokens, i, w.not_negations)
        if step:
            i += step
            continue
        best: tuple[int, str] | None = None
        for meaning in (MAYBE, NO, YES):
            step = _phrase_at(tokens, i, w.meanings[meaning])
            if step and (best is None or step > best[0]):
                best = (step, meaning)
        if best is None:
            best = _fuzzy_meaning(tokens[i])
        if best is not None:
            step, meaning = best
            if not (tokens[i] in ("ya", "y") and i != first):
                found.append(Found(meaning, i, i + step))
            i += step
            continue
        i += 1
    return found


def _fuzzy_meaning(token: str) -> tuple[int, str] | None:
    """`hadr`, `tidk`, `iyaa`: one letter off a known word of four letters or more."""
    if len(token) < 4 or not token.isalpha() or _is_known(token):
        return None
    squeezed = "".join(ch for i, ch in enumerate(token) if i == 0 or ch != token[i - 1])
    for meaning in (NO, MAYBE, YES):
        for phrase in words().meanings[meaning]:
            if len(phrase) != 1:
                continue
            if squeezed == phrase[0] or (
                len(phrase[0]) >= 4 and fuzz.ratio(token, phrase[0]) >= FUZZY
            ):
                return 1, meaning
    return None


def _is_known(token: str) -> bool:
    w = words()
    every = [*w.fillers, *w.connectors, *w.numbers, *w.question_words]
    every += [p for group in w.meanings.values() for p in group]
    return any(p == (token,) for p in every)


def _alternatives_between(tokens: tuple[str, ...], found: list[Found]) -> bool:
    """`bisa atau tidak`, `bisa tapi mungkin tidak`: two answers offered, not one."""
    w = words()
    contrast = {("tapi",), ("tetapi",), ("namun",), ("but",)}
    for a, b in zip(found, found[1:], strict=False):
        if a.meaning == b.meaning:
            continue
        between = tokens[a.end : b.start]
        if any(_phrase_at(between, k, w.alternatives) for k in range(len(between))):
            return True
        if any(tuple(between[k : k + 1]) in contrast for k in range(len(between))):
            return MAYBE in (a.meaning, b.meaning) and NO in {f.meaning for f in found}
    return False


def _phrase_at(tokens, i: int, phrases) -> int:
    """The length of the longest phrase of `phrases` starting at `tokens[i]` (0: none)."""
    best = 0
    for phrase in phrases:
        n = len(phrase)
        if n > best and tuple(tokens[i : i + n]) == phrase:
            best = n
    return best


def _first_content(tokens: tuple[str, ...]) -> int:
    fillers = words().fillers
    i = 0
    while i < len(tokens):
        step = _phrase_at(tokens, i, fillers)
        if not step:
            return i
        i += step
    return i


def _without_fillers(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The words that can carry an answer: no greetings, honorifics or trailing `ya`."""
    fillers = words().fillers
    out: list[str] = []
    i = 0
    first = _first_content(tokens)
    while i < len(tokens):
        step = _phrase_at(tokens, i, fillers)
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
    return _without_fillers(tokens)


def _has_content(tokens: tuple[str, ...]) -> bool:
    return any(t.isalpha() and len(t) > 2 for t in tokens)


def phrase_in(tokens: tuple[str, ...], phrases: set[Phrase]) -> bool:
    return any(_phrase_at(tokens, i, phrases) for i in range(len(tokens)))
