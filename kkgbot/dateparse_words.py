"""Word tables for `kkgbot.dateparse`, written out by hand.

They live here rather than in the system locale because servers rarely have `id_ID`
installed, and because teachers abbreviate months in ways no locale lists (Agt, Nop, Peb).
All keys are lower case ASCII, as `dateparse` normalises input before looking them up.
"""

from __future__ import annotations

DAY_NAMES_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
DAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
MONTH_NAMES_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

#: Weekday number (Monday = 0) for every spelling we accept. "jum'at" arrives as "jumat"
#: because normalisation drops apostrophes.
WEEKDAYS: dict[str, int] = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jumaat": 4,
    "sabtu": 5, "minggu": 6, "ahad": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}  # fmt: skip

#: Month number for every spelling we accept (full names, common abbreviations, old
#: spellings such as "Pebruari"/"Nopember" still printed on school letters).
MONTHS: dict[str, int] = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}  # fmt: skip

#: Small number words used in "dua hari lagi" / "seminggu lagi".
NUMBER_WORDS: dict[str, int] = {
    "se": 1,
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
}

#: Indonesian zone abbreviations a user may write after a time, and the zone they mean.
WRITTEN_ZONES: dict[str, str] = {
    "wib": "Asia/Jakarta",
    "wita": "Asia/Makassar",
    "wit": "Asia/Jayapura",
}

#: How to name a zone when describing a time back to the user. Pontianak is also WIB.
ZONE_ABBREVIATIONS: dict[str, str] = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

#: Time-of-day words, mapped to a canonical period used by `dateparse._apply_period`.
PERIODS: dict[str, str] = {
    "pagi": "pagi", "subuh": "pagi", "morning": "pagi",
    "siang": "siang", "afternoon": "siang",
    "sore": "sore", "petang": "sore", "evening": "sore",
    "malam": "malam", "night": "malam",
}  # fmt: skip

#: Words that carry no date information: dropped before matching date shapes, so that
#: "rapat besok jam 9 ya" reads as "besok jam 9".
FILLERS = frozenset(
    {"hari", "tanggal", "tgl", "pada", "on", "the", "of", "at", "jam", "pukul", "pkl", "mulai"}
    | {"ya", "aja", "saja", "deh", "dong", "ok", "oke", "rapat", "pertemuan", "meeting", "kkg"}
)
