"""/dasbor on Telegram: the sign-in link goes out with link previews off (Telegram would
otherwise fetch it for a preview), and a guru gets a refusal without a link."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kkgbot.db.models import Kkg, Person
from kkgbot.people import roles
from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram_helpers import TOKEN, reply_to, telegram_bot
from tests.test_telegram import AYU, onboard


@pytest.fixture
async def srv():
    async with FakeTelegramServer(token=TOKEN) as server:
        yield server
        assert server.internal_errors == []


async def test_dasbor_link_without_preview(settings, srv):
    settings = settings.model_copy(update={"public_url": "https://kkg.example.id"})
    async with telegram_bot(settings, srv) as app:
        await onboard(srv, AYU, "Rina Koordinator")
        refused = (await reply_to(srv, AYU, "/dasbor"))[0]
        assert "/dasbor/masuk/" not in refused and "hanya untuk" in refused
        async with app.sessionmaker() as s, s.begin():
            person = await s.scalar(select(Person).where(Person.name == "Rina Koordinator"))
            kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
            await roles.grant(s, person=person, role="koordinator", kkg=kkg, now=app.clock.now())
        text = (await reply_to(srv, AYU, "/dashboard"))[0]
        assert "https://kkg.example.id/dasbor/masuk/" in text
        sent = srv.sent_messages(AYU)[-1]
        assert sent.request.params.get("link_preview_options") in (
            {"is_disabled": True},
            '{"is_disabled": true}',
        )
