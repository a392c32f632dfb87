"""Edit-in-place: a redrawn poll ballot replaces the earlier one instead of piling up.

Through the real PTB Bot against the fake Bot API: `payload["edit_of"]` becomes
editMessageText; "not modified" counts as sent; a message that is gone is sent anew.
"""

from __future__ import annotations

import pytest

from kkgbot.clock import MovableClock
from kkgbot.delivery import outbox
from kkgbot.messages import Choice
from tests.conftest import START
from tests.delivery_helpers import put, rows, telegram_app

CHAT = 41


@pytest.fixture
async def bot(settings):
    async with telegram_app(settings, MovableClock(START)) as pair:
        yield pair


async def ballot(app, text: str, edit_of: str | None = None) -> None:
    extra = {"edit_of": edit_of} if edit_of else {}
    await put(
        app,
        CHAT,
        text,
        kind=outbox.REPLY,
        choices=[Choice("Ya", "p:1:1"), Choice("Tidak", "p:1:2")],
        extra=extra,
    )
    await app.dispatcher.drain()


async def test_a_redrawn_ballot_edits_the_earlier_message(bot):
    app, srv = bot
    await ballot(app, "Rapat Sabtu? (0 suara)")
    first = (await rows(app))["Rapat Sabtu? (0 suara)"].external_id
    assert first is not None

    await ballot(app, "Rapat Sabtu? ✔ Ya (1 suara)", edit_of=first)

    assert len(srv.sent_messages(CHAT)) == 1  # no second ballot in the chat
    [edit] = srv.edits(CHAT)
    assert edit.method == "editMessageText" and edit.message_id == int(first)
    shown = srv.current_message(CHAT, int(first))
    assert shown["text"] == "Rapat Sabtu? ✔ Ya (1 suara)"
    assert [b["text"] for row in shown["reply_markup"]["inline_keyboard"] for b in row] == [
        "Ya",
        "Tidak",
    ]
    redrawn = (await rows(app))["Rapat Sabtu? ✔ Ya (1 suara)"]
    assert redrawn.status == outbox.SENT and redrawn.external_id == first


async def test_an_edit_that_changes_nothing_counts_as_sent(bot):
    app, srv = bot
    await ballot(app, "Rapat Sabtu? (0 suara)")
    first = (await rows(app))["Rapat Sabtu? (0 suara)"].external_id
    await put(
        app,
        CHAT,
        "Rapat Sabtu? (0 suara)",
        key="same-again",
        kind=outbox.REPLY,
        choices=[Choice("Ya", "p:1:1"), Choice("Tidak", "p:1:2")],
        extra={"edit_of": first},
    )
    await app.dispatcher.drain()

    assert len(srv.sent_messages(CHAT)) == 1 and srv.edits(CHAT) == []
    assert any(r.method == "editMessageText" and r.status == 400 for r in srv.requests())
    async with app.sessionmaker() as session:
        from sqlalchemy import select

        from kkgbot.db.models import OutboxMessage

        again = await session.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key == "same-again")
        )
    assert again.status == outbox.SENT and again.external_id == first


@pytest.mark.parametrize("gone", ["999999", "not-a-number"])
async def test_a_message_that_cannot_be_edited_is_sent_anew(bot, gone):
    app, srv = bot
    await ballot(app, "Rapat Sabtu? ✔ Tidak (1 suara)", edit_of=gone)

    [sent] = srv.sent_messages(CHAT)
    assert sent.text == "Rapat Sabtu? ✔ Tidak (1 suara)" and sent.buttons
    row = (await rows(app))["Rapat Sabtu? ✔ Tidak (1 suara)"]
    assert row.status == outbox.SENT and row.external_id == str(sent.message_id)


def test_outcomes_that_settle_a_row_map_to_their_status(settings):
    """One table (store.SETTLED): a channel's outcome -> the row's status."""
    from datetime import UTC, datetime

    from kkgbot.channels.base import HELD, INVALID, SENT, UNREACHABLE, SendResult
    from kkgbot.delivery import store

    now = datetime(2026, 12, 1, tzinfo=UTC)
    row = store.Claimed(1, None, "whatsapp", "+62", "bulk", 10, {}, now, 1, None, None)
    expected = {
        SENT: outbox.SENT,
        UNREACHABLE: outbox.UNREACHABLE,
        INVALID: outbox.DEAD,
        HELD: outbox.HELD,
    }
    for outcome, status in expected.items():
        result = SendResult(outcome, external_id="SM1", error="why")
        values = store.decide(store.Outcome(row, result, now), settings)
        assert values["status"] == status
        assert (values["sent_at"] is not None) == (status == outbox.SENT)
