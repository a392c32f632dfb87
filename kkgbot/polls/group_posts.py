"""Polls and the work plan in the KKG's group: the opening and the reminder as one post
with a button that opens each member's own ballot in their private chat, the ranked
results once the poll closes, and the items adopted into the work plan.

The group never sees a ballot nor who voted: only the question, the deadline and, at the
end, the ranked topics with their counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg
from kkgbot.delivery.keys import idempotency_key
from kkgbot.groups import posts
from kkgbot.messages import Choice, MessageKind
from kkgbot.polls.models import Poll


def _button(poll: Poll):
    return lambda lang: [Choice.act(i18n.t(lang, "groups.poll_button"), "gpoll", poll.id)]


def _share(poll: Poll, kkg: Kkg, deadline: str) -> posts.Share:
    text = i18n.t(posts.LANG, "groups.poll_share", kkg=kkg.name, question=poll.question,
                  deadline=deadline)  # fmt: skip
    return posts.Share(text, poll=True)


async def opened(session: AsyncSession, poll: Poll, kkg: Kkg, deadline: str, now: datetime) -> bool:
    text = i18n.t(posts.LANG, "groups.poll_opened", kkg=kkg.name, question=poll.question,
                  deadline=deadline)  # fmt: skip
    return await posts.post(
        session, kkg, text, key=idempotency_key("poll", poll.id, "announce"), now=now,
        choices=_button(poll), about=MessageKind.POLL, share=_share(poll, kkg, deadline),
    )  # fmt: skip


async def reminded(
    session: AsyncSession, poll: Poll, kkg: Kkg, deadline: str, now: datetime
) -> bool:
    text = i18n.t(posts.LANG, "groups.poll_reminder", question=poll.question, deadline=deadline)
    return await posts.post(
        session, kkg, text, key=idempotency_key("poll", poll.id, "remind"), now=now,
        choices=_button(poll), about=MessageKind.POLL, expires_at=poll.deadline,
        share=_share(poll, kkg, deadline),
    )  # fmt: skip


async def results(session: AsyncSession, poll: Poll, kkg: Kkg, text: str, now: datetime) -> bool:
    head = i18n.t(posts.LANG, "groups.poll_results", question=poll.question)
    return await posts.post(
        session, kkg, f"{head}\n{text}", key=idempotency_key("poll", poll.id, "results"),
        now=now, about=MessageKind.POLL, share=posts.Share(f"{head}\n{text}"),
    )  # fmt: skip


async def plan_adopted(
    session: AsyncSession, kkg_id: int, titles: list[str], key: str, now: datetime
) -> bool:
    kkg = await session.get(Kkg, kkg_id)
    if kkg is None or not titles:
        return False
    lines = "\n".join(f"• {title}" for title in titles)
    text = i18n.t(posts.LANG, "groups.plan_adopted", kkg=kkg.name, items=lines)
    return await posts.post(session, kkg, text, key=idempotency_key("plan", key), now=now)
