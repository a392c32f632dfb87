"""A typed message as words: case, punctuation, stretched letters and emoji set aside.

Teachers write on small phones: `IYAAA BU 🙏`, `tdk bs,anak sakit`, `no.3`. Reading starts
by turning that into a list of plain words (`["iya", "bu"]`, `["tdk", "bs", "anak",
"sakit"]`, `["no", "3"]`), keeping the emoji that answer (👍 ✅ ❌) as words of their own and
noting whether the message asks something.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from kkgbot.understanding.words import Phrase, words

# Skin tones, the emoji presentation selector and the joiner change nothing of the meaning.
_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f\u200d]")
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_VOWELS = set("aeiou")
_MAX_DIGITS = 9


@dataclass(frozen=True)
class Words:
    tokens: tuple[str, ...]
    asks: bool  # a question mark, or a question word such as "kapan", "jam berapa"
    raw: str  # the text as typed, without emoji modifiers
    spans: tuple[tuple[int, int], ...] = ()  # where each token stands in `raw`

    def after(self, index: int) -> str:
        """The typed text from token `index` on, as the person wrote it (a reason)."""
        if index >= len(self.spans):
            return ""
        return self.raw[self.spans[index][0] :].strip(" ,.;:-!")


@lru_cache
def _emoji_words() -> frozenset[str]:
    """The emoji that mean something to the reader (👍 ❌ 🤒 ...), kept as words."""
    from kkgbot import i18n

    found = set()
    for phrases in words().meanings.values():
        found |= {p[0] for p in phrases if len(p) == 1 and not p[0].isascii()}
    for lang in i18n.LANGUAGES:
        for key, value in i18n.catalogue(lang).items():
            if key.startswith("answers.reasons.") and isinstance(value, list):
                found |= {str(v) for v in value if len(str(v)) == 1 and not str(v).isascii()}
    return frozenset(found)


def tokens_of(text: str) -> Words:
    emoji = _emoji_words()
    raw = unicodedata.normalize("NFC", _MODIFIERS.sub("", text or ""))
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    current: list[str] = []
    begin = 0

    def flush(end: int) -> None:
        if current:
            out.append(_STRETCHED.sub(r"\1", "".join(current)))
            spans.append((begin, end))
            current.clear()

    for i, original in enumerate(raw):
        if original in "'’`":
            continue  # "can't" -> "cant", "jum'at" -> "jumat"
        ch = original.casefold()
        if (ch.isascii() and ch.isalnum()) or (ch.isalpha() and not ch.isascii()):
            if current and current[-1].isdigit() != ch.isdigit():
                flush(i)  # "3dan4", "no3": digits and letters are separate words
            if not current:
                begin = i
            current.append(ch)
            continue
        flush(i)
        if original in emoji or ch in ("&", "⭐", "★"):
            out.append("⭐" if original == "★" else original)  # ★★★★☆ counts as ⭐⭐⭐⭐
            spans.append((i, i + 1))
    flush(len(raw))
    out, spans = _reduplicated(out, spans)
    asks = "?" in raw or starts_with_any(out, words().question_words, anywhere=True)
    return Words(tuple(out), asks, raw, tuple(spans))


def _reduplicated(out: list[str], spans: list[tuple[int, int]]):
    """`teman2` is "teman teman", `mudah2an` is "mudah mudahan", `anak2nya` is "anak
    anaknya": the 2 written for a repeated word, as everyone does in chat."""
    if "2" not in out:
        return out, spans
    words_out: list[str] = []
    spans_out: list[tuple[int, int]] = []
    i = 0
    while i < len(out):
        token = out[i]
        glued = i > 0 and spans[i][0] == spans[i - 1][1] and words_out
        if token == "2" and glued and words_out[-1].isalpha() and len(words_out[-1]) >= 2:
            again, (start, end) = words_out[-1], spans[i]
            if i + 1 < len(out) and out[i + 1].isalpha() and spans[i + 1][0] == end:
                again += out[i + 1]  # "mudah2an": the ending goes on the repeated word
                end = spans[i + 1][1]
                i += 1
            words_out.append(again)
            spans_out.append((start, end))
            i += 1
            continue
        words_out.append(token)
        spans_out.append(spans[i])
        i += 1
    return words_out, spans_out


def starts_with_any(tokens: list[str] | tuple[str, ...], phrases: set[Phrase], *, anywhere=False):
    """Whether a phrase stands at the start (or anywhere) of the tokens."""
    positions = range(len(tokens)) if anywhere else range(min(1, len(tokens)))
    for i in positions:
        for phrase in phrases:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                return True
    return False


def is_number(token: str) -> bool:
    return token.isascii() and token.isdigit() and len(token) <= _MAX_DIGITS


def looks_like_words(tokens: tuple[str, ...]) -> bool:
    """False for keyboard mashing and laughter (`asdfgh`, `wkwkwk`, `jkl`): the letters of
    Indonesian and its neighbours come in syllables, so long runs of consonants or a long
    word without a vowel are not a message. Known words always count."""
    known = {p[0] for group in words().meanings.values() for p in group}
    known |= {p[0] for p in words().fillers} | {p[0] for p in words().numbers}
    real = 0
    for token in tokens:
        if not token.isalpha():
            continue
        if token in known:
            real += 1
            continue
        if len(token) <= 2:
            continue
        vowels = sum(ch in _VOWELS for ch in token)
        run = longest_consonant_run(token)
        if vowels == 0 or run >= 4 or _repeats_a_pair(token) or _keyboard_row(token):
            continue
        real += 1
    return real > 0


def longest_consonant_run(token: str) -> int:
    best = run = 0
    for ch in token:
        run = 0 if ch in _VOWELS or not ch.isalpha() else run + 1
        best = max(best, run)
    return best


KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard_row(token: str) -> bool:
    """`qwerty`, `asdf`, `jkl`: a run along one row of the keyboard."""
    return len(token) >= 4 and any(token in row or token in row[::-1] for row in KEYBOARD_ROWS)


def _repeats_a_pair(token: str) -> bool:
    """`wkwkwk`, `hahaha`, `hehehe`: laughter, not words."""
    return len(token) >= 4 and len(set(token[i : i + 2] for i in range(0, len(token) - 1, 2))) == 1
