"""Codes people copy from a screen or a board: a check-in code, an invite code.

New codes leave out the characters people confuse (0/O, 1/I/L, 8/B, 5/S, 2/Z), and a typed
code is compared through them, so `376D8N`, `376-dbn` and `376 DBN` all find `376DBN`.
"""

from __future__ import annotations

import re

from kkgbot.understanding.words import words as words_of

CLEAR_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"  # no look-alikes left
LOOK_ALIKES = str.maketrans({"0": "O", "1": "I", "L": "I", "8": "B", "5": "S", "2": "Z"})


def plain(code: str) -> str:
    """Capitals and digits only: spaces, dashes and dots people add are dropped."""
    return "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())[:16]


def canonical(code: str) -> str:
    """The code with each look-alike replaced by one representative."""
    return plain(code).translate(LOOK_ALIKES)


def looks_like_code(text: str, length: int = 6) -> bool:
    """`376DBN`, `376-dbn`, `376 DBN`: that many letters and digits, with at least one digit
    and one letter (so a word such as "sudahh" is not taken for a code)."""
    if any(not (ch.isascii() and (ch.isalnum() or ch in " -.")) for ch in text.strip()):
        return False
    code = plain(text)
    return (
        len(code) == length
        and any(ch.isdigit() for ch in code)
        and any(ch.isalpha() for ch in code)
    )


def code_in(text: str, length: int = 6) -> str | None:
    """A code written somewhere in a message (`Hadir bu, kodenya 376dbn`, `hadir 376 d8n`,
    `376-DBN`): a word, or two or three short words side by side, of that many letters and
    digits with at least one of each; or a word of one letter less or more with both (a
    mistyped code, which /hadir then explains). None when there is none."""
    w = words_of()
    fillers = {p[0] for p in w.fillers if len(p) == 1}
    known = fillers | {p[0] for g in w.meanings.values() for p in g if len(p) == 1}
    words = ["".join(ch for ch in word if ch.isalnum()) for word in text.replace("-", " ").split()]
    words = [
        _unglued(word)
        for word in words
        if word and word.casefold() not in fillers and not REDUPLICATED.fullmatch(word)
    ]
    if "?" in text:  # a question about the code: only a whole code counts
        whole = [word for word in words if looks_like_code(word, length)]
        return plain(whole[0]) if whole else None
    if len(words) >= length and all(len(word) == 1 for word in words[-length:]):
        spelled = "".join(words[-length:])  # "3 7 6 D B N"
        if looks_like_code(spelled, length):
            return plain(spelled)
    for size in range(1, length + 1):
        for i in range(len(words) - size + 1):
            part = words[i : i + size]
            joined = "".join(part)
            longest = 4 if size <= 3 else 3  # "376 D B N": more pieces, each shorter
            parts_short = size == 1 or all(
                (len(x) <= longest or any(ch.isdigit() for ch in x)) and x.casefold() not in known
                for x in part
            )
            if parts_short and looks_like_code(joined, length):
                return plain(joined)
    for word in words:
        if len(word) in (length - 1, length + 1) and looks_like_code(word, len(word)):
            return plain(word)
    return None


GLUED_WORDS = ("hadir", "absen", "kode", "code", "checkin")
# "teman2", "anak2nya": a word written twice with a 2, not a code
REDUPLICATED = re.compile(r"[A-Za-z]{2,}2[a-z]{0,4}")


def _unglued(word: str) -> str:
    """`hadir376d8n`: the code stuck to the word before it."""
    low = word.casefold()
    for head in GLUED_WORDS:
        if low.startswith(head) and len(word) > len(head):
            return word[len(head) :]
    return word
