"""A district's or KKG's own calendar days, and the province whose breaks a district follows.

National holidays, cuti bersama and estimated breaks are data (the `holidays` package and
config/calendar/<year>.yaml); these rows are what the district office knows better: a
local holiday, a school day on a cuti bersama, its province's own break. A row with
`off=False` turns a day back into a school day.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kkgbot.db.models import Base


class CalendarDay(Base):
    """One day of a district (kkg_id NULL) or of one KKG (which wins over its district)."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"))
    kkg_id: Mapped[int | None] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"))
    day: Mapped[date]
    off: Mapped[bool] = mapped_column(Boolean)  # True: no school; False: a school day after all
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_calendar_days_district_day", "district_id", "day"),
        Index("ix_calendar_days_kkg_day", "kkg_id", "day"),
    )


class DistrictCalendar(Base):
    """The province whose semester breaks a district follows (none: the default estimate)."""

    __tablename__ = "district_calendars"

    district_id: Mapped[int] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True
    )
    province: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime]
