"""RSVP presses in a KKG's Telegram group (issue 19) against the same presses in private
chats: each group press records the answer, confirms it privately and queues a redraw of
the group post, dropping the older queued redraws, so a burst leaves one edit for the
group's 20-a-minute lane. Figures: presses per second both ways, their ratio, and the
group edits left queued after the burst (no channel, no dispatcher). The Telegram adapter
handles one chat's updates one at a time, so a real group's presses leave exactly one; here
they run side by side, and on PostgreSQL transactions that overlap each keep their own."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import func, select

from bench.common import add_telegram_members, database
from kkgbot.app import App
from kkgbot.clock import SystemClock
from kkgbot.db.models import OutboxMessage
from kkgbot.groups import service as groups
from kkgbot.meetings.models import Meeting, Rsvp
from kkgbot.messages import Action, Inbound
from kkgbot.people import identities
from kkgbot.settings import Settings

GROUP = "-100999"


async def _presses(app: App, people: int, tag: str, group: str | None, message_id: str | None,
                   meeting_id: int, concurrency: int) -> float:  # fmt: skip
    sem = asyncio.Semaphore(concurrency)
    answers = ("yes", "no", "maybe")

    async def press(n: int) -> None:
        name = "grsvp" if group else "rsvp"
        # the group presses change each answer (a repeated answer is a shorter path)
        args = (meeting_id, answers[(n + 1) % 3], "n") if group else (meeting_id, answers[n % 3])
        async with sem:
            await app.router.handle(
                Inbound("telegram", str(30_000 + n), data=Action.of(name, *args).data,
                        external_id=f"{tag}{n}", group=group, message_id=message_id)
            )  # fmt: skip

    start = time.perf_counter()
    await asyncio.gather(*(press(n) for n in range(people)))
    return time.perf_counter() - start


async def group_presses(backend: str, people: int = 300, concurrency: int = 16) -> dict:
    async with database(backend) as url:
        app = App(Settings().model_copy(update={"database_url": url}), SystemClock())
        try:
            await app.seed_demo()
            await add_telegram_members(app, people, 30_000, "Guru Bench")
            async with app.sessionmaker() as s, s.begin():
                koordinator = await identities.by_identity(s, "console", "koordinator")
                await groups.link(s, person=koordinator, code="GUGUS1", channel="telegram",
                                  chat_id=GROUP, title="Bench", now=app.clock.now())  # fmt: skip
            await app.router.handle(Inbound("console", "koordinator",
                                            text="/jadwal Bench; 2027-01-20 09:00; Aula"))  # fmt: skip
            await app.router.handle(Inbound("console", "koordinator", text="Ya"))
            async with app.sessionmaker() as s:
                meeting_id = await s.scalar(select(Meeting.id))
            private = await _presses(app, people, "p", None, None, meeting_id, concurrency)
            grouped = await _presses(app, people, "g", GROUP, "4242", meeting_id, concurrency)
            async with app.sessionmaker() as s:
                queued = await s.scalar(
                    select(func.count()).select_from(OutboxMessage).where(
                        OutboxMessage.address == GROUP, OutboxMessage.status == "queued",
                        OutboxMessage.batch_id.is_not(None),
                    )
                )  # fmt: skip
                answered = await s.scalar(select(func.count()).select_from(Rsvp))
        finally:
            await app.close()
    return {
        "presses": people,
        "private_per_s": round(people / private, 1),
        "group_per_s": round(people / grouped, 1),
        "group_vs_private": round(private / grouped, 2),
        "group_edits_queued": queued,
        "answers_recorded": answered,
    }
