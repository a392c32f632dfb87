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
from dataclasses import dataclass

from rapidfuzz import fuzz

from kkgbot.understanding.text import Words, is_number, tokens_of
from kkgbot.understanding.words import Phrase, words

YES, NO, MAYBE = "yes", "no", "maybe"
FUZZY = 85  # rapidfuzz ratio for one mistyped letter in a word of five or more
MAX_PARTIAL = 6  # words a reply may have and still name a choice by a part of its label
STRONG, WEAK = 2, 1
STOPWORDS = {
    "dan", "yang", "di", "ke", "dari", "untuk", "dengan", "kelas", "the", "of", "and", "a", "in",
    "secara", "pada", "atau", "dalam", "buku", "anak",
}  # fmt: skip
# where a reply's first part ends: a comma or full stop not followed by a number ("1,6" is
# one list), other punctuation, or "tapi"/"karena"
CLAUSE = re.compile(
    r"[,.](?!\s*\d)|[;:!?\n]|\s(?:tapi|tetapi|karena|krn|soalnya|but|because)\s", re.I
)
# "3/5", "4 out of 5", "4 dari 5": a rating of 3 or 4
OUT_OF = re.compile(r"(?<!\d)(\d)\s*(?:/|out of|dari)\s*(\d{1,2})(?!\d)", re.I)


@dataclass(frozen=True)
class Offered:
    """What the reader needs of a choice: its label, its meaning, and words of its own."""

    label: str
    meaning: str | None = None
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reading:
    picks: tuple[int, ...]  # positions (0-based) of the choices the reply names
    how: str  # "exact" (the whole label), "number", "words", "meaning", "label" (a part of it)
    rest: str = ""  # what the person wrote beyond the answer (a reason, a comment)
    ambiguous: bool = False  # it fits several choices of this question: ask which
    bare_number: bool = False  # nothing but a number: never enough to change a setting
    numbers_typed: int = 0  # how many numbers the reply gave ("1,1" gave two)
    before: str = ""  # what the person wrote before the answer ("ada diklat, tidak bisa")
    weak: bool = False  # only a word of a label named it, inside a longer reply
    alternatives: bool = False  # the person offered two ("1 atau 3"): always ask

    @property
    def strength(self) -> int:
        return WEAK if self.weak else STRONG


@dataclass(frozen=True)
class Found:
    meaning: str
    start: int
    end: int  # token positions [start, end)


def read(text: str | Words, offered: list[Offered], *, many: bool = False) -> Reading | None:
    """The choices `text` names among `offered`, or None when it answers none of them."""
    typed = text if isinstance(text, Words) else tokens_of(text)
    ws = _expanded(typed)  # for labels, words and numbers; meanings read what was typed
    content = _without_fillers(ws.tokens)
    if not content or not offered:
        return None
    if all(t == "⭐" for t in content) and len(content) <= len(offered):
        return Reading((len(content) - 1,), "number", numbers_typed=1)
    whole = _whole_label(content, offered)
    if whole is not None:
        return Reading((whole,), "exact")
    found = _numbers_reading(ws.raw, content, offered, many)
    if found is not None:
        return found
    by_words = _by_words(content, offered) if len(content) <= MAX_PARTIAL else None
    if by_words is not None:
        return by_words
    if many and phrase_in(content, words().all_words):
        return Reading(tuple(range(len(offered))), "words", numbers_typed=len(offered))
    if any(o.meaning for o in offered):
        found = _by_meaning(typed, content, offered)
        if found is not None:
            return found
    found = _by_label(ws, content, offered, many)
    if found is not None:
        return found
    lenient = _one_number(ws, content, offered)
    if lenient is not None:
        return lenient
    clause = _first_clause(ws)
    if clause is not None:
        first = _without_fillers(clause.tokens)
        found = _numbers_reading(clause.raw, first, offered, many) or _by_label(
            clause, first, offered, many
        )
        if found is not None:
            return Reading(found.picks, found.how, rest=ws.raw[len(clause.raw) :].strip(" ,.;:"),
                           ambiguous=found.ambiguous, numbers_typed=found.numbers_typed,
                           alternatives=found.alternatives, weak=found.weak)  # fmt: skip
    return None


