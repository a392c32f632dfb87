"""The Keterangan column of a daftar hadir, as bendahara and dinas read it.

H hadir, T terlambat (a check-in later than config/jp.yaml allows), I izin (Izin, Tugas
lain, or a reason written in the member's own words), S sakit, A absent with no answer.
A decline without a reason is I: the member let the KKG know. Before the meeting is held
nobody is absent yet, so the column stays empty but for the reasons already given.
"""

from __future__ import annotations

from kkgbot.meetings.models import RSVP_NO
from kkgbot.meetings.rsvp import RosterRow

HADIR, TERLAMBAT, IZIN, SAKIT, ALPA = "H", "T", "I", "S", "A"
CODES = (HADIR, TERLAMBAT, IZIN, SAKIT, ALPA)


def remark(row: RosterRow, held: bool) -> str:
    if row.checked_in_at is not None:
        return TERLAMBAT if row.late_minutes else HADIR
    if row.answer == RSVP_NO:
        return SAKIT if row.reason == "sakit" else IZIN
    return ALPA if held else ""


def counts(rows: list[RosterRow], held: bool) -> dict[str, int]:
    found = dict.fromkeys(CODES, 0)
    for row in rows:
        code = remark(row, held)
        if code:
            found[code] += 1
    return found
