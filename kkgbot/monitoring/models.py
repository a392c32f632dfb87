"""The monitoring tables: post-meeting reflections, the monthly pulse, the standards checklist.

Each instrument keeps one row per person (or KKG) and occasion, created when it is asked:
the row says who was asked and when, so response rates are counts over rows, reminders
and the "7 days" rule are comparisons with `asked_at`, and a restart asks nobody twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kkgbot.db.models import Base


class Reflection(Base):
    """One attendee's self-report on one meeting, in two moments.

    Right after the meeting (`asked_at`): what they will try (a practice id or their own
    words) and how useful it was; `answered_at` once both are in. After school days
    (`followup_at`, by default the third school day at 15:00): tried it in class? yes ->
    students' response and an optional photo of student work; not yet -> what got in the
    way, asked once more (`followup_again_at`) five school days later. The "tried in class"
    figure counts only these follow-up answers (`tried_at`)."""

    __tablename__ = "reflections"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"))
    asked_at: Mapped[datetime]  # when the question goes out (after the quiet hours)
    reminded_at: Mapped[datetime | None]
    plan_practice: Mapped[str | None] = mapped_column(String(60))  # config/practices.yaml id
    plan_text: Mapped[str | None] = mapped_column(Text, info={"personal_text": True})
    useful: Mapped[int | None] = mapped_column(Integer)  # 1..5
    answered_at: Mapped[datetime | None]  # the first moment's answers are in
    followup_due_at: Mapped[datetime | None]  # when "tried it in class?" is to go out
    followup_at: Mapped[datetime | None]  # when it went out
    followup_again_at: Mapped[datetime | None]  # asked once more after "not yet"
    tried: Mapped[bool | None] = mapped_column(Boolean)
    tried_at: Mapped[datetime | None]  # the follow-up was answered
    student_response: Mapped[int | None] = mapped_column(Integer)  # 1..5, only when tried
    barrier: Mapped[str | None] = mapped_column(String(12))  # what got in the way
    barrier_text: Mapped[str | None] = mapped_column(Text, info={"personal_text": True})
    # bukti karya: the teacher's photo of student work, kept one semester at most; listed
    # in file_people so that erasing the teacher deletes it
    photo_file_id: Mapped[int | None] = mapped_column(ForeignKey("files.id", ondelete="SET NULL"))
    support_text: Mapped[str | None] = mapped_column(Text, info={"personal_text": True})
    support_at: Mapped[datetime | None]
    support_listed_at: Mapped[datetime | None]  # went to the koordinator in a weekly list

    __table_args__ = (
        UniqueConstraint("meeting_id", "person_id", name="uq_reflections_meeting_person"),
        Index("ix_reflections_kkg_asked", "kkg_id", "asked_at"),
        Index("ix_reflections_followup_due", "followup_due_at"),
    )


class PulseAnswer(Base):
    """The monthly one-question pulse, one row per member, KKG and month (asked or answered)."""

    __tablename__ = "pulse_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    month: Mapped[date] = mapped_column(Date)  # first day of the month, in the KKG's zone
    asked_at: Mapped[datetime]
    score: Mapped[int | None] = mapped_column(Integer)  # 1..5
    answered_at: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint("kkg_id", "person_id", "month", name="uq_pulse_answers_kkg_person_month"),
        Index("ix_pulse_answers_kkg_asked", "kkg_id", "asked_at"),
    )


class StandardsAssessment(Base):
    """A KKG's self-assessment against the seven national standards, one per term."""

    __tablename__ = "standards_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"))
    term: Mapped[str] = mapped_column(String(8))  # "2026-2" = July–December 2026
    started_at: Mapped[datetime]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    score: Mapped[int | None] = mapped_column(Integer)  # 0..100 once complete

    __table_args__ = (UniqueConstraint("kkg_id", "term", name="uq_standards_assessments_kkg_term"),)


class StandardsAnswer(Base):
    """One checklist item: Ya 2, Sebagian 1, Belum 0, with an optional note."""

    __tablename__ = "standards_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("standards_assessments.id", ondelete="CASCADE")
    )
    area: Mapped[str] = mapped_column(String(40))  # the standard, for per-standard sums
    item_id: Mapped[str] = mapped_column(String(40))
    value: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("assessment_id", "item_id", name="uq_standards_answers_assessment_item"),
    )


class MonitoringSlots(Base):
    """Per KKG, the last pulse, support-list and standards-term slots that went out."""

    __tablename__ = "monitoring_slots"

    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"), primary_key=True)
    pulse_at: Mapped[datetime | None]
    support_at: Mapped[datetime | None]
    standards_at: Mapped[datetime | None]
