"""A meeting's announcement on Telegram: the real PTB Bot against the fake Bot API server.

What a teacher's phone receives is checked from the fake's records: a `sendDocument` with
an `.ics` that a calendar can import (read back with `icalendar`, times equal to the stored
ones, with the meeting's own length), the RSVP buttons on it, and that pressing `Hadir`
records the answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select

from kkgbot.app import App
from kkgbot.channels.telegram import TelegramChannel
from kkgbot.db.models import Identity
from kkgbot.meetings.models import Meeting, Rsvp
from tests.conftest import START
from tests.fakes.telegram_api import FakeTelegramServer, SentMessage
from tests.telegram_helpers import feed, telegram_on_movable_clock
from tests.test_engine import say

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
MEMBERS = {5101: "Ayu Telegram", 5102: "Baiq Telegram"}


@pytest.fixture
async def tg(settings) -> AsyncIterator[tuple[App, FakeTelegramServer, TelegramChannel]]:
    async with telegram_on_movable_clock(settings, START) as running:
        yield running


def ics_documents(srv: FakeTelegramServer, user: int) -> list[SentMessage]:
    return [
        m
        for m in srv.sent_messages(user)
        if m.method == "sendDocument" and m.document and m.document.filename.endswith(".ics")
    ]


async def test_announcement_brings_an_ics_document_and_hadir_is_recorded(tg):
    app, srv, channel = tg
    for user, name in MEMBERS.items():
        for text in ("/start GUGUS1", "Setuju", name, "SDN 3 Mataram"):
            await feed(app, channel, srv.user_sends(user, text))
    await say(
        app,
        "koordinator",
        "/jadwal Literasi Dasar; 2026-12-05 09:00-11:30; SDN 1 Mataram; Membaca terbimbing",
    )
    assert "tersimpan" in await say(app, "koordinator", "Ya")
    async with app.sessionmaker() as s:
        meeting = await s.scalar(select(Meeting))
    assert meeting.duration_minutes == 150

    for user in MEMBERS:
        (doc,) = ics_documents(srv, user)
        assert doc.request.params["chat_id"] == user
        assert doc.document.filename == f"rapat-{meeting.id}.ics"
        cal = icalendar.Calendar.from_ical(doc.document.content)
        (event,) = cal.walk("VEVENT")
        assert str(event["summary"]) == "Literasi Dasar"
        assert str(event["location"]) == "SDN 1 Mataram"
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert event["dtstart"].params["TZID"] == "Asia/Makassar"
        assert start == datetime(2026, 12, 5, 9, 0, tzinfo=ZoneInfo("Asia/Makassar"))
        assert start.astimezone(UTC) == meeting.starts_at
        assert end.astimezone(UTC) == meeting.starts_at + timedelta(minutes=150)
        assert end.astimezone(UTC) == datetime(2026, 12, 5, 3, 30, tzinfo=UTC)
        triggers = sorted(a.decoded("trigger") for a in event.walk("VALARM"))
        assert triggers == [timedelta(hours=-24), timedelta(hours=-2)]
        # The announcement is the document's caption, and the RSVP buttons come with it.
        assert "09.00–11.30 WITA" in (doc.text or "")
        assert [b["text"] for b in doc.buttons] == ["Hadir", "Tidak hadir", "Mungkin"]

    ayu = next(iter(MEMBERS))
    await feed(app, channel, srv.user_presses(ayu, "Hadir"))
    assert "tercatat: Hadir" in (srv.last_message(ayu).text or "")
    async with app.sessionmaker() as s:
        person = await s.scalar(
            select(Identity.person_id).where(
                Identity.channel == "telegram", Identity.address == str(ayu)
            )
        )
        answers = list(await s.scalars(select(Rsvp).where(Rsvp.meeting_id == meeting.id)))
    assert [(r.person_id, r.answer) for r in answers] == [(person, "yes")]
    assert srv.requests("answerCallbackQuery")  # the button's spinner was stopped
