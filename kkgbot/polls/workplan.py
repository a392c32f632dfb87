"""The KKG work plan (program kerja): topics planned month by month, and where they came from.

It is the bridge from what teachers asked for to what the KKG does: meetings read it
(`work_plan` in /rapat, `suggested_titles` in /jadwal), micro-learning follows it, and the
digest reports `vote_share`, the share of items adopted from members' votes rather than
chosen by the koordinator alone (the brief's "programmes written from above").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import dateparse_words as words
from kkgbot import i18n
from kkgbot.db import audit
from kkgbot.db.models import Kkg
from kkgbot.polls import group_posts
from kkgbot.polls.models import SOURCE_KOORDINATOR, SOURCE_POLL, WorkPlanItem
from kkgbot.polls.topics import PRACTICE, topic_kind, topic_title

MAX_MONTHS_AHEAD = 24
MAX_ITEMS = 40


class WorkPlanError(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


@dataclass(frozen=True)
class PlanEntry:
    id: int
    title: str  # as stored (Indonesian for catalogue topics)
    topic_id: str | None
    source: str  # "poll" | "koordinator"
    poll_id: int | None
    planned_month: date

    def label(self, lang: str) -> str:
        return topic_title(self.topic_id, self.title, lang)

    def line(self, lang: str) -> str:
        """`Januari 2027 · Literasi dasar (usulan anggota)`: one line of the plan."""
        return i18n.t(
            lang,
            f"workplan.line_{self.source}",
            month=month_name(self.planned_month, lang),
            title=self.label(lang),
        )


@dataclass(frozen=True)
class VoteShare:
    total: int
    from_votes: int

    @property
    def share(self) -> float | None:
        """0..1, or None when the KKG has no work plan yet (the digest says so)."""
        return self.from_votes / self.total if self.total else None


def month_name(month: date, lang: str) -> str:
    names = words.MONTH_NAMES_ID if lang == "id" else words.MONTH_NAMES_EN
    return f"{names[month.month - 1]} {month.year}"


def this_month(now: datetime, tz: str) -> date:
    local = now.astimezone(ZoneInfo(tz))
    return date(local.year, local.month, 1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def parse_month(text: str, now: datetime, tz: str, lang: str = "id") -> date:
    """`Januari 2027`, `jan 2027`, `2027-01`, `1/2027`, or `Maret` (the next March)."""
    s = " ".join(str(text).casefold().replace(",", " ").split())
    current = this_month(now, tz)
    month = year = None
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})", s):
        year, month = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{4})", s):
        month, year = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"([a-z]+)\.?(?: (\d{4}))?", s):
        month = words.MONTHS.get(m.group(1))
        year = int(m.group(2)) if m.group(2) else None
        if month is not None and year is None:
            year = current.year if month >= current.month else current.year + 1
    if month is None or year is None or not 1 <= month <= 12:
        raise WorkPlanError("workplan.bad_month")
    planned = date(year, month, 1)
    if planned < current:
        raise WorkPlanError("workplan.month_past", month=month_name(planned, lang))
    if planned > add_months(current, MAX_MONTHS_AHEAD):
        raise WorkPlanError("workplan.month_too_far", months=MAX_MONTHS_AHEAD)
    return planned


def _entry(item: WorkPlanItem) -> PlanEntry:
    return PlanEntry(
        item.id, item.title, item.topic_id, item.source, item.poll_id, item.planned_month
    )


async def work_plan(session: AsyncSession, kkg_id: int) -> list[PlanEntry]:
    """The KKG's plan in month order (what /rapat shows members)."""
    rows = await session.scalars(
        select(WorkPlanItem)
        .where(WorkPlanItem.kkg_id == kkg_id)
        .order_by(WorkPlanItem.planned_month, WorkPlanItem.id)
    )
    return [_entry(r) for r in rows]


async def suggested_titles(
    session: AsyncSession,
    kkg_id: int,
    *,
    now: datetime | None = None,
    lang: str = "id",
    limit: int = 5,
) -> list[str]:
    """Meeting titles to offer in /jadwal: planned topics from this month on, soonest first."""
    entries = await work_plan(session, kkg_id)
    if now is not None:
        kkg = await session.get(Kkg, kkg_id)
        current = this_month(now, kkg.timezone if kkg else "Asia/Makassar")
        entries = [e for e in entries if e.planned_month >= current]
    titles: list[str] = []
    for entry in entries:
        title = entry.label(lang)
        if title not in titles:
            titles.append(title)
    return titles[:limit]


async def vote_share(session: AsyncSession, kkg_id: int) -> VoteShare:
    """How many plan items are classroom practice chosen by members' votes (an exam or
    paperwork topic voted in does not count: topics.topic_kind)."""
    rows = (
        await session.execute(
            select(WorkPlanItem.source, WorkPlanItem.topic_id, WorkPlanItem.title).where(
                WorkPlanItem.kkg_id == kkg_id
            )
        )
    ).all()
    voted = sum(
        1 for source, topic_id, title in rows
        if source == SOURCE_POLL and topic_kind(topic_id, title) == PRACTICE
    )  # fmt: skip
    return VoteShare(len(rows), voted)


async def add_items(
    session: AsyncSession,
    *,
    kkg_id: int,
    items: list[tuple[str, str | None, date]],
    source: str,
    poll_id: int | None,
    actor_id: int | None,
    now: datetime,
) -> tuple[list[PlanEntry], list[str]]:
    """Add (title, topic_id, month) items; a topic already in the plan is skipped, not doubled.

    Returns the entries added and the titles skipped as already planned.
    """
    if source not in (SOURCE_POLL, SOURCE_KOORDINATOR):
        raise ValueError(f"unknown work plan source {source!r}")
    existing = await work_plan(session, kkg_id)
    known = {e.topic_id or e.title.casefold() for e in existing}
    if len(existing) + len(items) > MAX_ITEMS:
        raise WorkPlanError("workplan.too_many", max=MAX_ITEMS)
    added, skipped = [], []
    for title, topic_id, month in items:
        marker = topic_id or title.casefold()
        if marker in known:
            skipped.append(title)
            continue
        known.add(marker)
        row = WorkPlanItem(
            kkg_id=kkg_id,
            topic_id=topic_id,
            title=title[:80],
            source=source,
            poll_id=poll_id,
            planned_month=month,
            added_by_id=actor_id,
            created_at=now,
        )
        session.add(row)
        await session.flush()
        added.append(_entry(row))
    if added:
        audit.record(
            session,
            at=now,
            action="workplan.add",
            actor_person_id=actor_id,
            kkg_id=kkg_id,
            details={"items": [e.id for e in added], "source": source, "poll_id": poll_id},
        )
        key = f"kkg{kkg_id}:items{added[0].id}-{added[-1].id}"
        await group_posts.plan_adopted(session, kkg_id, [e.title for e in added], key, now)
    return added, skipped


async def remove_item(
    session: AsyncSession, *, kkg_id: int, item_id: int, actor_id: int | None, now: datetime
) -> bool:
    result = await session.execute(
        delete(WorkPlanItem).where(WorkPlanItem.id == item_id, WorkPlanItem.kkg_id == kkg_id)
    )
    if not result.rowcount:
        return False
    audit.record(
        session,
        at=now,
        action="workplan.remove",
        actor_person_id=actor_id,
        kkg_id=kkg_id,
        details={"item": item_id},
    )
    return True
