"""Meetings in the KKG's group: the announcement, its changes and cancellation, and one
reminder per offset, each a single group message with RSVP buttons.

A button pressed in the group records the presser's own answer (privately confirmed, a
decline's reason asked privately) and redraws that group message in place with the
counts only ("Hadir 6 · Tidak hadir 2 · Mungkin 1"): the group never sees who answered
what. The buttons' data carries the kind of post (`n`ew, `c`hanged, `r`eminder), so the
redrawn message keeps its first line.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg
from kkgbot.delivery.keys import idempotency_key, slot_key
from kkgbot.groups import posts
from kkgbot.meetings.models import RSVP_ANSWERS, Meeting, Rsvp
from kkgbot.messages import Choice, MessageKind

NEW, CHANGED, REMINDER = "n", "c", "r"
HEADS = {
    NEW: "groups.meeting_new",
    CHANGED: "groups.meeting_changed",
    REMINDER: "groups.meeting_reminder",
}


async def counts(session: AsyncSession, meeting_id: int) -> dict[str, int]:
    rows = await session.execute(
        select(Rsvp.answer, func.count()).where(Rsvp.meeting_id == meeting_id).group_by(Rsvp.answer)
    )
    found = {answer: n for answer, n in rows}
    return {a: int(found.get(a, 0)) for a in RSVP_ANSWERS}


def counts_line(tally: dict[str, int], lang: str) -> str:
    return " · ".join(f"{i18n.t(lang, f'meetings.answer_{a}')} {tally[a]}" for a in RSVP_ANSWERS)


def group_choices(meeting_id: int, head: str, lang: str) -> list[Choice]:
    return [
        Choice.act(i18n.t(lang, f"meetings.button_{a}"), "grsvp", meeting_id, a, head, meaning=a)
        for a in RSVP_ANSWERS
    ]


async def _text(session: AsyncSession, meeting: Meeting, kkg: Kkg, head: str, lang: str) -> str:
    from kkgbot.meetings.notify import card  # notify posts to the group: imported late

    tally = await counts(session, meeting.id)
    return "\n".join(
        (
            i18n.t(lang, HEADS.get(head, HEADS[NEW]), kkg=kkg.name),
            card(meeting, kkg, lang),
            "",
            counts_line(tally, lang),
            i18n.t(lang, "groups.meeting_ask"),
        )
    )


async def post_meeting(
    session: AsyncSession, meeting: Meeting, kkg: Kkg, *, head: str, key: str, now: datetime,
    quiet_exempt: bool = False, expires_at: datetime | None = None,
) -> bool:  # fmt: skip
    from kkgbot.meetings.notify import card

    text = await _text(session, meeting, kkg, head, posts.LANG)
    plain = i18n.t(posts.LANG, HEADS[head], kkg=kkg.name) + "\n" + card(meeting, kkg, posts.LANG)
    return await posts.post(
        session, kkg, text, key=key, now=now,
        choices=lambda lang: group_choices(meeting.id, head, lang),
        quiet_exempt=quiet_exempt, expires_at=expires_at, about=MessageKind.REMINDER,
        share=posts.Share(plain, meeting_id=meeting.id),
    )  # fmt: skip


async def announced(
    session: AsyncSession, meeting: Meeting, kkg: Kkg, now: datetime, urgent: bool
) -> bool:
    key = idempotency_key("meeting-new", ("meeting", meeting.id))
    return await post_meeting(
        session, meeting, kkg, head=NEW, key=key, now=now, quiet_exempt=urgent
    )


async def changed(
    session: AsyncSession, meeting: Meeting, kkg: Kkg, now: datetime, urgent: bool
) -> bool:
    key = idempotency_key("meeting-changed", ("meeting", meeting.id), f"v{meeting.sequence}")
    return await post_meeting(
        session, meeting, kkg, head=CHANGED, key=key, now=now, quiet_exempt=urgent
    )


async def reminded(
    session: AsyncSession, meeting: Meeting, kkg: Kkg, hours: float, now: datetime
) -> bool:
    key = idempotency_key(
        "reminder", ("meeting", meeting.id), slot_key(meeting.starts_at), f"{hours:g}h"
    )
    return await post_meeting(
        session, meeting, kkg, head=REMINDER, key=key, now=now, quiet_exempt=True,
        expires_at=meeting.starts_at,
    )  # fmt: skip


async def cancelled(
    session: AsyncSession, meeting: Meeting, kkg: Kkg, when: str, now: datetime
) -> bool:
    key = idempotency_key("meeting-cancelled", ("meeting", meeting.id))
    text = i18n.t(
        posts.LANG, "groups.meeting_cancelled", title=meeting.title, when=when, kkg=kkg.name
    )
    return await posts.post(
        session, kkg, text, key=key, now=now, quiet_exempt=True, share=posts.Share(text)
    )


async def redraw(
    session: AsyncSession, meeting_id: int, *, head: str, message_id: str, key: str,
    now: datetime,
) -> bool:  # fmt: skip
    """The group message a button was pressed on, drawn again with the new counts."""
    meeting = await session.get(Meeting, meeting_id)
    kkg = await session.get(Kkg, meeting.kkg_id) if meeting is not None else None
    if meeting is None or kkg is None or meeting.cancelled_at is not None:
        return False
    text = await _text(session, meeting, kkg, head, posts.LANG)
    batch = f"redraw:{kkg.id}:{message_id}"[:64]
    await posts.supersede(session, batch, now)
    return await posts.post(
        session, kkg, text, key=key, now=now, quiet_exempt=True, edit_of=message_id,
        choices=lambda lang: group_choices(meeting.id, head, lang), batch_id=batch,
    )  # fmt: skip


async def notice(session: AsyncSession, kkg: Kkg, render, *, key: str, now: datetime) -> bool:
    """Any other meeting news for the whole group (a series stopped): no buttons."""
    text = render(posts.LANG)
    return await posts.post(
        session, kkg, text, key=key, now=now, quiet_exempt=True, share=posts.Share(text)
    )
