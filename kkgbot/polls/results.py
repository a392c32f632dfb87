"""Poll results: counted from the votes, ranked, and said as text and as a bar chart.

Ties keep the order in which the options were written in the poll, so the same votes
always give the same ranking (and the same adoption numbers for the koordinator).
Turnout counts members at the close for a closed poll, and current members while it runs.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import charts, i18n
from kkgbot.dateparse import describe_local
from kkgbot.db.models import Kkg, Person, Role
from kkgbot.people.permissions import KKG_MEMBER_ROLES
from kkgbot.polls.models import Poll, PollBallot, PollOption, PollVote
from kkgbot.polls.topics import topic_title


@dataclass(frozen=True)
class ResultRow:
    position: int  # the option's number in the poll
    label: str
    topic_id: str | None
    votes: int
    share: float  # of voters, 0..1

    def title(self, lang: str) -> str:
        return topic_title(self.topic_id, self.label, lang)


@dataclass(frozen=True)
class PollResults:
    poll_id: int
    kkg_id: int
    question: str
    deadline: datetime
    closed: bool
    members: int
    voters: int
    rows: list[ResultRow]  # ranked: most votes first, ties in option order

    @property
    def turnout(self) -> float:
        return self.voters / self.members if self.members else 0.0

    @property
    def has_ties(self) -> bool:
        counts = [r.votes for r in self.rows if r.votes]
        return len(counts) != len(set(counts))


async def member_count(session: AsyncSession, kkg_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count(func.distinct(Role.person_id)))
            .join(Person, Person.id == Role.person_id)
            .where(
                Role.kkg_id == kkg_id,
                Role.role.in_(KKG_MEMBER_ROLES),
                Person.onboarded_at.is_not(None),
            )
        )
        or 0
    )


async def compute(session: AsyncSession, poll: Poll) -> PollResults:
    counts = dict(
        (
            await session.execute(
                select(PollVote.option_id, func.count(PollVote.id))
                .join(PollBallot, PollBallot.id == PollVote.ballot_id)
                .where(PollBallot.poll_id == poll.id, PollBallot.submitted_at.is_not(None))
                .group_by(PollVote.option_id)
            )
        ).all()
    )
    voters = int(
        await session.scalar(
            select(func.count(PollBallot.id)).where(
                PollBallot.poll_id == poll.id, PollBallot.submitted_at.is_not(None)
            )
        )
        or 0
    )
    options = await session.scalars(
        select(PollOption).where(PollOption.poll_id == poll.id).order_by(PollOption.position)
    )
    rows = [
        ResultRow(
            o.position,
            o.label,
            o.topic_id,
            counts.get(o.id, 0),
            counts.get(o.id, 0) / voters if voters else 0.0,
        )
        for o in options
    ]
    rows.sort(key=lambda r: (-r.votes, r.position))
    closed = poll.closed_at is not None
    members = poll.members_at_close if closed else await member_count(session, poll.kkg_id)
    return PollResults(
        poll.id,
        poll.kkg_id,
        poll.question,
        poll.deadline,
        closed,
        max(members or 0, voters),
        voters,
        rows,
    )


def _pct(value: float) -> str:
    return f"{round(value * 100)}%"


def results_text(lang: str, results: PollResults, kkg: Kkg, now: datetime) -> str:
    """The ranked results as a member of the KKG's leadership reads them."""
    t = i18n.t
    deadline = describe_local(results.deadline.astimezone(ZoneInfo(kkg.timezone)), lang)
    lines = [
        t(lang, "polls.results_header", kkg=kkg.name),
        results.question,
        t(lang, "polls.results_closed" if results.closed else "polls.results_open", when=deadline),
        t(
            lang,
            "polls.results_turnout",
            voters=results.voters,
            members=results.members,
            pct=_pct(results.turnout),
        ),
    ]
    if not results.voters:
        lines.append(t(lang, "polls.results_no_votes"))
        return "\n".join(lines)
    for n, row in enumerate(results.rows, start=1):
        lines.append(
            t(
                lang,
                "polls.results_row",
                n=n,
                title=row.title(lang),
                votes=row.votes,
                pct=_pct(row.share),
            )
        )
    if results.has_ties:
        lines.append(t(lang, "polls.results_ties"))
    return "\n".join(lines)


async def results_chart(lang: str, results: PollResults, kkg: Kkg) -> bytes:
    """The ranked bars as a PNG, drawn off the event loop (matplotlib is synchronous)."""
    return await asyncio.to_thread(
        charts.bar_chart_png,
        title=results.question,
        subtitle=i18n.t(
            lang,
            "polls.chart_subtitle",
            kkg=kkg.name,
            voters=results.voters,
            members=results.members,
            pct=_pct(results.turnout),
        ),
        labels=[r.title(lang) for r in results.rows],
        values=[r.votes for r in results.rows],
        notes=[_pct(r.share) for r in results.rows],
        xlabel=i18n.t(lang, "polls.chart_xlabel"),
    )