def meaning_of(ws: Words) -> tuple[str | None, bool, int]:
    """(yes/no/maybe or None, whether it says two things, the token after the answer).

    What a person takes back counts no more ("tidak, eh maksudnya bisa" is yes); a condition
    makes a yes a maybe ("bisa, asal tidak hujan"); "belum tahu ... atau ..." is a maybe."""
    found = _meanings(ws.tokens)
    if not found:
        return None, False, 0
    w = words()
    fix = _last_phrase(ws.tokens, w.corrections)
    if fix is not None:
        found = [f for f in found if f.start >= fix] or found
    condition = _last_phrase(ws.tokens, w.conditions, first=True)
    if condition is not None and any(f.start < condition for f in found):
        before = [f for f in found if f.start < condition]
        if before[0].meaning == YES:
            return MAYBE, False, max(f.end for f in found)
        found = before
    lead = found[0]
    unknowing = set(ws.tokens[lead.start : lead.end]) & UNKNOWING  # "belum tahu ... atau"
    if lead.meaning == MAYBE and lead.start == _first_content(ws.tokens) and unknowing:
        return MAYBE, False, max(f.end for f in found)
    kinds = {f.meaning for f in found}
    end = max(f.end for f in found)
    if len(kinds) > 1 and _alternatives_between(ws.tokens, found):
        return None, True, end
    if NO in kinds:
        return NO, False, end
    if MAYBE in kinds and not _maybe_qualifies_later(ws, found):
        return MAYBE, False, end
    return (YES if YES in kinds else MAYBE), False, end


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


def _one_number(ws: Words, content: tuple[str, ...], offered: list[Offered]) -> Reading | None:
    """One number in a short reply with other words around it ("nilainya tiga", "Beta kasi
    lima", "4 bintang", "5 👍"): that number, as a weak reading (a clearer one elsewhere wins)."""
    if ws.asks or len(content) > MAX_PARTIAL:
        return None
    w = words()
    found = [int(t) for t in content if is_number(t)]
    found += [w.numbers[(t,)] for t in content if (t,) in w.numbers]
    if len(found) != 1 or not 1 <= found[0] <= len(offered):
        return None
    if any(f.meaning == NO for f in _meanings(content)):
        return None  # "tidak 3": not a plain pick
    return Reading((found[0] - 1,), "number", numbers_typed=1, weak=True)


def _leading_number(content: tuple[str, ...], offered: list[Offered]) -> Reading | None:
    """`2. Numerasi kelas awal`: a number followed by its own option's words."""
    if len(content) < 2 or not is_number(content[0]):
        return None
    n = int(content[0])
    if not 1 <= n <= len(offered):
        return None
    label = _label_tokens(offered[n - 1].label)
    if label and _contains(content[1:], label):
        return Reading((n - 1,), "number", numbers_typed=1)
    return None


def _by_words(content: tuple[str, ...], offered: list[Offered]) -> Reading | None:
    """The words a choice carries of its own; the longest phrase found decides."""
    best: dict[int, int] = {}
    for i, option in enumerate(offered):
        for phrase in (tuple(_expand(tokens_of(w).tokens)) for w in option.words):
            if phrase and _phrase_in_fuzzy(content, phrase):
                best[i] = max(best.get(i, 0), len(phrase))
    if not best:
        return None
    top = max(best.values())
    winners = [i for i, n in best.items() if n == top]
    if len(winners) > 1:
        return None
    return Reading((winners[0],), "words")


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
    found = _meanings(ws.tokens)
    start = next((f.start for f in found if f.meaning == meaning), found[0].start)
    extra = _has_content(_without_fillers(_outside(ws.tokens, found)))
    if ws.asks and extra and not _answers_first(ws, found):
        return None  # "bisa online tidak bu?": a question for a person, not an answer
    rest = ws.after(end) if _has_content(_without_fillers(ws.tokens[end:])) else ""
    before = ws.raw[: ws.spans[start][0]].strip(" ,.;:-!") if start < len(ws.spans) else ""
    return Reading(picks[:1], "meaning", rest=rest, before=before)


def _reason_says_no(ws: Words, content: tuple[str, ...], offered: list[Offered]):
    """`bsk sy izin y bu`, `I have a training from the dinas that day`: a reason for not
    coming, with no yes in it, answers "can you come?" with no (the reason is the rest)."""
    from kkgbot.understanding.reasons import has_reason, reason_kind

    no = [i for i, o in enumerate(offered) if o.meaning == NO]
    if not no or ws.asks:
        return None
    sorry = _phrase_at(ws.tokens, 0, words().apologies) and has_reason(ws.raw)
    if reason_kind(ws.raw) == "lain" and not sorry:
        return None
    return Reading((no[0],), "meaning", rest=ws.raw.strip())


def _by_label(
    ws: Words, content: tuple[str, ...], offered: list[Offered], many: bool, partial: bool = True
):
    labels = [_label_tokens(o.label) for o in offered]
    named_by = [
        label + tuple(t for w in o.words for t in _label_tokens(w))
        for label, o in zip(labels, offered, strict=True)
    ]
    if ws.asks:
        return None
    if len(content) > MAX_PARTIAL and partial:
        return None  # a long text that only mentions a label's word
    complete = [i for i, label in enumerate(labels) if label and _contains(content, label)]
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


