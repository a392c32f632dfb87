"""The micro-learning tables: each KKG's lesson times, each learner's state and answers.

Lessons themselves live in content packs under `config/content/` and are referred to by
their ids; these rows record only what happened (sent, answered, completed), so a pack can
be corrected without touching the database, and the lesson job can tell from the rows and
the clock what is due (a restart sends nothing twice).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kkgbot.db.models import Base

SOURCE_SCHEDULE, SOURCE_DEMAND = "schedule", "demand"


class LessonSchedule(Base):
    """A KKG's lesson times; a KKG without a row uses the default (Tue and Thu 19:00)."""

    __tablename__ = "lesson_schedules"

    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"), primary_key=True)
    days: Mapped[str] = mapped_column(String(40))  # cron day_of_week, e.g. "tue,thu"
    hour: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)
    # The latest slot whose lessons went out: slots after it (up to the clock) are due.
    last_slot_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class LessonSchedulePeriod(Base):
    """Dated lesson times (Ramadan): used from `starts_on` to `ends_on` in the KKG's zone,
    after which the usual schedule applies again by itself. One period per KKG."""

    __tablename__ = "lesson_schedule_periods"

    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"), primary_key=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    days: Mapped[str] = mapped_column(String(40))
    hour: Mapped[int] = mapped_column(Integer)
    minute: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))


class Learner(Base):
    """A person's own learning switches: a paused schedule, and the one nudge already given."""

    __tablename__ = "lesson_learners"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    paused_at: Mapped[datetime | None]
    # The newest lesson at the time of the last nudge: one nudge per pile-up, not per slot.
    nudged_after: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime]


class LessonProgress(Base):
    """One lesson given to one person: when, how, and their answer (the first try scores)."""

    __tablename__ = "lesson_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kkg_id: Mapped[int | None] = mapped_column(
        ForeignKey("kkgs.id", ondelete="SET NULL"), index=True
    )
    pack_id: Mapped[str] = mapped_column(String(40))
    module_id: Mapped[str] = mapped_column(String(40))
    lesson_id: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(10))  # schedule | demand
    sent_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_option: Mapped[int | None] = mapped_column(Integer)  # 0-based
    correct: Mapped[bool | None] = mapped_column(Boolean)  # of the first try
    answered_at: Mapped[datetime | None] = mapped_column(index=True)

    __table_args__ = (
        UniqueConstraint("person_id", "lesson_id", name="uq_lesson_progress_person_lesson"),
        Index("ix_lesson_progress_person_sent", "person_id", "sent_at"),
    )


class ModuleCompletion(Base):
    """A module whose every lesson the person answered, with the first-try score then."""

    __tablename__ = "module_completions"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    kkg_id: Mapped[int | None] = mapped_column(
        ForeignKey("kkgs.id", ondelete="SET NULL"), index=True
    )
    pack_id: Mapped[str] = mapped_column(String(40))
    module_id: Mapped[str] = mapped_column(String(40))
    lessons: Mapped[int] = mapped_column(Integer)
    correct: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[datetime] = mapped_column(index=True)

    __table_args__ = (
        UniqueConstraint(
            "person_id", "pack_id", "module_id", name="uq_module_completions_person_module"
        ),
    )
