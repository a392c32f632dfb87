"""Helpers shared by the delivery and dispatcher tests: a bot wired to the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import select

from kkgbot.app import App
from kkgbot.channels.telegram import TelegramChannel
from kkgbot.clock import Clock
from kkgbot.db.models import OutboxMessage, Person
from kkgbot.delivery import outbox
from kkgbot.delivery.outbox import Draft
from kkgbot.people import identities as people
from kkgbot.settings import Settings
from tests.fakes.telegram_api import FakeTelegramServer

TOKEN = "123:ABC"


@asynccontextmanager
async def telegram_app(
    settings: Settings, clock: Clock
) -> AsyncIterator[tuple[App, FakeTelegramServer]]:
    """The real App with the real PTB channel against a fake Bot API on 127.0.0.1."""
    async with FakeTelegramServer(token=TOKEN) as srv:
        app = App(settings, clock)
        channel = TelegramChannel(TOKEN, srv.base_url, app.router.handle)
        app.add_channel(channel)
        await channel.start(polling=False)
        try:
            yield app, srv
        finally:
            await channel.stop()
            await app.close()


async def person(app: App, chat: int) -> int:
    async with app.sessionmaker() as session, session.begin():
        who, _ = await people.get_or_create(session, "telegram", str(chat), app.clock.now(), "id")
        return who.id


async def put(
    app: App,
    chat: int,
    text: str,
    *,
    kind: str = outbox.BULK,
    key: str | None = None,
    person_id: int | None = None,
    not_before: datetime | None = None,
    **extra,
) -> bool:
    draft = Draft(
        channel="telegram",
        address=str(chat),
        text=text,
        key=key or f"test:{chat}:{text}",
        kind=kind,
        person_id=person_id,
        not_before=not_before,
        **extra,
    )
    async with app.sessionmaker() as session, session.begin():
        return await outbox.enqueue(session, draft, app.clock.now())


async def rows(app: App) -> dict[str, OutboxMessage]:
    async with app.sessionmaker() as session:
        found = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return {r.payload["text"]: r for r in found}


async def load_person(app: App, person_id: int) -> Person:
    async with app.sessionmaker() as session:
        found = await session.get(Person, person_id)
        assert found is not None
        return found
