"""The JP rules (config/jp.yaml): minutes per jam pelajaran, when a check-in is late, and
what a late arrival is credited.

They are the KKG's and the district's to set, not the code's: a district that counts 50
minutes a JP, or full credit for a latecomer, edits the file. Read once (cached).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from kkgbot import yamlfile
from kkgbot.settings import CONFIG_DIR

PROPORTIONAL, FULL = "proportional", "full"


@dataclass(frozen=True)
class JpRules:
    minutes_per_jp: int = 45
    late_after_minutes: int = 15
    late_credit: str = PROPORTIONAL

    def jp_for(self, minutes: int) -> int:
        """The JP of a meeting this long: whole JP, at least one."""
        return max(1, minutes // self.minutes_per_jp)

    def late_minutes(self, starts_at: datetime, checked_in_at: datetime) -> int | None:
        """Minutes late, when later than the rule allows; None for on time."""
        late = int((checked_in_at - starts_at).total_seconds() // 60)
        return late if late > self.late_after_minutes else None

    def credited(self, meeting_jp: int, duration: int, late: int | None) -> int:
        """The JP a person is credited: all of the meeting's, or for a latecomer (with the
        proportional rule) the JP of the time left, which may be none."""
        if late is None or self.late_credit == FULL:
            return meeting_jp
        return min(meeting_jp, max(0, duration - late) // self.minutes_per_jp)


@lru_cache
def load(path: Path = CONFIG_DIR / "jp.yaml") -> JpRules:
    raw = yamlfile.load_file(path) if path.exists() else {}
    rules = JpRules(
        minutes_per_jp=int(raw.get("minutes_per_jp", 45)),
        late_after_minutes=int(raw.get("late_after_minutes", 15)),
        late_credit=str(raw.get("late_credit", PROPORTIONAL)),
    )
    if rules.minutes_per_jp < 1 or rules.late_after_minutes < 0:
        raise ValueError(f"{path}: minutes_per_jp >= 1 and late_after_minutes >= 0")
    if rules.late_credit not in (PROPORTIONAL, FULL):
        raise ValueError(f"{path}: late_credit is 'proportional' or 'full'")
    return rules
