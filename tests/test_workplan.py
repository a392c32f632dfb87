"""The work plan service: months as teachers type them, and the share chosen by votes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from kkgbot.db.models import Kkg
from kkgbot.polls import workplan
from kkgbot.polls.models import SOURCE_KOORDINATOR, SOURCE_POLL
from kkgbot.polls.workplan import WorkPlanError
from tests.conftest import START

ZONE = "Asia/Makassar"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Januari 2027", date(2027, 1, 1)),
        ("jan 2027", date(2027, 1, 1)),
        ("2027-03", date(2027, 3, 1)),
        ("3/2027", date(2027, 3, 1)),
        ("Maret", date(2027, 3, 1)),  # the next March
        ("Desember", date(2026, 12, 1)),  # this month still counts
        ("March 2027", date(2027, 3, 1)),
    ],
)
def test_months_as_typed(text, expected):
    assert workplan.parse_month(text, START, ZONE) == expected


@pytest.mark.parametrize(
    "text, key",
    [
        ("2025-13", "workplan.bad_month"),
        ("Mei 2020", "workplan.month_past"),
        ("Januari 2030", "workplan.month_too_far"),
        ("🙂", "workplan.bad_month"),
        ("x" * 500, "workplan.bad_month"),
    ],
)
def test_bad_months_are_refused(text, key):
    with pytest.raises(WorkPlanError) as caught:
        workplan.parse_month(text, START, ZONE)
    assert caught.value.key == key


async def test_vote_share_and_suggestions(console_app):
    async with console_app.sessionmaker() as s, s.begin():
        kkg_id = await s.scalar(select(Kkg.id))
        assert (await workplan.vote_share(s, kkg_id)).share is None  # no plan yet
        await workplan.add_items(
            s,
            kkg_id=kkg_id,
            items=[("Literasi dasar", "literasi-dasar", date(2027, 2, 1))],
            source=SOURCE_POLL,
            poll_id=None,
            actor_id=None,
            now=START,
        )
        added, skipped = await workplan.add_items(
            s,
            kkg_id=kkg_id,
            items=[
                ("Literasi dasar", "literasi-dasar", date(2027, 3, 1)),
                ("Menulis laporan", None, date(2026, 11, 1)),
                ("Kelas rangkap", "kelas-rangkap", date(2027, 1, 1)),
            ],
            source=SOURCE_KOORDINATOR,
            poll_id=None,
            actor_id=None,
            now=START,
        )
        assert skipped == ["Literasi dasar"] and len(added) == 2
        share = await workplan.vote_share(s, kkg_id)
        assert (share.total, share.from_votes) == (3, 1)
        assert share.share == pytest.approx(1 / 3)
        # November 2026 is behind the clock's month: not a suggestion any more.
        assert await workplan.suggested_titles(s, kkg_id, now=START) == [
            "Kelas rangkap",
            "Literasi dasar",
        ]
        assert await workplan.suggested_titles(s, kkg_id, now=START, lang="en") == [
            "Multigrade teaching",
            "Foundational literacy",
        ]
