"""Codes people copy from a screen or a board: a check-in code, an invite code.

New codes leave out the characters people confuse (0/O, 1/I/L, 8/B, 5/S, 2/Z), and a typed
code is compared through them, so `376D8N`, `376-dbn` and `376 DBN` all find `376DBN`.
"""

from __future__ import annotations

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
