"""A district's lesson push spread over a window (19:00-21:00) instead of one minute."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from kkgbot.db.models import District, OutboxMessage
from kkgbot.delivery import outbox
from kkgbot.people import kkgs

WITA = ZoneInfo("Asia/Makassar")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=WITA)


async def lessons(app) -> list[OutboxMessage]:
    async with app.sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.idempotency_key.like("lesson:%"))
            .order_by(OutboxMessage.not_before)
        )
        return list(rows)


async def window(app, minutes: int) -> None:
    async with app.sessionmaker() as session, session.begin():
        name = await session.scalar(select(District.name))
        await kkgs.set_delivery(
            session, name, bot=None, window_minutes=minutes, known_bots=set(), now=START
        )


START = local("2026-12-01 08:00")


async def test_a_push_spreads_over_the_window_each_member_once(console_app):
    await window(console_app, 120)
    await console_app.advance_to(local("2026-12-01 19:00"))
    rows = await lessons(console_app)
    assert len(rows) == 9  # the koordinator and eight teachers
    times = [r.not_before.astimezone(WITA) for r in rows]
    assert times[0] == local("2026-12-01 19:00") and times[-1] < local("2026-12-01 21:00")
    assert len(set(times)) == 9  # one after another, never two at the same moment
    assert [r.status for r in rows].count(outbox.SENT) == 1  # the rest wait for their time
    await console_app.advance_to(local("2026-12-01 20:00"))
    sent = [r for r in await lessons(console_app) if r.status == outbox.SENT]
    assert 4 <= len(sent) <= 6
    await console_app.advance_to(local("2026-12-01 21:00"))
    rows = await lessons(console_app)
    assert len(rows) == 9 and {r.status for r in rows} == {outbox.SENT}


async def test_without_a_window_the_push_is_due_at_once(console_app):
    await console_app.advance_to(local("2026-12-01 19:00"))
    rows = await lessons(console_app)
    assert len(rows) == 9 and {r.status for r in rows} == {outbox.SENT}


async def test_a_district_names_only_a_bot_of_the_deployment(console_app):
    async with console_app.sessionmaker() as session, session.begin():
        name = await session.scalar(select(District.name))
        with pytest.raises(kkgs.KkgError) as bad:
            await kkgs.set_delivery(
                session, name, bot="selatan", window_minutes=None, known_bots={"utara"}, now=START
            )
        assert bad.value.key == "admin.unknown_bot"
        district = await kkgs.set_delivery(
            session, name, bot="utara", window_minutes=None, known_bots={"utara"}, now=START
        )
        assert district.telegram_bot == "utara" and district.push_window_minutes == 0


async def test_an_invite_link_names_the_districts_bot(console_app):
    from kkgbot.messages import Inbound

    console_app.links.telegram_username = "kkg_bot"
    console_app.links.bots["utara"] = "kkg_utara_bot"

    async def invite() -> str:
        await console_app.router.handle(Inbound("console", "koordinator", text="/undang"))
        await console_app.dispatcher.drain()
        return console_app.transcript.getvalue()

    assert "https://t.me/kkg_bot?start=GUGUS1" in await invite()
    async with console_app.sessionmaker() as session, session.begin():
        name = await session.scalar(select(District.name))
        await kkgs.set_delivery(
            session, name, bot="utara", window_minutes=None, known_bots={"utara"}, now=START
        )
    assert "https://t.me/kkg_utara_bot?start=GUGUS1" in await invite()
