"""Replies typed the way teachers type them, through the real channels (issue 16).

The corpus (`tests/test_corpus.py`) plays hundreds of replies through the console; here a
sample of the same kinds goes through the real PTB `Bot` against the fake Bot API and the
real twilio `Client` against the fake Twilio server, so that what a phone sends (text as
typed, in a channel's own update) is read the same way: an RSVP with its reason, a maybe,
a ballot typed as numbers or a topic's key word, and a check-in code with look-alikes.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from kkgbot.channels.console import ConsoleChannel
from kkgbot.db.models import Identity
from kkgbot.meetings.models import Attendance, Meeting, Rsvp
from kkgbot.polls.models import PollBallot, PollOption, PollVote
from tests.conftest import START
from tests.telegram_helpers import feed, telegram_on_movable_clock
from tests.test_engine import say
from tests.whatsapp_helpers import whatsapp_bot

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")

BALLOT = (
    "/survei Topik apa yang paling Anda butuhkan?; Literasi dasar | Numerasi kelas awal | "
    "Asesmen formatif | Pembelajaran berdiferensiasi | Kelas rangkap; 2; 2026-12-20 17:00"
)
# (what the teacher types to the RSVP, the answer and reason stored)
RSVPS = [
    ("iya bu, insyaallah hadir 🙏", "yes", None),
    ("maaf bu tidak bisa, anak saya sakit", "no", "sakit"),
    ("belum tahu bu, nanti saya kabari", "maybe", None),
]
# (what the teacher types to the ballot, the topics submitted)
VOTES = [
    ("2 dan 4", ["Numerasi kelas awal", "Pembelajaran berdiferensiasi"]),
    ("no 3", ["Asesmen formatif"]),
    ("kelas rangkap bu", ["Kelas rangkap"]),
]


async def schedule_and_poll(app) -> None:
    await say(app, "koordinator", "/jadwal Literasi kelas awal; 2026-12-05 09:00-11:00; SDN 1")
    await say(app, "koordinator", "Ya")
    await say(app, "koordinator", BALLOT)
    await say(app, "koordinator", "Ya")


async def answers(app, addresses: list[str]) -> tuple[dict, dict]:
    async with app.sessionmaker() as s:
        people = {
            a: await s.scalar(select(Identity.person_id).where(Identity.address == a))
            for a in addresses
        }
        rsvps = {r.person_id: (r.answer, r.reason) for r in (await s.scalars(select(Rsvp))).all()}
        votes: dict[int, list[str]] = {}
        rows = await s.execute(
            select(PollBallot.person_id, PollOption.label)
            .join(PollVote, PollVote.ballot_id == PollBallot.id)
            .join(PollOption, PollOption.id == PollVote.option_id)
            .where(PollBallot.submitted_at.is_not(None))
            .order_by(PollOption.position)
        )
        for person, label in rows:
            votes.setdefault(person, []).append(label)
    return (
        {a: rsvps.get(pid) for a, pid in people.items()},
        {a: votes.get(pid, []) for a, pid in people.items()},
    )


async def test_typed_replies_on_telegram(settings):
    users = [6101, 6102, 6103]
    async with telegram_on_movable_clock(settings, START) as (app, srv, channel):
        for n, user in enumerate(users):
            for text in ("/start GUGUS1", "setuju", f"Guru Telegram {n}", "SDN 2 Mataram"):
                await feed(app, channel, srv.user_sends(user, text))
        await schedule_and_poll(app)
        for user, (rsvp, _, _) in zip(users, RSVPS, strict=True):
            await feed(app, channel, srv.user_sends(user, rsvp))
        for user, (vote, _) in zip(users, VOTES, strict=True):
            await feed(app, channel, srv.user_sends(user, vote))
        rsvps, votes = await answers(app, [str(u) for u in users])
        assert list(rsvps.values()) == [(answer, reason) for _, answer, reason in RSVPS]
        assert list(votes.values()) == [topics for _, topics in VOTES]
        # The confirmation says what was chosen, in the chat the vote came from.
        said = [m.text or "" for m in srv.sent_messages(users[0])]
        assert any("Numerasi kelas awal" in t and "berdiferensiasi" in t for t in said[-2:])


async def test_typed_replies_and_a_code_on_whatsapp(settings):
    numbers = ["+6281200000201", "+6281200000202", "+6281200000203"]
    async with whatsapp_bot(settings) as bot:
        app = bot.app
        app.add_channel(ConsoleChannel(io.StringIO()))
        for n, number in enumerate(numbers):
            await bot.texts(number, "/start GUGUS1")
            await bot.texts(number, "iya setuju")
            await bot.texts(number, f"Guru WhatsApp {n}")
            await bot.texts(number, "SDN 3 Mataram")
        await schedule_and_poll(app)
        await app.dispatcher.drain()
        for number, (rsvp, _, _) in zip(numbers, RSVPS, strict=True):
            await bot.texts(number, rsvp)
        for number, (vote, _) in zip(numbers, VOTES, strict=True):
            await bot.texts(number, vote)
        rsvps, votes = await answers(app, numbers)
        assert list(rsvps.values()) == [(answer, reason) for _, answer, reason in RSVPS]
        assert list(votes.values()) == [topics for _, topics in VOTES]

        # Check-in as typed on WhatsApp: no slash, lower case, a dash and 8 for B.
        async with app.sessionmaker() as s:
            meeting = await s.scalar(select(Meeting))
        app.clock.set(meeting.starts_at)
        await say(app, "koordinator", "/rapat")
        code = meeting.checkin_code
        typed = f"hadir {code[:3].lower()}-{code[3:].lower()}".replace("b", "8")
        await bot.texts(numbers[0], typed)
        async with app.sessionmaker() as s:
            present = (await s.scalars(select(Attendance.person_id))).all()
            ayu = await s.scalar(select(Identity.person_id).where(Identity.address == numbers[0]))
        assert present == [ayu]
