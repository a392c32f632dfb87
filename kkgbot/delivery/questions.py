"""Open questions: every message with buttons a person has not answered yet.

Teachers type rather than press, and answer hours later, when other questions have come in
since. So each message with standalone buttons (`a:...`) is remembered here when it is
written to the outbox (in the same transaction), and the router matches typed replies
against all of them, most recent first. A question is identified by its first button's
action and subject (`rsvp:42`, `pt:7`), so a reminder replaces the announcement it repeats.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, event, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from kkgbot.db.models import OpenQuestion
from kkgbot.messages import Action, Choice

KEEP = timedelta(days=35)  # older questions are not matched any more, and are removed
MAX_PROMPT = 200


def question_key(action: Action) -> str:
    return f"{action.name}:{action.args[0] if action.args else ''}"[:80]


def prompt_of(text: str) -> str:
    """The line that asks (the last one with a "?"), else the first line."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    asking = [line for line in lines if "?" in line]
    line = (asking[-1] if asking else lines[0]) if lines else ""
    return line if len(line) <= MAX_PROMPT else line[: MAX_PROMPT - 1] + "…"


async def remember(
    session: AsyncSession,
    person_id: int,
    text: str,
    choices: list[Choice],
    asked_at: datetime,
    prompt: str | None = None,
    reply: bool = False,
    closes_at: datetime | None = None,
) -> None:
    """Keep the question a message with standalone buttons asks (none: nothing to keep)."""
    first = next((a for c in choices if (a := Action.parse(c.data)) is not None), None)
    if first is None:
        return
    forget_cached(session)
    key = question_key(first)
    stored = [c.stored() for c in choices]
    line = prompt_of(prompt or text)
    found = await session.scalar(
        select(OpenQuestion).where(OpenQuestion.person_id == person_id, OpenQuestion.key == key)
    )
    if found is not None:
        if asked_at < found.asked_at:
            return  # a copy written late (a retried job): the newer question stays
        # asked again: a new row, so that among questions of the same moment the last
        # one written is the last one the person saw
        await session.delete(found)
        await session.flush()
    session.add(
        OpenQuestion(
            person_id=person_id,
            key=key,
            prompt=line,
            choices=stored,
            asked_at=asked_at,
            is_reply=reply,
            closes_at=closes_at,
        )
    )


# open_for's answers, kept for the rest of the transaction: a typed reply asks twice (a
# feature's text hook, then the matching), and each trip counts (issue 21). Whatever adds or
# removes a question forgets them; a transaction's end always does.
_OPEN = "open_questions"


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost one (a flush ends one of its own)
        session.info.pop(_OPEN, None)


def forget_cached(session: AsyncSession | Session) -> None:
    """Call after changing a person's open questions other than through this module."""
    session.info.pop(_OPEN, None)


async def open_for(session: AsyncSession, person_id: int, now: datetime) -> list[OpenQuestion]:
    """The person's questions they can see now, most recent first (at most 12)."""
    known = session.info.setdefault(_OPEN, {})
    if (person_id, now) not in known:
        known[(person_id, now)] = await _open_for(session, person_id, now)
    return list(known[(person_id, now)])


async def _open_for(session: AsyncSession, person_id: int, now: datetime) -> list[OpenQuestion]:
    query = (
        select(OpenQuestion)
        .where(
            OpenQuestion.person_id == person_id,
            OpenQuestion.asked_at <= now,
            OpenQuestion.asked_at > now - KEEP,
            or_(OpenQuestion.closes_at.is_(None), OpenQuestion.closes_at > now),
        )
        .order_by(OpenQuestion.asked_at.desc(), OpenQuestion.id.desc())
        .limit(12)
    )
    return list(await session.scalars(query))


async def mark_answered(session: AsyncSession, person_id: int, key: str, now: datetime) -> None:
    await session.execute(
        update(OpenQuestion)
        .where(OpenQuestion.person_id == person_id, OpenQuestion.key == key)
        .values(answered_at=now)
    )


async def forget_old(session: AsyncSession, now: datetime) -> None:
    forget_cached(session)
    await session.execute(delete(OpenQuestion).where(OpenQuestion.asked_at < now - KEEP))
