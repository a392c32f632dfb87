"""STOP / BERHENTI and MULAI: a person turns the bot's non-essential messages off and on.

WhatsApp users expect to be able to stop a business's messages with one word. The choice
is stored on the person (`opted_out_at`) and honoured by `messaging.send` for everything
that is not essential (meeting reminders, which are quiet-exempt, and replies to the
person's own messages still go).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db.models import Person

STOP_WORDS = frozenset({"STOP", "BERHENTI", "STOPALL", "UNSUBSCRIBE"})
START_WORDS = frozenset({"MULAI", "UNSTOP"})


def keyword(text: str | None) -> str | None:
    """'stop', 'start' or None for a message that is one of the words (any case, no slash)."""
    word = (text or "").strip().strip(".!").upper()
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    return None


def apply(person: Person, word: str, now: datetime) -> str:
    """Store the choice; returns the catalogue key of the answer."""
    if word == "stop":
        if person.opted_out_at is not None:
            return "whatsapp.already_stopped"
        person.opted_out_at = now
        return "whatsapp.stopped"
    if person.opted_out_at is None:
        return "whatsapp.already_started"
    person.opted_out_at = None
    return "whatsapp.started"


async def opted_out(session: AsyncSession, person_id: int) -> bool:
    person = await session.get(Person, person_id)
    return person is not None and person.opted_out_at is not None
