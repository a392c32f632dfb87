"""The poll's toggle keyboard on Telegram: the real PTB Bot against the fake Bot API server.

Updates the fake server produces are handed to the channel's own update handler (no
polling loop to wait on), and the dispatcher sends the outbox through the real Bot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from kkgbot.app import App
from kkgbot.channels.telegram import TelegramChannel
from kkgbot.db.models import OutboxMessage
from kkgbot.polls.models import PollBallot, PollVote
from tests.conftest import START
from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram_helpers import feed, telegram_on_movable_clock
from tests.test_engine import say

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
USER = 4242


@pytest.fixture
async def tg(settings) -> AsyncIterator[tuple[App, FakeTelegramServer, TelegramChannel]]:
    async with telegram_on_movable_clock(settings, START) as running:
        yield running


async def test_toggle_keyboard_marks_choices_and_kirim_submits(tg):
    app, srv, channel = tg
    for text in ("/start GUGUS1", "Setuju", "Ayu Telegram", "SDN 3 Mataram"):
        await feed(app, channel, srv.user_sends(USER, text))
    await say(app, "koordinator", "/survei Topik?; 9 | 11 | Kelas rangkap; 2; 2026-12-08 17:00")
    await say(app, "koordinator", "Ya")

    ballot = srv.last_message(USER)
    assert [b["text"] for b in ballot.buttons] == [
        "Literasi dasar",
        "Numerasi kelas awal",
        "Kelas rangkap",
        "Kirim",
    ]
    assert all(len(b["callback_data"].encode()) <= 64 for b in ballot.buttons)

    await feed(app, channel, srv.user_presses(USER, "Literasi dasar"))
    redrawn = srv.current_message(USER, ballot.message_id)  # the ballot, edited in place
    buttons = [b["text"] for row in redrawn["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons[:2] == ["✅ Literasi dasar", "Numerasi kelas awal"]
    assert srv.last_message(USER).message_id == ballot.message_id  # no second ballot
    async with app.sessionmaker() as s:
        rows = await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        redraw = next(r for r in rows if "edit_of" in (r.payload or {}))
    # The redraw names the announcement it replaces, for a channel that edits in place.
    assert redraw.payload["edit_of"] == str(ballot.message_id)

    await feed(app, channel, srv.user_presses(USER, "Kelas rangkap"))
    await feed(app, channel, srv.user_presses(USER, "Numerasi kelas awal"))
    assert "Anda sudah memilih 2" in srv.last_message(USER).text  # the limit, explained
    await feed(app, channel, srv.user_presses(USER, "Kirim"))
    assert "Pilihan Anda tercatat" in srv.last_message(USER).text
    async with app.sessionmaker() as s:
        ballot_row = await s.scalar(select(PollBallot))
        votes = (await s.scalars(select(PollVote))).all()
    assert ballot_row.submitted_at is not None and len(votes) == 2
    assert len(srv.answered_callbacks) == 4  # every press was answered (no spinner left)
