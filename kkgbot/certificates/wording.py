"""How a certificate's facts are said, the same in the PDF, in chat and on the web page."""

from __future__ import annotations

from datetime import date

from kkgbot import i18n
from kkgbot.certificates.service import GENUINE, REVOKED, Verification
from kkgbot.dateparse_words import MONTH_NAMES_EN, MONTH_NAMES_ID


def day_text(day: date, lang: str) -> str:
    months = MONTH_NAMES_ID if lang == "id" else MONTH_NAMES_EN
    return f"{day.day} {months[day.month - 1]} {day.year}"


def semester_text(key: str, lang: str) -> str:
    """ "2026/2027-1" -> "Semester 1 (ganjil) 2026/2027"."""
    years, _, number = key.partition("-")
    return i18n.t(lang, f"certificates.semester_{number}", years=years)


def verification_text(found: Verification, typed: str, lang: str) -> str:
    """Genuine (and what it certifies), no longer valid (no name), or unknown."""
    if found.status == REVOKED:
        return i18n.t(lang, "certificates.verify_revoked")
    if found.status != GENUINE:
        shown = "".join(ch for ch in typed if ch.isalnum() or ch == "-")[:20]
        return i18n.t(lang, "certificates.verify_unknown", code=shown)
    issued = day_text(found.issued, lang) if found.issued else "—"
    note = i18n.t(lang, "certificates.not_pkb_note")
    if found.semester:
        text = i18n.t(lang, "certificates.verify_semester", name=found.name or "—",
                      kkg=found.kkg or "—", jp=found.jp, meetings=found.meetings,
                      semester=semester_text(found.semester, lang), issued=issued)  # fmt: skip
    else:
        text = i18n.t(lang, "certificates.verify_meeting", name=found.name or "—",
                      title=found.title or "—", kkg=found.kkg or "—",
                      day=day_text(found.day, lang) if found.day else "—", jp=found.jp,
                      issued=issued)  # fmt: skip
    return f"{text}\n{note}"
