"""Reading a typed answer against the choices on offer, as a person means it.

A choice is answered by its number in any form (`3`, `no 3`, `tiga`, `1 dan 4`, ⭐⭐⭐), by
words that belong to it (each choice may carry its own: `sudah` for "Ya, sudah mencoba",
`strongly agree` for "Sangat setuju"), by the meaning it carries (yes, no, maybe: `iya bu`,
`gak bisa`, `mboten`, 👍), or by its label or a distinctive word of it, with small typos
(`numerasi`, `asesmen formatif`, `numersi`). Negation wins (`tidak bisa hadir` is no). When a
reply fits two choices of one question (`1 atau 2`, `bisa atau tidak`), the reading says so
and the bot asks; it never guesses. A reply whose first part answers and the rest comments
(`4, materinya bagus`) is read by its first part.
"""

from __future__ import annotations

import re

from kkgbot.understanding.labels import (
    MAX_PARTIAL,
    by_label,
    by_words,
    contains,
    label_tokens,
    whole_label,
)
from kkgbot.understanding.meanings import (
    MAYBE,
    NO,
    YES,
    answers_first,
    meaning_of,
    meanings_in,
    outside,
)
from kkgbot.understanding.offered import STRONG, WEAK, Offered, Reading
from kkgbot.understanding.phrases import (
    content_words,
    expanded,
    expanded_words,
    has_content,
    phrase_at,
    phrase_in,
    without_fillers,
)
from kkgbot.understanding.text import Words, is_number, tokens_of
from kkgbot.understanding.words import words

__all__ = [
    "MAYBE",
    "NO",
    "STRONG",
    "WEAK",
    "YES",
    "Offered",
    "Reading",
    "content_words",
    "expanded",
    "meaning_of",
    "numbers_of",
    "phrase_in",
    "read",
]


# where a reply's first part ends: a comma or full stop not followed by a number ("1,6" is
# one list), other punctuation, or "tapi"/"karena"
CLAUSE = re.compile(
    r"[,.](?!\s*\d)|[;:!?\n]|\s(?:tapi|tetapi|karena|krn|soalnya|but|because)\s", re.I
)


# the end of a first sentence: a full stop or "!" before a space, or a line break
SENTENCE_END = re.compile(r"[.!](?=\s)|\n")


RANGE = {"sampai", "sampe", "smp", "hingga", "to", "until"}  # "1 sampai 4"
# "3/5", "4 out of 5", "4 dari 5": a rating of 3 or 4
OUT_OF = re.compile(r"(?<!\d)(\d)\s*(?:/|out of|dari)\s*(\d{1,2})(?!\d)", re.I)


def read(text: str | Words, offered: list[Offered], *, many: bool = False) -> Reading | None:
    """The choices `text` names among `offered`, or None when it answers none of them."""
    typed = text if isinstance(text, Words) else tokens_of(text)
    ws = expanded_words(typed)  # for labels, words and numbers; meanings read what was typed
    content = without_fillers(ws.tokens)
    if not content or not offered:
        return None
    if all(t == "⭐" for t in content) and len(content) <= len(offered):
        return Reading((len(content) - 1,), "number", numbers_typed=1)
    whole = whole_label(content, offered)
    if whole is not None:
        return Reading((whole,), "exact")
    found = _numbers_reading(ws.raw, content, offered, many)
    if found is not None:
        return found
    short = len(content) <= MAX_PARTIAL and not (typed.asks and len(content) > 3)
    named = by_words(content, offered) if short else None  # not a word inside a question
    if named is not None:
        return named
    if many and phrase_in(content, words().all_words):
        return Reading(tuple(range(len(offered))), "words", numbers_typed=len(offered))
    if any(o.meaning for o in offered):
        found = _answer_before_question(typed, offered) or _by_meaning(typed, content, offered)
        if found is not None:
            return found
    found = by_label(ws, content, offered, many)
    if found is not None:
        return found
    lenient = _one_number(ws, typed, content, offered)
    if lenient is not None:
        return lenient
    two = _two_numbers_named(ws, content, offered)
    if two is not None:
        return two
    clause = _first_clause(ws)
    if clause is not None:
        first = without_fillers(clause.tokens)
        found = _numbers_reading(clause.raw, first, offered, many) or by_label(
            clause, first, offered, many
        )
        whole = whole_label(first, offered) if found is None else None
        if whole is not None:  # "Strongly disagree, the meetings are mostly admin"
            found = Reading((whole,), "exact")
        if found is None and any(o.meaning for o in offered) and len(first) <= MAX_PARTIAL:
            found = by_words(first, offered)  # "Beta su coba di kelas, ana-ana dong suka"
        if found is not None:
            rest = ws.raw[len(clause.raw) :].strip(" ,.;:")
            other = _another_number(rest, found, offered)
            return Reading(other or found.picks, found.how, rest=rest,
                           ambiguous=found.ambiguous or bool(other),
                           numbers_typed=found.numbers_typed,
                           alternatives=found.alternatives or bool(other),
                           weak=found.weak)  # fmt: skip
    return _number_at_the_end(ws, offered, many)


