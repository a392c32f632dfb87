"""Topic-needs polls: checking what a koordinator typed, opening a poll, and voting.

Everything here takes plain values and raises PollError with a catalogue key for any
mistake a person can make, so the same rules hold for a conversation, a one-line command,
a Telegram button and a test. Votes are only ever taken from members of the poll's KKG,
before its deadline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot.db import audit
from kkgbot.db.models import Kkg
from kkgbot.numbers import small_number
from kkgbot.people import roles
from kkgbot.people.identities import clean_text
from kkgbot.polls.models import Poll, PollBallot, PollOption, PollVote
from kkgbot.polls.topics import Catalogue, catalogue, topic_title

MIN_OPTIONS, MAX_OPTIONS = 2, 12
MAX_LABEL = 60
QUESTION_LEN = (5, 200)
MAX_OPEN_DAYS = 90
NUMBER_LIST = re.compile(r"^\s*\d{1,6}(?:\s*[,;/\s]\s*\d{1,6})*\s*[,]?\s*$")


class PollError(ValueError):
    """A mistake a person can fix; `key` names the explanation in the catalogue."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class OptionSpec:
    """An option as the koordinator chose it: a catalogue topic or their own text."""

    label: str
    topic_id: str | None = None

    def title(self, lang: str) -> str:
        return topic_title(self.topic_id, self.label, lang)


def valid_question(text: str) -> str:
    question = clean_text(text)
    low, high = QUESTION_LEN
    if len(question) > high:
        raise PollError("polls.question_too_long", max=high)
    if len(question) < low or sum(ch.isalpha() for ch in question) < 3:
        raise PollError("polls.question_too_short")
    return question


def parse_numbers(text: str) -> list[int]:
    """`1,3, 5` or `1 3 5` -> [1, 3, 5]; PollError when it is not a list of numbers."""
    if not NUMBER_LIST.match(text or ""):
        raise PollError("polls.numbers_expected")
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if any(n > 999 for n in numbers):
        raise PollError("polls.numbers_expected")
    return numbers


def parse_options(text: str, cat: Catalogue | None = None) -> list[OptionSpec]:
    """`1 | 5 | Menulis laporan` -> catalogue topics by number, id or title, plus own text.

    Options are separated by `|` or new lines; a line of only numbers (`1,3,5`) picks
    catalogue topics. Refuses unknown numbers, duplicates, too few, too many, too long.
    """
    cat = cat or catalogue()
    raw = text or ""
    if "|" not in raw and "\n" not in raw and NUMBER_LIST.match(raw):
        parts = re.findall(r"\d+", raw)
    else:
        parts = re.split(r"[|\n]", raw)
    specs: list[OptionSpec] = []
    for part in (clean_text(p) for p in parts):
        if not part:
            continue
        if part.isascii() and part.isdigit():
            number = small_number(part) or 0
            if not 1 <= number <= len(cat.topics):
                raise PollError("polls.topic_number_unknown", number=part[:6], max=len(cat.topics))
            topic = cat.topics[number - 1]
            specs.append(OptionSpec(topic.title("id"), topic.id))
            continue
        topic = cat.find(part)
        if topic is not None:
            specs.append(OptionSpec(topic.title("id"), topic.id))
            continue
        if len(part) > MAX_LABEL:
            raise PollError("polls.option_too_long", option=part[:30] + "…", max=MAX_LABEL)
        if sum(ch.isalpha() for ch in part) < 2:
            raise PollError("polls.option_not_text", option=part[:20])
        specs.append(OptionSpec(part))
    seen: set[str] = set()
    for spec in specs:
        marker = spec.topic_id or spec.label.casefold()
        if marker in seen:
            raise PollError("polls.option_duplicate", option=spec.label)
        seen.add(marker)
    if len(specs) < MIN_OPTIONS:
        raise PollError("polls.too_few_options", min=MIN_OPTIONS)
    if len(specs) > MAX_OPTIONS:
        raise PollError("polls.too_many_options", max=MAX_OPTIONS, given=len(specs))
    return specs


def valid_max_choices(text: str | int, option_count: int) -> int:
    value = small_number(str(text))
    if value is None or not 1 <= value <= option_count:
        raise PollError("polls.bad_max_choices", max=option_count)
    return value