def _whole_label(content: tuple[str, ...], offered: list[Offered]) -> int | None:
    """A label typed out in full wins over any reading of its words: "Daftar hadir" is the
    roster button, not a yes; "Tidak setuju" is that option, not "Setuju" negated."""
    text = " ".join(content)
    for i, option in enumerate(offered):
        for form in (option.label, *option.words):
            if " ".join(_without_fillers(_expand(tokens_of(form).tokens))) == text:
                return i
    w = words()
    linking = {p[0] for p in w.connectors if len(p) == 1}
    for i, option in enumerate(offered):
        label = _label_tokens(option.label)
        if option.meaning is not None or len(label) < 2 or not _contains(content, label):
            continue
        extra = [t for t in content if not any(_same(t, part) for part in label)]
        if all(t in linking for t in extra):  # "yang asesmen formatif": nothing else said
            return i
    return None


def _label_tokens(label: str) -> tuple[str, ...]:
    tokens = _expand(tokens_of(label.replace("✅", "")).tokens)
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
    return fuzz.ratio(word, key) >= FUZZY


def _phrase_in_fuzzy(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(
        all(_same(tokens[i + k], phrase[k]) for k in range(n)) for i in range(len(tokens) - n + 1)
    )


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
            word = phrase[0]
            if squeezed == word or (len(word) >= 4 and fuzz.ratio(token, word) >= FUZZY):
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
        if any(_phrase_at(between, k, w.alternatives) for k in range(len(between))):
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


def _last_phrase(tokens: tuple[str, ...], phrases: set[Phrase], first: bool = False) -> int | None:
    """Where the last (or the first) of these phrases ends in the tokens, if anywhere."""
    at = [i + n for i in range(len(tokens)) if (n := _phrase_at(tokens, i, phrases))]
    if not at:
        return None
    return at[0] if first else at[-1]


def _answers_first(ws: Words, found: list[Found]) -> bool:
    """`InsyaAllah, tapi sy bawa anak kecil boleh bu?`: an answer, then a question of its own
    after a comma: the answer counts (the question is the rest)."""
    first = found[0]
    if first.start != _first_content(ws.tokens) or first.end >= len(ws.spans):
        return False
    between = ws.raw[ws.spans[first.end - 1][1] : ws.spans[first.end][0]]
    return "," in between or "." in between


def _outside(tokens: tuple[str, ...], found: list[Found]) -> tuple[str, ...]:
    covered = {i for f in found for i in range(f.start, f.end)}
    return tuple(t for i, t in enumerate(tokens) if i not in covered)


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


# negation words not read as "tidak": "belum" keeps its "not yet", "no" may be "nomor",
# and Javanese "tak" is "I (will)" as often as it is "not"
KEEP_AS_TYPED = {"belum", "blm", "dereng", "durung", "no", "tak"}
UNKNOWING = {"tahu", "tau", "tentu", "pasti", "sure", "know", "ngerti", "weruh", "uning", "terang"}
INTENSIFIERS = {"sangat", "sekali", "banget", "bgt", "pisan", "sanget", "sajan", "banar", "amat"}


def _expand(tokens) -> tuple[str, ...]:
    """Short forms spelled out ("sgt" -> "sangat"), every word for "not" read as "tidak"
    and every "very" as "sangat", so "kada setuju" and "setuju pisan" meet the labels
    "Tidak setuju" and "Sangat setuju"."""
    w = words()
    negators = {p[0] for p in w.meanings[NO] if len(p) == 1 and p[0].isalpha()}
    out = []
    for token in tokens:
        token = w.short_forms.get(token, token)
        if token in negators and token not in KEEP_AS_TYPED:
            token = "tidak"
        elif token in INTENSIFIERS:
            token = "sangat"
        out.append(token)
    return tuple(out)


def expanded(tokens) -> tuple[str, ...]:
    return _expand(tokens)


def _expanded(ws: Words) -> Words:
    return Words(_expand(ws.tokens), ws.asks, ws.raw, ws.spans)


def _first_clause(ws: Words) -> Words | None:
    """The part before the first comma, full stop or "tapi", when there is more after it."""
    match = CLAUSE.search(ws.raw)
    if match is None or match.start() == 0 or not ws.raw[match.end() :].strip():
        return None
    clause = _expanded(tokens_of(ws.raw[: match.start()]))
    return clause if clause.tokens else None


def content_words(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The words that say something: no greetings, honorifics, thanks or fillers."""
    return _without_fillers(tokens)


def _has_content(tokens: tuple[str, ...]) -> bool:
    return any(t.isalpha() and len(t) > 2 for t in tokens)


def phrase_in(tokens: tuple[str, ...], phrases: set[Phrase]) -> bool:
    return any(_phrase_at(tokens, i, phrases) for i in range(len(tokens)))
