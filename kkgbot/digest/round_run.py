"""One Monday round: who is due, and their digests rendered and queued one person at a time.

Rendering runs ahead of queuing by a few digests (a window twice the number of workers),
so the workers draw the next charts while this process writes the last ones; results are
queued in the order of the round, so the console's transcripts do not depend on timing.
Each person's `digest_rounds` row is written first in their transaction: a second
instance that raced for the same person and slot fails on the unique key and skips, and
nothing of a person is queued without their row (a crash keeps both or neither).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kkgbot import i18n
from kkgbot.db.models import District, Kkg, Person, Role
from kkgbot.digest import rounds as digest
from kkgbot.digest.figures import digest_figures
from kkgbot.digest.kkg_figures import KkgFigures
from kkgbot.digest.models import DigestRound
from kkgbot.digest.period import period_for
from kkgbot.digest.render import Digest
from kkgbot.digest.render_pool import DigestRenderer, Rendered
from kkgbot.people.messaging import Recipient
from kkgbot.school_calendar.calendar import Calendars

log = logging.getLogger(__name__)

BATCH_KKGS = 2000  # figures computed together; the next batch's while this one is queued


@dataclass(frozen=True)
class Due:
    slot: datetime
    scope: digest.DigestScope
    recipient: Recipient


async def due_people(
    session: AsyncSession,
    now: datetime,
    people: list[tuple[int, str, datetime, int | None]],
    slots: dict[str, datetime | None],
    default: str,
) -> dict[str, list[Due]]:
    """Per zone, the people whose latest slot (`slots`, per zone) has no digest yet.

    `people`: (person, zone, first pengawas/admin grant, district), see kkgbot.digest.jobs.
    """
    wanted = [s for s in slots.values() if s is not None]
    if not wanted:
        return {}
    done = set(
        (
            await session.execute(
                select(DigestRound.person_id, DigestRound.slot_at).where(
                    DigestRound.slot_at.in_(wanted)
                )
            )
        ).all()
    )
    calendars = Calendars(session)
    chosen = []
    for pid, zone, since, district_id in sorted(people):
        slot = slots[zone]
        if slot is None or slot < since or (pid, slot) in done:
            continue
        if (await calendars.district(district_id)).shift(slot, zone) > now:
            continue  # a holiday or break: the next school day
        chosen.append((pid, zone, slot))
    pids = [pid for pid, _, _ in chosen]
    scopes = await digest.scopes_of(session, pids)
    langs, zones = await _languages_and_zones(session, pids, default)
    due: dict[str, list[Due]] = {}
    for pid, zone, slot in chosen:
        recipient = Recipient(pid, langs.get(pid) or i18n.DEFAULT, zones[pid])
        due.setdefault(zone, []).append(Due(slot, scopes[pid], recipient))
    return due


async def _languages_and_zones(
    session: AsyncSession, pids: list[int], default: str
) -> tuple[dict[int, str | None], dict[int, str]]:
    """Each person's language, and their zone as `digest.zone_of` gives it (their district's,
    else their first KKG's, else the default), for the whole round in a few queries."""
    langs: dict[int, str | None] = {}
    zones: dict[int, str] = {}
    for start in range(0, len(pids), 5000):  # bound the IN lists
        part = pids[start : start + 5000]
        rows = await session.execute(
            select(Person.id, Person.language, District.timezone)
            .outerjoin(District, District.id == Person.district_id)
            .where(Person.id.in_(part))
        )
        for pid, lang, zone in rows:
            langs[pid] = lang
            if zone:
                zones[pid] = zone
        first = await session.execute(
            select(Role.person_id, Kkg.timezone)
            .join(Kkg, Kkg.id == Role.kkg_id)
            .where(Role.person_id.in_([p for p in part if p not in zones]))
            .order_by(Role.person_id, Role.id)
        )
        for pid, zone in first:
            zones.setdefault(pid, zone)
    return langs, {pid: zones.get(pid, default) for pid in pids}