def check_deadline(deadline: datetime, now: datetime) -> datetime:
    if deadline <= now + timedelta(hours=1):
        raise PollError("polls.deadline_too_soon")
    if deadline > now + timedelta(days=MAX_OPEN_DAYS):
        raise PollError("polls.deadline_too_far", days=MAX_OPEN_DAYS)
    return deadline


async def create_poll(
    session: AsyncSession,
    *,
    kkg_id: int,
    created_by_id: int | None,
    question: str,
    options: list[OptionSpec],
    max_choices: int,
    deadline: datetime,
    now: datetime,
) -> Poll:
    """Open a poll (all values already checked); announcing it is `poll_notices.announce`."""
    poll = Poll(
        kkg_id=kkg_id,
        created_by_id=created_by_id,
        question=question,
        max_choices=max_choices,
        deadline=deadline,
        created_at=now,
    )
    session.add(poll)
    await session.flush()
    for position, spec in enumerate(options, start=1):
        session.add(
            PollOption(poll_id=poll.id, position=position, label=spec.label, topic_id=spec.topic_id)
        )
    audit.record(
        session,
        at=now,
        action="poll.create",
        actor_person_id=created_by_id,
        kkg_id=kkg_id,
        details={"poll_id": poll.id, "options": len(options), "max_choices": max_choices},
    )
    await session.flush()
    return poll


async def options_of(session: AsyncSession, poll_id: int) -> list[PollOption]:
    query = select(PollOption).where(PollOption.poll_id == poll_id).order_by(PollOption.position)
    return list(await session.scalars(query))


def is_open(poll: Poll, now: datetime) -> bool:
    return poll.closed_at is None and now < poll.deadline


async def open_polls_for(session: AsyncSession, person_id: int, now: datetime) -> list[Poll]:
    """Open polls of the KKGs the person is a member of, soonest deadline first."""
    kkg_ids = [k.id for k in await roles.member_kkgs(session, person_id)]
    if not kkg_ids:
        return []
    query = (
        select(Poll)
        .where(Poll.kkg_id.in_(kkg_ids), Poll.closed_at.is_(None), Poll.deadline > now)
        .order_by(Poll.deadline, Poll.id)
    )
    return list(await session.scalars(query))


async def polls_of_kkg(session: AsyncSession, kkg_id: int, limit: int = 10) -> list[Poll]:
    query = select(Poll).where(Poll.kkg_id == kkg_id).order_by(Poll.id.desc()).limit(limit)
    return list(await session.scalars(query))


async def voting_poll(session: AsyncSession, poll_id: int, person_id: int, now: datetime) -> Poll:
    """The poll a person may vote in now, or PollError saying why not."""
    poll = await session.get(Poll, poll_id)
    if poll is None or not await roles.is_member(session, person_id, poll.kkg_id):
        raise PollError("polls.not_for_you")
    if not is_open(poll, now):
        raise PollError("polls.closed_already")
    return poll


async def ballot_of(session: AsyncSession, poll_id: int, person_id: int) -> PollBallot | None:
    return await session.scalar(
        select(PollBallot).where(PollBallot.poll_id == poll_id, PollBallot.person_id == person_id)
    )


async def submitted_positions(session: AsyncSession, ballot: PollBallot | None) -> list[int]:
    if ballot is None or ballot.submitted_at is None:
        return []
    query = (
        select(PollOption.position)
        .join(PollVote, PollVote.option_id == PollOption.id)
        .where(PollVote.ballot_id == ballot.id)
        .order_by(PollOption.position)
    )
    return list(await session.scalars(query))


@dataclass(frozen=True)
class BallotState:
    """What a voter sees on their ballot: toggled choices and what was last sent."""

    selected: list[int]
    submitted: list[int]

    @property
    def unsent(self) -> bool:
        return self.selected != self.submitted


async def ballot_state(session: AsyncSession, poll_id: int, person_id: int) -> BallotState:
    ballot = await ballot_of(session, poll_id, person_id)
    submitted = await submitted_positions(session, ballot)
    draft = ballot.draft if ballot is not None and ballot.draft is not None else submitted
    return BallotState(sorted(draft), submitted)


