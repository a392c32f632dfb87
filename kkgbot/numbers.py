"""Numbers as people type them: ASCII digits, and no more of them than a database id holds.

`str.isdigit()` says yes to "²" and "①", which `int()` refuses; `int()` refuses more than
4,300 digits; and a PostgreSQL integer overflows past 2**31. Reading every typed number here
keeps a hostile message from turning into a crash or a database error.
"""

DIGITS = 9  # 999,999,999 fits a 32-bit integer column


def small_number(text: str, digits: int = DIGITS) -> int | None:
    """The number written, or None when the text is not a short run of 0-9."""
    text = text.strip()
    if 0 < len(text) <= digits and text.isascii() and text.isdigit():
        return int(text)
    return None


def small_numbers(args: list[str], count: int) -> list[int] | None:
    """Exactly `count` small numbers (a button's arguments), or None."""
    numbers = [small_number(a) for a in args]
    if len(numbers) != count or None in numbers:
        return None
    return numbers  # type: ignore[return-value]
