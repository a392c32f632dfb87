"""The reply corpus as a test: what teachers type must keep being understood.

The fast suite plays one case in eight of the two development files on every backend, so a
change that makes the bot misread people fails quickly; the `slow` step of CI (`pytest -m
slow`) plays every development case. The held-out file is never asserted on: its figure is
reported by `python -m tests.corpus_harness` only, so nobody tunes the reader to it.
"""

from __future__ import annotations

import pytest

from tests import corpus_harness as corpus
from tests.conftest import BACKENDS, PG_URL

EVERY = 8  # one case in eight from each development file, about 84 cases per backend


def development_cases(every: int) -> list[corpus.Case]:
    return (corpus.load("dev") + corpus.load("dev2"))[::every]


async def check(cases: list[corpus.Case], backend: str) -> None:
    results = await corpus.play(cases, PG_URL if backend == "postgres" else None)
    f = corpus.figures(results)
    wrong = "\n".join(
        f"{r.case.scenario}: {r.case.text!r} want {r.case.expected} got {r.got}"
        for r in results
        if not r.ok
    )
    assert f["understood"] >= 0.97 * f["cases"], wrong
    assert f["non_answers_taken"] == 0, wrong
    assert f["misrouted_changes"] <= max(1, 0.01 * f["cases"]), wrong


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_sample_of_the_development_corpus_is_understood(backend: str) -> None:
    await check(development_cases(EVERY), backend)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
async def test_the_whole_development_corpus_is_understood(backend: str) -> None:
    await check(development_cases(1), backend)
