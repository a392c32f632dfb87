"""What the bot sends about polls on its own: the ballot, the reminder and the results.

The ballot is one message with a button per option and `Kirim`; its buttons are
standalone actions (`a:pt:<poll>:<n>` toggles, `a:ps:<poll>` submits), so they work from
the announcement, the reminder or any later copy, on every channel (typed as a number on
WhatsApp and in the console). Every ballot carries `slot = poll:<id>` in its payload and a
redrawn ballot carries `edit_of` (see `ballot_extra`), so a channel that can edit messages
updates the ✅ marks in place; the others send the redrawn ballot as a new message.

All sends use idempotency keys (`poll:<id>:<what>:<person>`): a job that runs twice, or a
restart in the middle of one, sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.dateparse import describe_local
from kkgbot.db.models import Kkg, OutboxMessage, Person
from kkgbot.delivery.keys import idempotency_key
from kkgbot.groups import service as groups
from kkgbot.messages import Choice, MessageKind
from kkgbot.people import messaging
from kkgbot.people.permissions import KOORDINATOR, PENGAWAS
from kkgbot.polls import group_posts
from kkgbot.polls.models import Poll, PollBallot, PollOption
from kkgbot.polls.results import compute, member_count, results_chart, results_text
from kkgbot.polls.service import BallotState, ballot_state, count_unsent, options_of
from kkgbot.polls.topics import topic_title

REMIND_BEFORE = timedelta(hours=24)


def deadline_text(poll: Poll, kkg: Kkg, lang: str) -> str:
    return describe_local(poll.deadline.astimezone(ZoneInfo(kkg.timezone)), lang)


def option_title(option: PollOption, lang: str) -> str:
    return topic_title(option.topic_id, option.label, lang)


def _titles(options: list[PollOption], positions: list[int], lang: str) -> str:
    return ", ".join(option_title(o, lang) for o in options if o.position in positions)


def ballot_text(
    lang: str, poll: Poll, kkg: Kkg, options: list[PollOption], state: BallotState
) -> str:
    t = i18n.t
    lines = [
        t(lang, "polls.ballot_header", kkg=kkg.name),
        poll.question,
        t(
            lang,
            "polls.ballot_rules",
            max=poll.max_choices,
            deadline=deadline_text(poll, kkg, lang),
        ),
    ]
    if state.submitted and not state.unsent:
        lines.append(t(lang, "polls.ballot_sent", choices=_titles(options, state.submitted, lang)))
    elif state.selected:
        lines.append(t(lang, "polls.ballot_unsent", choices=_titles(options, state.selected, lang)))
    lines.append(t(lang, "polls.ballot_howto"))
    return "\n".join(lines)


def ballot_choices(
    lang: str, poll: Poll, options: list[PollOption], state: BallotState
) -> list[Choice]:
    choices = [
        Choice.act(
            ("✅ " if o.position in state.selected else "") + option_title(o, lang),
            "pt",
            poll.id,
            o.position,
            words=[option_title(o, other) for other in i18n.LANGUAGES if other != lang],
        )
        for o in options
    ]
    submit = i18n.t(lang, "polls.submit_button")
    choices.append(Choice.act(submit, "ps", poll.id, words=i18n.word_list("polls.submit_button")))
    return choices


def slot(poll_id: int) -> str:
    return f"poll:{poll_id}"


async def ballot_extra(
    session: AsyncSession, poll_id: int, person_id: int, channel: str, address: str
) -> dict[str, str]:
    """Payload fields of a redrawn ballot: its slot, and the sent message it replaces.

    `edit_of` is the channel's id (`external_id`) of the latest ballot of this poll sent
    to this address; absent when there is none, so the channel simply sends.
    """
    extra = {"slot": slot(poll_id)}
    rows = await session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.person_id == person_id,
            OutboxMessage.channel == channel,
            OutboxMessage.address == address,
            OutboxMessage.external_id.is_not(None),
        )
        .order_by(OutboxMessage.id.desc())
        .limit(30)
    )
    for row in rows:
        if (row.payload or {}).get("slot") == slot(poll_id):
            extra["edit_of"] = str(row.external_id)
            break
    return extra


async def _send_ballot(
    session: AsyncSession,
    poll: Poll,
    kkg: Kkg,
    recipient: messaging.Recipient,
    *,
    key: str,
    now: datetime,
    intro_key: str | None = None,
) -> bool:
    options = await options_of(session, poll.id)
    state = await ballot_state(session, poll.id, recipient.person_id)

    def render(lang: str) -> str:
        body = ballot_text(lang, poll, kkg, options, state)
        return f"{i18n.t(lang, intro_key)}\n{body}" if intro_key else body

    return await messaging.send(
        session,
        recipient,
        render,
        key=key,
        now=now,
        choices=lambda lang: ballot_choices(lang, poll, options, state),
        extra={"slot": slot(poll.id)},
        closes_at=poll.deadline,
        about=MessageKind.POLL,
    )


async def announce(session: AsyncSession, poll: Poll, now: datetime) -> int:
    """Send the ballot to every member of the KKG; returns how many were queued."""
    kkg = await session.get(Kkg, poll.kkg_id)
    assert kkg is not None
    await group_posts.opened(session, poll, kkg, deadline_text(poll, kkg, "id"), now)
    group_only = await groups.group_only(session, kkg.id)  # the group's button is theirs
    sent = 0
    for recipient in await messaging.kkg_members(session, poll.kkg_id):
        if recipient.person_id in group_only:
            continue
        sent += await _send_ballot(
            session,
            poll,
            kkg,
            recipient,
            key=idempotency_key("poll", poll.id, "announce", recipient.person_id),
            now=now,
        )
    return sent


async def _voted(session: AsyncSession, poll_id: int) -> set[int]:
    rows = await session.scalars(
        select(PollBallot.person_id).where(
            PollBallot.poll_id == poll_id, PollBallot.submitted_at.is_not(None)
        )
    )
    return {pid for pid in rows if pid is not None}


def reminder_at(poll: Poll) -> datetime | None:
    """24 hours before the deadline; None when the poll was opened later than that."""
    at = poll.deadline - REMIND_BEFORE
    return at if at >= poll.created_at else None


async def remind(session: AsyncSession, poll: Poll, now: datetime) -> int:
    """The one reminder, to members who have not sent an answer; returns how many."""
    kkg = await session.get(Kkg, poll.kkg_id)
    assert kkg is not None
    voted = await _voted(session, poll.id)
    await group_posts.reminded(session, poll, kkg, deadline_text(poll, kkg, "id"), now)
    voted |= await groups.group_only(session, kkg.id)
    sent = 0
    for recipient in await messaging.kkg_members(session, poll.kkg_id):
        if recipient.person_id in voted:
            continue
        sent += await _send_ballot(
            session,
            poll,
            kkg,
            recipient,
            key=idempotency_key("poll", poll.id, "remind", recipient.person_id),
            now=now,
            intro_key="polls.reminder_intro",
        )
    poll.reminded_at = now
    return sent


async def close(session: AsyncSession, poll: Poll, now: datetime) -> int:
    """Close the poll and send the results (text and chart) to its koordinator and pengawas."""
    kkg = await session.get(Kkg, poll.kkg_id)
    assert kkg is not None
    poll.members_at_close = await member_count(session, poll.kkg_id)
    await count_unsent(session, poll, now)
    poll.closed_at = now
    results = await compute(session, poll)
    await group_posts.results(session, poll, kkg, results_text("id", results, kkg, now), now)
    charts: dict[str, int] = {}
    sent = 0
    leaders = await messaging.kkg_members(session, poll.kkg_id, roles=(KOORDINATOR, PENGAWAS))
    for recipient in leaders:
        lang = recipient.language
        file_id = None
        if results.voters:
            if lang not in charts:
                png = await results_chart(lang, results, kkg)
                charts[lang] = await messaging.store_file(
                    session, f"hasil-survei-{poll.id}-{lang}.png", "image/png", png, now
                )
            file_id = charts[lang]
        sent += await messaging.send(
            session,
            recipient,
            lambda lang: (
                i18n.t(lang, "polls.closed_notice") + "\n" + results_text(lang, results, kkg, now)
            ),
            key=idempotency_key("poll", poll.id, "results", recipient.person_id),
            now=now,
            file_id=file_id,
            file_name=f"hasil-survei-{poll.id}.png" if file_id else None,
            about=MessageKind.POLL,
        )
    return sent


async def ballot_for(
    session: AsyncSession, poll_id: int, person: Person, key: str, now: datetime
) -> bool:
    """One member's own ballot, asked for from the group's poll button; False when the poll
    is not open or the person is not a member of its KKG."""
    poll = await session.get(Poll, poll_id)
    if poll is None or poll.closed_at is not None or poll.deadline <= now:
        return False
    if person.id not in await messaging.member_ids(session, [poll.kkg_id]):
        return False
    kkg = await session.get(Kkg, poll.kkg_id)
    assert kkg is not None
    recipient = messaging.Recipient(person.id, person.language or "id", kkg.timezone)
    return await _send_ballot(session, poll, kkg, recipient, key=key, now=now)
