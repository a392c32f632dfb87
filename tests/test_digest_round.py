"""The Monday round with its charts and workbooks drawn in a worker process: the worker
killed partway through (a real death, `os._exit` in the worker, which breaks the pool),
then the round run again: every supervisor has exactly one digest, nothing queued twice."""

from __future__ import annotations

import asyncio
import io
import os
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from kkgbot.app import render_workers
from kkgbot.clock import MovableClock, SystemClock
from kkgbot.db.models import FilePerson, Kkg, OutboxMessage, Person, Role, StoredFile
from kkgbot.digest import round_run
from kkgbot.digest import rounds as digest
from kkgbot.digest.jobs import digest_jobs
from kkgbot.digest.models import DigestRound
from kkgbot.digest.render_pool import DigestRenderer, default_workers
from kkgbot.people import roles
from tests.conftest import START
from tests.digest_data import build, new_member, person

MONDAY = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)  # 08:00 WITA, an hour after the slot
NEW_SUPERVISORS = 6
CRASH_AFTER = 3


class DyingWorker(DigestRenderer):
    """One worker, which exits (as an out-of-memory kill would) after `after` renders."""

    def __init__(self, after: int) -> None:
        super().__init__(1)
        self.after, self.renders = after, 0

    async def render(self, d, lang):
        self.renders += 1
        if self.renders == self.after + 1:
            self.pool().submit(os._exit, 1)  # queued behind the renders already submitted
        return await super().render(d, lang)


async def supervisors(app) -> list[int]:
    async with app.sessionmaker() as s, s.begin():
        kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
        for n in range(NEW_SUPERVISORS):
            sup = await new_member(s, kkg, f"sup{n}", f"Pengawas {n}")
            await roles.grant(s, person=sup, role="pengawas", kkg=kkg, now=START)
            await roles.revoke(s, person=sup, role="guru", kkg=kkg, now=START)
        return sorted(
            set(await s.scalars(select(Role.person_id).where(Role.role.in_(digest.DIGEST_ROLES))))
        )


async def run_round(app, renderer) -> None:
    (job,) = digest_jobs(app.settings, renderer)
    async with app.sessionmaker() as s, s.begin():
        await job.run(s, MONDAY)


async def counts(app) -> tuple[int, dict[int, int], int]:
    async with app.sessionmaker() as s:
        rounds = await s.scalar(select(func.count()).select_from(DigestRound))
        per_person = dict(
            (
                await s.execute(
                    select(OutboxMessage.person_id, func.count())
                    .where(OutboxMessage.idempotency_key.like("digest:%"))
                    .group_by(OutboxMessage.person_id)
                )
            ).all()
        )
        files = await s.scalar(select(func.count()).where(StoredFile.name.like("ringkasan-%")))
    return rounds, per_person, files


@pytest.mark.slow
async def test_a_worker_killed_mid_round_then_the_round_again(console_app, monkeypatch):
    monkeypatch.setattr(round_run, "BATCH_KKGS", 1)  # a batch a person: figures run ahead
    everyone = await supervisors(console_app)  # the demo's pengawas and admin, and six more
    renderer = DyingWorker(after=CRASH_AFTER)
    try:
        with pytest.raises(BrokenProcessPool):
            await run_round(console_app, renderer)
        rounds, per_person, files = await counts(console_app)
        # those rendered before the death are queued, whole; the rest nothing at all
        assert rounds == CRASH_AFTER
        assert list(per_person.values()) == [3] * CRASH_AFTER and files == 2 * CRASH_AFTER
        await run_round(console_app, renderer)  # a fresh pool: the round resumes
        rounds, per_person, files = await counts(console_app)
        assert rounds == len(everyone) and sorted(per_person) == everyone
        assert set(per_person.values()) == {3} and files == 2 * len(everyone)
        await run_round(console_app, renderer)  # and once more: nothing new
        assert await counts(console_app) == (rounds, per_person, files)
    finally:
        renderer.close()


@pytest.mark.slow
async def test_a_worker_draws_what_the_console_draws(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        await build(s)
        scope = await digest.scope_of(s, (await person(s, "pengawas")).id)
        built = await digest.build(s, scope, START, "Asia/Makassar", "id")
    pool = DigestRenderer(1)
    try:
        away = await pool.render(built, "id")
    finally:
        pool.close()
    here = digest.render(built, "id")
    assert (away.text, away.chart, away.chart_name) == (here.text, here.chart, here.chart_name)
    assert away.xlsx[:2] == b"PK" and len(away.xlsx) > 5000


async def test_two_rounds_at_once_queue_each_digest_once(console_app, caplog, monkeypatch):
    """Two instances (or a retried tick) running the same Monday together: the round row
    written first in each person's transaction lets one of them through, the other skips."""
    monkeypatch.setattr(round_run, "BATCH_KKGS", 3)
    everyone = await supervisors(console_app)
    await asyncio.gather(
        run_round(console_app, DigestRenderer(0)), run_round(console_app, DigestRenderer(0))
    )
    rounds, per_person, files = await counts(console_app)
    assert rounds == len(everyone) and sorted(per_person) == everyone
    assert set(per_person.values()) == {3} and files == 2 * len(everyone)
    skipped = [r for r in caplog.records if "not queued" in r.getMessage()]
    assert skipped  # the two did meet: one of them found the other's round row


def test_run_renders_in_workers_and_the_console_inline(settings):
    assert render_workers(settings, SystemClock()) == default_workers() >= 1
    assert render_workers(settings, MovableClock(START)) == 0  # transcripts stay in order
    three = settings.model_copy(update={"digest_render_workers": 3})
    assert render_workers(three, SystemClock()) == 3


async def test_each_workbook_is_filed_under_exactly_the_people_it_names(console_app):
    """Erasing a person deletes the files naming them (UU 27/2022): the Monday workbook is
    recorded under the inactive members it lists, the chart under nobody."""
    async with console_app.sessionmaker() as s, s.begin():
        await build(s)
    await run_round(console_app, DigestRenderer(0))
    async with console_app.sessionmaker() as s:
        ids_of = dict((await s.execute(select(Person.name, Person.id))).all())
        files = list(await s.scalars(select(StoredFile).where(StoredFile.name.like("ringkasan-%"))))
        filed = {
            f.id: set(
                await s.scalars(select(FilePerson.person_id).where(FilePerson.file_id == f.id))
            )
            for f in files
        }
    listed_somewhere = False
    for f in files:
        if f.name.endswith(".png"):
            assert filed[f.id] == set()
            continue
        book = load_workbook(io.BytesIO(f.data))
        sheet = "Tidak hadir 60 hari"
        names = (
            [r[1] for r in book[sheet].iter_rows(min_row=2, values_only=True)]
            if sheet in book.sheetnames
            else []
        )
        assert filed[f.id] == {ids_of[n] for n in names}
        listed_somewhere |= bool(names)
    assert listed_somewhere  # the pengawas's workbook does name inactive members
