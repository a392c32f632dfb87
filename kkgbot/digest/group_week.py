"""The weekly "Pekan ini di KKG kita" post in each linked group: Monday 07:00 in the KKG's
zone, the next meeting and how many members have answered it, and the topic the KKG is
learning. Counts only, no names. The key names the KKG and the Monday, so a restart or a
moved clock posts each week once; a group linked after a Monday waits for the next one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg
from kkgbot.delivery.keys import idempotency_key, slot_key
from kkgbot.groups import posts
from kkgbot.groups.models import KkgGroup
from kkgbot.learning.learners import sequence
from kkgbot.meetings import service as meetings
from kkgbot.meetings.group_posts import counts
from kkgbot.meetings.notify import when_text
from kkgbot.meetings.rsvp import member_ids
from kkgbot.scheduling.jobs import Job
from kkgbot.scheduling.slots import next_slot, slots_between
from kkgbot.settings import Settings


def trigger(zone: str) -> CronTrigger:
    return CronTrigger(day_of_week="mon", hour=7, minute=0, timezone=zone)


async def week_text(session: AsyncSession, kkg: Kkg, now: datetime) -> str:
    lang = posts.LANG
    lines = [i18n.t(lang, "groups.week_header", kkg=kkg.name)]
    upcoming = [m for m in await meetings.upcoming(session, [kkg.id], now) if m.starts_at > now]
    if upcoming:
        meeting = upcoming[0]
        tally = await counts(session, meeting.id)
        members = len(await member_ids(session, kkg.id))
        lines.append(
            i18n.t(
                lang, "groups.week_meeting", title=meeting.title, when=when_text(meeting, kkg, lang)
            )  # fmt: skip
        )
        lines.append(i18n.t(lang, "groups.week_answered", n=sum(tally.values()), of=members))
    else:
        lines.append(i18n.t(lang, "groups.week_no_meeting"))
    modules = await sequence(session, kkg.id)
    if modules:
        lines.append(i18n.t(lang, "groups.week_topic", topic=modules[0].title))
    return "\n".join(lines)


def group_week_jobs(settings: Settings) -> list[Job]:
    async def linked(session: AsyncSession) -> list[tuple[KkgGroup, Kkg]]:
        rows = await session.execute(select(KkgGroup, Kkg).join(Kkg, Kkg.id == KkgGroup.kkg_id))
        return [(g, k) for g, k in rows]

    async def next_due(session: AsyncSession, after: datetime) -> datetime | None:
        zones = {kkg.timezone for _, kkg in await linked(session)}
        times = [t for z in zones if (t := next_slot(trigger(z), after)) is not None]
        return min(times, default=None)

    async def run(session: AsyncSession, now: datetime) -> None:
        for group, kkg in await linked(session):
            slots = slots_between(trigger(kkg.timezone), now - timedelta(days=7), now)
            if not slots or slots[-1] < group.linked_at:
                continue
            key = idempotency_key("week", slot_key(slots[-1]))
            text = await week_text(session, kkg, now)
            await posts.post(session, kkg, text, key=key, now=now)

    return [Job("group-week", next_due, run)]