async def _ballot(session: AsyncSession, poll: Poll, person_id: int, now: datetime) -> PollBallot:
    ballot = await ballot_of(session, poll.id, person_id)
    if ballot is None:
        ballot = PollBallot(poll_id=poll.id, person_id=person_id, draft=None, updated_at=now)
        session.add(ballot)
        await session.flush()
    return ballot


async def toggle(
    session: AsyncSession, poll_id: int, person_id: int, position: int, now: datetime
) -> BallotState:
    """Tap a choice on or off (not yet sent); the limit is checked as it is tapped."""
    poll = await voting_poll(session, poll_id, person_id, now)
    options = await options_of(session, poll.id)
    if not 1 <= position <= len(options):
        raise PollError("polls.not_an_option", number=position, max=len(options))
    state = await ballot_state(session, poll.id, person_id)
    selected = list(state.selected)
    if position in selected:
        selected.remove(position)
    elif len(selected) >= poll.max_choices:
        raise PollError("polls.limit_reached", max=poll.max_choices)
    else:
        selected.append(position)
    ballot = await _ballot(session, poll, person_id, now)
    ballot.draft = sorted(selected)
    ballot.updated_at = now
    return BallotState(sorted(selected), state.submitted)


def check_positions(poll: Poll, option_count: int, wanted: list[int]) -> None:
    """The numbers a voter typed or toggled, against the options and the poll's limit."""
    unknown = [n for n in wanted if not 1 <= n <= option_count]
    if unknown:
        raise PollError("polls.not_an_option", number=unknown[0], max=option_count)
    if len(set(wanted)) != len(wanted):
        raise PollError("polls.repeated_number")
    if not wanted:
        raise PollError("polls.nothing_chosen")
    if len(wanted) > poll.max_choices:
        raise PollError("polls.too_many_choices", max=poll.max_choices, given=len(wanted))


async def submit(
    session: AsyncSession,
    poll_id: int,
    person_id: int,
    now: datetime,
    positions: list[int] | None = None,
) -> tuple[list[PollOption], bool]:
    """Record the choices (the toggled draft when `positions` is None).

    Returns the chosen options and whether anything changed; a second press of `Kirim`
    with the same choices changes nothing.
    """
    poll = await voting_poll(session, poll_id, person_id, now)
    options = await options_of(session, poll.id)
    state = await ballot_state(session, poll.id, person_id)
    wanted = state.selected if positions is None else positions
    check_positions(poll, len(options), wanted)
    chosen = [o for o in options if o.position in wanted]
    ballot = await _ballot(session, poll, person_id, now)
    if ballot.submitted_at is not None and sorted(wanted) == state.submitted:
        ballot.draft = None
        return chosen, False
    await session.execute(delete(PollVote).where(PollVote.ballot_id == ballot.id))
    for option in chosen:
        session.add(PollVote(ballot_id=ballot.id, option_id=option.id))
    ballot.draft = None
    ballot.submitted_at = now
    ballot.updated_at = now
    await session.flush()
    return chosen, True


async def count_unsent(session: AsyncSession, poll: Poll, now: datetime) -> int:
    """At the close, a ballot with choices selected but never sent counts as sent: a vote a
    teacher made is never lost for want of pressing "Kirim". A ballot already sent keeps
    what was sent. Returns how many ballots were counted this way."""
    options = {o.position: o for o in await options_of(session, poll.id)}
    drafts = await session.scalars(
        select(PollBallot).where(
            PollBallot.poll_id == poll.id,
            PollBallot.submitted_at.is_(None),
            PollBallot.draft.is_not(None),
        )
    )
    counted = 0
    for ballot in drafts:
        chosen = [options[p] for p in ballot.draft or [] if p in options][: poll.max_choices]
        if not chosen:
            continue
        for option in chosen:
            session.add(PollVote(ballot_id=ballot.id, option_id=option.id))
        ballot.draft, ballot.submitted_at, ballot.updated_at = None, now, now
        counted += 1
    await session.flush()
    return counted


async def kkg_of(session: AsyncSession, poll: Poll) -> Kkg:
    kkg = await session.get(Kkg, poll.kkg_id)
    assert kkg is not None
    return kkg