def batches(due: dict[str, list[Due]]) -> list[tuple[str, list[Due]]]:
    """The round in batches of about BATCH_KKGS KKGs (a person's KKGs in one batch)."""
    out: list[tuple[str, list[Due]]] = []
    for zone, todo in due.items():
        part: list[Due] = []
        kkgs = 0
        for d in todo:
            part.append(d)
            kkgs += len(d.scope.kkg_ids)
            if kkgs >= BATCH_KKGS:
                out.append((zone, part))
                part, kkgs = [], 0
        if part:
            out.append((zone, part))
    return out


async def run_round(
    session: AsyncSession, renderer: DigestRenderer, due: dict[str, list[Due]], now: datetime
) -> None:
    """Figures of the next batch are computed (by the database) while this batch's digests
    are rendered (by the workers) and queued; each person in a transaction of their own
    (not the runner's), so a crash keeps every digest already queued."""
    sessions = async_sessionmaker(session.bind, expire_on_commit=False)
    work = batches(due)
    started = time.perf_counter()

    async def figures_of(zone: str, part: list[Due]) -> dict[int, KkgFigures]:
        ids = sorted({k for d in part for k in d.scope.kkg_ids})
        async with sessions() as reader:
            return await digest_figures(reader, ids, period_for(now, zone), names=True)

    ahead = asyncio.ensure_future(figures_of(*work[0])) if work else None
    try:
        for n, (_, part) in enumerate(work):
            computed = await ahead
            ahead = asyncio.ensure_future(figures_of(*work[n + 1])) if n + 1 < len(work) else None
            await send_round(session, sessions, renderer, part, computed, now)
    finally:
        if ahead is not None:  # a failed round: the next batch's figures are not wanted
            ahead.cancel()
            await asyncio.gather(ahead, return_exceptions=True)
    log.info("digest round: %d queued in %d batches in %.1f s",
             sum(len(p) for _, p in work), len(work), time.perf_counter() - started)  # fmt: skip


async def send_round(
    session: AsyncSession,
    sessions: async_sessionmaker[AsyncSession],
    renderer: DigestRenderer,
    todo: list[Due],
    computed: dict[int, KkgFigures],
    now: datetime,
) -> None:
    """Render (ahead, in the workers) and queue each person's digest in their own commit."""
    window = max(1, 2 * renderer.workers)
    pending: deque[tuple[Due, Digest | None, asyncio.Future[Rendered] | None]] = deque()
    try:
        for due in todo:
            built, task = None, None
            if due.scope.kkg_ids:
                r = due.recipient
                built = await digest.build(
                    session, due.scope, now, r.timezone, r.language, computed
                )
                task = asyncio.ensure_future(renderer.render(built, r.language))
            pending.append((due, built, task))
            while len(pending) >= window:
                await _commit(sessions, *pending.popleft(), now)
        while pending:
            await _commit(sessions, *pending.popleft(), now)
    finally:  # a failed round: the renders still under way are not wanted any more
        tasks = [task for _, _, task in pending if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _commit(
    sessions: async_sessionmaker[AsyncSession],
    due: Due,
    built: Digest | None,
    task: asyncio.Future[Rendered] | None,
    now: datetime,
) -> None:
    rendered = await task if task is not None else None
    person_id = due.recipient.person_id
    try:
        async with sessions() as session, session.begin():
            kkgs = len(due.scope.kkg_ids)
            session.add(DigestRound(person_id=person_id, slot_at=due.slot, sent_at=now, kkgs=kkgs))
            await session.flush()  # claims the slot before anything is queued
            if built is not None and rendered is not None:
                await digest.enqueue(session, due.recipient, built, rendered, now, due.slot)
    except IntegrityError as exc:  # another instance (or an erased person): theirs stands
        log.warning("digest of person %s for %s not queued: %s", person_id, due.slot, exc.orig)
