"""The meeting tables: meetings, recurring series, answers, attendance, calendar feeds.

The database is the truth for everything time-driven here: reminders, check-in codes,
announcements of recurring occurrences and the wrap-up after a meeting are computed from
these rows and the clock, so a restart or a second run sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kkgbot.db.models import Base

RSVP_YES, RSVP_NO, RSVP_MAYBE = "yes", "no", "maybe"
RSVP_ANSWERS = (RSVP_YES, RSVP_NO, RSVP_MAYBE)
DECLINE_REASONS = ("izin", "sakit", "tugas", "lain")
CHECKIN_CODE, CHECKIN_ROSTER = "code", "roster"
# the koordinator who ran the meeting and its narasumber count as present without checking in
CHECKIN_ROLE = "role"


class MeetingSeries(Base):
    """A recurring meeting ("every 2nd Saturday at 09:00"); its occurrences are `Meeting` rows."""

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # weekly | monthly
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    nth: Mapped[int | None] = mapped_column(Integer)  # monthly: 1..4, or -1 for the last
    local_time: Mapped[str] = mapped_column(String(5))  # "09:00" in the KKG's zone
    duration_minutes: Mapped[int] = mapped_column(Integer, default=120, server_default="120")
    title: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str | None] = mapped_column(Text)
    narasumber_name: Mapped[str | None] = mapped_column(String(80))
    narasumber_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    created_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    generated_until: Mapped[datetime]  # occurrences exist up to this moment
    cancelled_at: Mapped[datetime | None]


class Meeting(Base):
    """One meeting of a KKG; times in UTC, shown in the KKG's zone."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"))
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting_series.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    # The length in minutes; 2 hours unless the koordinator says otherwise (PRODUCT.md).
    duration_minutes: Mapped[int] = mapped_column(Integer, default=120, server_default="120")
    place: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str | None] = mapped_column(Text)
    narasumber_name: Mapped[str | None] = mapped_column(String(80))
    narasumber_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    jp: Mapped[int] = mapped_column(Integer)  # jam pelajaran credited to each attendee
    checkin_code: Mapped[str] = mapped_column(String(8), index=True)
    created_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # When the current start time was set: a reminder due before it is never sent
    # (a meeting scheduled 3 hours ahead gets no "24 hours before" reminder).
    timed_at: Mapped[datetime]
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE
    announced_at: Mapped[datetime | None]
    reminded_for: Mapped[datetime | None]  # due moment of the latest reminder sent
    code_sent_at: Mapped[datetime | None]  # the check-in code went to the koordinator
    ended_at: Mapped[datetime | None]  # the wrap-up after the meeting has run
    cancelled_at: Mapped[datetime | None]
    notes_text: Mapped[str | None] = mapped_column(Text)
    notes_file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id", ondelete="SET NULL"))
    notes_at: Mapped[datetime | None]
    # a catalogue topic (config/topics.yaml): the reflection offers its practices
    topic_id: Mapped[str | None] = mapped_column(String(60))

    __table_args__ = (Index("ix_meetings_kkg_start", "kkg_id", "starts_at"),)


class Rsvp(Base):
    """A member's answer to a meeting; declining keeps the reason the koordinator sees."""

    __tablename__ = "meeting_rsvps"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(8))  # izin | sakit | tugas | lain
    reason_text: Mapped[str | None] = mapped_column(String(200), info={"personal_text": True})
    answered_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id", name="uq_meeting_rsvps_meeting_person"),
    )


class Attendance(Base):
    """Who was there: by check-in code or marked by the koordinator; JP credited."""

    __tablename__ = "meeting_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    checked_in_at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(8))  # code | roster
    marked_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    jp: Mapped[int] = mapped_column(Integer)
    # a check-in later than config/jp.yaml allows: "terlambat" (T), in minutes; None = on time
    late_minutes: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id", name="uq_meeting_attendance_meeting_person"),
    )


class CalendarFeed(Base):
    """The secret token of a KKG's calendar feed URL (`/calendar/<token>.ics`)."""

    __tablename__ = "calendar_feeds"

    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"), primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
