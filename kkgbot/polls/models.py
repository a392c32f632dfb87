"""Tables of topic-needs polls and the KKG work plan (program kerja).

A ballot is one person's answer to one poll: its `draft` holds the toggles pressed but not
yet sent (Telegram's ✅ keyboard), its votes the choices submitted. When a person deletes
their data the ballot loses its person but keeps its votes, so closed results and the
digest's figures stay true without keeping a name (UU 27/2022).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kkgbot.db.models import Base

SOURCE_POLL, SOURCE_KOORDINATOR = "poll", "koordinator"


class Poll(Base):
    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(String(200))
    max_choices: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]  # the one reminder to non-voters went out
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    members_at_close: Mapped[int | None] = mapped_column(Integer)  # turnout's denominator


class PollOption(Base):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 1-based, the number people type
    label: Mapped[str] = mapped_column(String(80))  # as typed; catalogue topics show their title
    topic_id: Mapped[str | None] = mapped_column(String(60))

    __table_args__ = (UniqueConstraint("poll_id", "position", name="uq_poll_options_position"),)


class PollBallot(Base):
    __tablename__ = "poll_ballots"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    draft: Mapped[list[Any] | None]  # option positions toggled on, not yet submitted
    submitted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("poll_id", "person_id", name="uq_poll_ballots_voter"),)


class PollVote(Base):
    __tablename__ = "poll_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("poll_ballots.id", ondelete="CASCADE"), index=True
    )
    option_id: Mapped[int] = mapped_column(
        ForeignKey("poll_options.id", ondelete="CASCADE"), index=True
    )

    __table_args__ = (UniqueConstraint("ballot_id", "option_id", name="uq_poll_votes_choice"),)


class WorkPlanItem(Base):
    """One topic of a KKG's programme, planned for a month; `source` says who chose it."""

    __tablename__ = "work_plan_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    kkg_id: Mapped[int] = mapped_column(ForeignKey("kkgs.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(12))  # SOURCE_POLL | SOURCE_KOORDINATOR
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id", ondelete="SET NULL"))
    planned_month: Mapped[date]  # the first day of the month
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
