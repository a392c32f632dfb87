"""The reply corpus as a test: what teachers type must keep being understood.

The fast suite plays one case in twenty-four of the development files on SQLite, so a change
that makes the bot misread people fails quickly; the `slow` step of CI (`pytest -m slow`)
plays one in three on SQLite and one in sixteen on PostgreSQL (each case there is a fresh
database made from a template, which costs about a second). Every case of every file is
played by `python -m tests.corpus_harness`, whose figures the issue notes report. The held-out
file is never asserted on, so nobody tunes the reader to it.
"""

from __future__ import annotations

import pytest

from tests import corpus_harness as corpus
from tests.conftest import PG_URL


def development_cases(every: int, part: int = 0, parts: int = 1) -> list[corpus.Case]:
    """Every `every`-th case; with `parts`, only the scenarios of one part, so the parts run
    side by side on the test workers and each scenario is still built once."""
    cases = [c for name in corpus.DEVELOPMENT for c in corpus.load(name)][::every]
    scenarios = sorted({c.scenario for c in cases})
    mine = set(scenarios[part::parts])
    return [c for c in cases if c.scenario in mine]


async def check(cases: list[corpus.Case], pg_url: str | None = None) -> None:
    results = await corpus.play(cases, pg_url)
    f = corpus.figures(results)
    wrong = "\n".join(
        f"{r.case.scenario}: {r.case.text!r} want {r.case.expected} got {r.got}"
        for r in results
        if not r.ok
    )
    assert f["understood"] >= 0.97 * f["cases"], wrong
    assert f["non_answers_taken"] <= max(1, 0.01 * f["cases"]), wrong
    assert f["misrouted_changes"] <= max(1, 0.01 * f["cases"]), wrong


@pytest.mark.parametrize("part", range(3))
async def test_a_sample_of_the_development_corpus_is_understood(part: int) -> None:
    await check(development_cases(24, part, 3))


@pytest.mark.slow
async def test_a_third_of_the_development_corpus_is_understood() -> None:
    await check(development_cases(3))


@pytest.mark.slow
@pytest.mark.skipif(not PG_URL, reason="KKGBOT_TEST_POSTGRES_URL is not set")
async def test_a_sample_of_the_development_corpus_on_postgresql() -> None:
    await check(development_cases(16), PG_URL)