def _number_at_the_end(ws: Words, offered: list[Offered], many: bool) -> Reading | None:
    """`Materinya sangat membantu, ... panas sekali. Sy kasih 4`: a comment, then a last
    sentence that is only the answer's number."""
    ends = list(SENTENCE_END.finditer(ws.raw))
    if ws.asks or not ends or not ws.raw[ends[-1].end() :].strip():
        return None
    earlier = expanded_words(tokens_of(ws.raw[: ends[-1].start()]))
    last = expanded_words(tokens_of(ws.raw[ends[-1].end() :]))
    found = _numbers_reading(last.raw, without_fillers(last.tokens), offered, many)
    if found is None or found.ambiguous or _choice_numbers(earlier.tokens, offered):
        return None
    return Reading(found.picks, "number", rest=ws.raw[: ends[-1].start()].strip(), weak=True,
                   numbers_typed=found.numbers_typed)  # fmt: skip


# words before a number that make it a choice's number ("nomor 3"), not content ("kelas 3")
POINTERS = {"no", "nomor", "nomer", "nmr", "number", "option", "opsi", "pilihan", "yang", "yg",
            "tapi", "tetapi", "namun", "but", "juga", "eh", "pilih", "bisa", "mungkin",
            "maybe"}  # fmt: skip
LINKS = {"dan", "and", "sama", "atau", "or", "&"}  # "kelas 1 dan 2": a number like the one before
CONTRAST = {"tapi", "tetapi", "namun", "but", "eh", "juga", "atau", "or"}


def _choice_numbers(tokens: tuple[str, ...], offered: list[Offered]) -> list[int]:
    """The numbers in a text that point at a choice: at its start or after a pointer word."""
    w = words()
    out: list[int] = []
    counted: set[int] = set()
    for i, token in enumerate(tokens):
        value = int(token) if is_number(token) else w.numbers.get((token,))
        if value is None:
            continue
        before = tokens[i - 1] if i else ""
        pointed = i == 0 or before in POINTERS or (before in LINKS and i - 2 in counted)
        if pointed and 1 <= value <= len(offered):
            counted.add(i)
            if value not in out:
                out.append(value)
    return out


def _another_number(rest: str, found: Reading, offered: list[Offered]) -> tuple[int, ...]:
    """`Sy pilih 4 aja, eh tapi 2 juga perlu`: a second choice named after the first one;
    the person has not decided, so the bot asks (the picks: both)."""
    more = tokens_of(rest)
    if more.asks:
        return ()
    named = {n - 1 for n in _choice_numbers(without_fillers(expanded(more.tokens)), offered)}
    if not named - set(found.picks):
        return ()
    return tuple(sorted(named | set(found.picks)))


