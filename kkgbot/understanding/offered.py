"""What the reader is given (the choices on offer) and what it gives back (a reading)."""

from __future__ import annotations

from dataclasses import dataclass

STRONG, WEAK = 2, 1


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
