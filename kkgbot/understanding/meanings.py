"""Yes, no or maybe in what a person typed, in their own words and languages.

Negation wins (`tidak bisa hadir` is no), except where it denies a trouble (`tdk ada
halangan`, `kada lupa`); what a person takes back no longer counts (`tidak, eh maksudnya
bisa`); a condition makes a yes a maybe; two answers offered (`bisa atau tidak`) are said
to be two, so the bot asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from kkgbot.understanding.phrases import first_content, last_phrase, phrase_at
from kkgbot.understanding.text import Words
from kkgbot.understanding.words import words

YES, NO, MAYBE = "yes", "no", "maybe"


FUZZY = 85  # rapidfuzz ratio for one mistyped letter in a word of five or more


UNKNOWING = {"tahu", "tau", "tentu", "pasti", "sure", "know", "ngerti", "weruh", "uning", "terang"}


@dataclass(frozen=True)
class Found:
    meaning: str
    start: int
    end: int  # token positions [start, end)


def meaning_of(ws: Words) -> tuple[str | None, bool, int]:
    """(yes/no/maybe or None, whether it says two things, the token after the answer).

    What a person takes back counts no more ("tidak, eh maksudnya bisa" is yes); a condition
    makes a yes a maybe ("bisa, asal tidak hujan"); "belum tahu ... atau ..." is a maybe."""
    found = meanings_in(ws.tokens)
    if not found:
        return None, False, 0
    w = words()
    fix = last_phrase(ws.tokens, w.corrections)
    if fix is not None:
        found = [f for f in found if f.start >= fix] or found
    condition = last_phrase(ws.tokens, w.conditions, first=True)
    opens = phrase_at(ws.tokens, first_content(ws.tokens), w.conditions)
    if opens and found[0].meaning == YES:
        return MAYBE, False, max(f.end for f in found)  # "kalau dapat tumpangan, sy datang"
    if condition is not None and _sentence_ends_between(ws, found[0].end, condition - 1):
        condition = None  # "InsyaAllah saya hadir. Kalau boleh, mohon ...": a new request
    if condition is not None and any(f.start < condition for f in found):
        before = [f for f in found if f.start < condition]
        if before[0].meaning == YES:
            return MAYBE, False, max(f.end for f in found)
        found = before
    lead = found[0]
    unknowing = set(ws.tokens[lead.start : lead.end]) & UNKNOWING  # "belum tahu ... atau"
    if lead.meaning == MAYBE and lead.start == first_content(ws.tokens) and unknowing:
        return MAYBE, False, max(f.end for f in found)
    kinds = {f.meaning for f in found}
    end = max(f.end for f in found)
    if len(kinds) > 1 and _alternatives_between(ws.tokens, found):
        return None, True, end
    if {YES, NO} <= kinds and _each_hedged(found):
        return MAYBE, False, end  # "mungkin bisa, mungkin tidak": neither is promised
    if NO in kinds:
        return NO, False, end
    if MAYBE in kinds and not _maybe_qualifies_later(ws, found):
        return MAYBE, False, end
    return (YES if YES in kinds else MAYBE), False, end


def _sentence_ends_between(ws: Words, after: int, at: int) -> bool:
    """Whether a sentence ends after token `after - 1` and before token `at`."""
    if not 0 < after <= at < len(ws.spans):
        return False
    return bool(re.search(r"[.!?](\s|$)|\n", ws.raw[ws.spans[after - 1][1] : ws.spans[at][0]]))


def _each_hedged(found: list[Found]) -> bool:
    """Every yes and no right after a "mungkin" of its own."""
    answers = [k for k, f in enumerate(found) if f.meaning != MAYBE]
    return all(k > 0 and found[k - 1].meaning == MAYBE and found[k - 1].end == found[k].start
               for k in answers)  # fmt: skip


def meanings_in(tokens: tuple[str, ...]) -> list[Found]:
    """Every yes/no/maybe phrase, longest first at each place; `tidak masalah` says nothing,
    and `ya` counts only as the first word (elsewhere it is a filler: `bisa ya bu`)."""
    w = words()
    found: list[Found] = []
    first = first_content(tokens)
    i = 0
    while i < len(tokens):
        step = phrase_at(tokens, i, w.not_negations)
        if step:
            i += step
            continue
        best: tuple[int, str] | None = None
        for meaning in (MAYBE, NO, YES):
            step = phrase_at(tokens, i, w.meanings[meaning])
            if step and (best is None or step > best[0]):
                best = (step, meaning)
        if best is None:
            best = _fuzzy_meaning(tokens[i])
        if best is not None:
            step, meaning = best
            denied = _denied_trouble(tokens, i + step) if meaning == NO else None
            if denied is not None:
                i = denied  # "tdk ada halangan": no answer here (the yes, if any, is elsewhere)
                continue
            if not (tokens[i] in ("ya", "y") and i != first):
                found.append(Found(meaning, i, i + step))
            i += step
            continue
        i += 1
    return found


def _denied_trouble(tokens: tuple[str, ...], i: int) -> int | None:
    """After a "no" word: where a trouble it denies ends ("ada halangan", "akan sy
    lewatkan"), or None when the "no" is a no."""
    w = words()
    for _ in range(3):
        step = phrase_at(tokens, i, w.troubles)
        if step:
            return i + step
        step = phrase_at(tokens, i, w.bridges)
        if not step:
            return None
        i += step
    return None


def _fuzzy_meaning(token: str) -> tuple[int, str] | None:
    """`hadr`, `tidk`, `iyaa`: one letter off a known word of four letters or more."""
    if len(token) < 4 or not token.isalpha() or _is_known(token):
        return None
    squeezed = "".join(ch for i, ch in enumerate(token) if i == 0 or ch != token[i - 1])
    for meaning in (NO, MAYBE, YES):
        for phrase in words().meanings[meaning]:
            if len(phrase) != 1:
                continue
            word = phrase[0]
            close = token[0] == word[0] and fuzz.ratio(token, word) >= FUZZY  # "rada" ≠ "trada"
            if squeezed == word or (len(word) >= 4 and close):
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
    contrast = {"tapi", "tetapi", "namun", "but"}
    for a, b in zip(found, found[1:], strict=False):
        if a.meaning == b.meaning:
            continue
        between = tokens[a.end : b.start]
        if any(phrase_at(between, k, w.alternatives) for k in range(len(between))):
            return True
        if contrast & set(between):
            return MAYBE in (a.meaning, b.meaning) and NO in {f.meaning for f in found}
    return False


def _maybe_qualifies_later(ws: Words, found: list[Found]) -> bool:
    """`hadir bu, tapi mungkin agak telat`, `bisa bu, sy usahakan datang lebih awal`: the
    answer is yes; a "mungkin" in a later part is about something else (being late)."""
    first = found[0]
    if first.meaning != YES or first.end > len(ws.spans):
        return False
    later = [f for f in found[1:] if f.meaning == MAYBE]

    def broken(f: Found) -> bool:
        between = ws.raw[ws.spans[first.end - 1][1] : ws.spans[f.start][0]]
        return bool(re.search(r"[,.;]|\b(tapi|tetapi|but)\b", between, re.I))

    return bool(later) and all(broken(f) for f in later)


def answers_first(ws: Words, found: list[Found]) -> bool:
    """`InsyaAllah, tapi sy bawa anak kecil boleh bu?`: an answer, then a question of its own
    after a comma: the answer counts (the question is the rest)."""
    first = found[0]
    if first.start != first_content(ws.tokens) or first.end >= len(ws.spans):
        return False
    between = ws.raw[ws.spans[first.end - 1][1] : ws.spans[first.end][0]]
    return "," in between or "." in between


def outside(tokens: tuple[str, ...], found: list[Found]) -> tuple[str, ...]:
    covered = {i for f in found for i in range(f.start, f.end)}
    return tuple(t for i, t in enumerate(tokens) if i not in covered)