def _two_numbers_named(ws: Words, content: tuple[str, ...], offered: list[Offered]):
    """`Kalau menurut sy nomor 1, tapi nomor 3 juga penting`: two choices named in one
    reply that is more than a list: the bot asks which is meant, it does not guess."""
    if ws.asks or numbers_of(content) is not None:
        return None
    named = _choice_numbers(content, offered)
    said_twice = [t for t in ("bisa", "mungkin", "maybe") if content.count(t) >= 2]
    if len(named) < 2 or not (CONTRAST & set(content) or said_twice):  # "bisa 1 bisa 3"
        return None
    picks = tuple(sorted(n - 1 for n in named))
    return Reading(picks, "number", ambiguous=True, alternatives=True, numbers_typed=len(named))


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
        step = phrase_at(content, i, w.numbers.keys())
        if step:
            picked.append(w.numbers[tuple(content[i : i + step])])
            i += step
            continue
        if token in RANGE and picked and i + 1 < len(content) and is_number(content[i + 1]):
            last = int(content[i + 1])  # "1 sampai 4": every number from the first to the last
            picked += list(range(picked[-1] + 1, last + 1)) if last > picked[-1] else [last]
            i += 2
            continue
        step = phrase_at(content, i, w.alternatives)
        if step:
            alternatives = True
            i += step
            continue
        step = phrase_at(content, i, w.connectors)
        if step or token == "&":
            i += step or 1
            continue
        return None
    return (picked, alternatives and len(set(picked)) > 1) if picked else None


def _numbers_reading(
    raw: str, content: tuple[str, ...], offered: list[Offered], many: bool
) -> Reading | None:
    out_of = OUT_OF.search(raw)
    if out_of and int(out_of.group(2)) == len(offered) and int(out_of.group(1)) >= 1:
        numbers: tuple[list[int], bool] | None = ([int(out_of.group(1))], False)
    else:
        numbers = numbers_of(content)
    if numbers is None:
        return _leading_number(content, offered)
    picked, alternatives = numbers
    if not all(1 <= n <= len(offered) for n in picked):
        return None
    picks = tuple(sorted({n - 1 for n in picked}))
    ambiguous = alternatives or (len(picks) > 1 and not many)
    bare = len(content) == 1 and is_number(content[0])
    return Reading(picks, "number", ambiguous=ambiguous, bare_number=bare,
                   numbers_typed=len(picked), alternatives=alternatives)  # fmt: skip


def _one_number(
    ws: Words, typed: Words, content: tuple[str, ...], offered: list[Offered]
) -> Reading | None:
    """One number in a short reply with other words around it ("nilainya tiga", "Beta kasi
    lima", "4 bintang", "5 👍"): that number, as a weak reading (a clearer one elsewhere wins).
    A guess asks nothing of a person ("I'm not sure, maybe 1?"): its number is the answer."""
    guess = any(f.meaning == MAYBE for f in meanings_in(typed.tokens))
    asks_someone = phrase_in(typed.tokens, words().question_words)
    if (ws.asks and (not guess or asks_someone)) or len(content) > MAX_PARTIAL:
        return None
    w = words()
    found = [int(t) for t in content if is_number(t)]
    found += [w.numbers[(t,)] for t in content if (t,) in w.numbers]
    if len(found) != 1 or not 1 <= found[0] <= len(offered):
        return None
    t = typed.tokens
    said_no = [f for f in meanings_in(t) if f.meaning == NO]
    if any(t[f.start] != "no" or f.end >= len(t) or not is_number(t[f.end]) for f in said_no):
        return None  # "tidak 3": not a plain pick ("no 3" is "nomor 3")
    return Reading((found[0] - 1,), "number", numbers_typed=1, weak=True)


def _leading_number(content: tuple[str, ...], offered: list[Offered]) -> Reading | None:
    """`2. Numerasi kelas awal`: a number followed by its own option's words."""
    if len(content) < 2 or not is_number(content[0]):
        return None
    n = int(content[0])
    if not 1 <= n <= len(offered):
        return None
    label = label_tokens(offered[n - 1].label)
    if label and contains(content[1:], label):
        return Reading((n - 1,), "number", numbers_typed=1)
    return None


def _by_meaning(ws: Words, content: tuple[str, ...], offered: list[Offered]) -> Reading | None:
    meaning, two, end = meaning_of(ws)
    if two:
        picks = tuple(i for i, o in enumerate(offered) if o.meaning)
        return Reading(picks, "meaning", ambiguous=True, alternatives=True)
    if meaning is None:
        return _reason_says_no(ws, content, offered)
    picks = tuple(i for i, o in enumerate(offered) if o.meaning == meaning)
    if not picks:
        return None
    found = meanings_in(ws.tokens)
    start = next((f.start for f in found if f.meaning == meaning), found[0].start)
    extra = has_content(without_fillers(outside(ws.tokens, found)))
    if ws.asks and extra and not answers_first(ws, found):
        return None  # "bisa online tidak bu?": a question for a person, not an answer
    rest = ws.after(end) if has_content(without_fillers(ws.tokens[end:])) else ""
    before = ws.raw[: ws.spans[start][0]].strip(" ,.;:-!") if start < len(ws.spans) else ""
    return Reading(picks[:1], "meaning", rest=rest, before=before)


def _answer_before_question(ws: Words, offered: list[Offered]) -> Reading | None:
    """`Bisa bu. Perlu bawa laptop atau tidak?`: a sentence that answers, then a sentence
    that asks something else; the answer counts (the question is the rest)."""
    if not ws.asks:
        return None
    match = SENTENCE_END.search(ws.raw)
    if match is None or "?" in ws.raw[: match.start()]:
        match = _after_bare_answer(ws)  # "hadir, tp bsk sy bawa laptop atau tdk ya bu?"
    if match is None:
        return None
    first = tokens_of(ws.raw[: match.start()])
    if first.asks or not without_fillers(first.tokens):
        return None
    found = _by_meaning(first, without_fillers(expanded_words(first).tokens), offered)
    if found is None or found.ambiguous:
        return None
    return Reading(found.picks, found.how, rest=ws.raw[match.end() :].strip(), before=found.before)


def _after_bare_answer(ws: Words) -> re.Match | None:
    """The comma after a first part that is nothing but an answer word ("hadir, ...")."""
    match = re.search(r",", ws.raw)
    if match is None:
        return None
    first = tokens_of(ws.raw[: match.start()])
    content = without_fillers(first.tokens)
    found = meanings_in(content)
    covered = sum(f.end - f.start for f in found)
    return match if content and found and covered == len(content) else None


def _reason_says_no(ws: Words, content: tuple[str, ...], offered: list[Offered]):
    """`bsk sy izin y bu`, `I have a training from the dinas that day`: a reason for not
    coming, with no yes in it, answers "can you come?" with no (the reason is the rest)."""
    from kkgbot.understanding.reasons import has_reason, reason_kind

    no = [i for i, o in enumerate(offered) if o.meaning == NO]
    if not no or ws.asks:
        return None
    sorry = phrase_at(ws.tokens, 0, words().apologies) and has_reason(ws.raw)
    if reason_kind(ws.raw) == "lain" and not sorry:
        return None
    return Reading((no[0],), "meaning", rest=ws.raw.strip())


def _first_clause(ws: Words) -> Words | None:
    """The part before the first comma, full stop or "tapi", when there is more after it."""
    match = CLAUSE.search(ws.raw)
    if match is None or match.start() == 0 or not ws.raw[match.end() :].strip():
        return None
    clause = expanded_words(tokens_of(ws.raw[: match.start()]))
    return clause if clause.tokens else None
