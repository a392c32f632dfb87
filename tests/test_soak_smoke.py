"""The soak's machinery at a tiny scale: a real `run` process against the fakes, one kill.

The figures at full scale are the benchmark's (`python -m bench --only soak`); this only
checks that seeding, the crowd, the kill and restart and the ledger fit together, and
that at this size nothing is lost or sent twice without an in-flight reason. It asserts
counts, never speeds.
"""

from __future__ import annotations

import json

import pytest

from bench.soak.plan import Scale
from bench.soak.run import soak

SMOKE = Scale(kkgs=2, members=6, duration=10.0, restarts=1, actions=2, drain=30.0, seed=3)


@pytest.mark.slow  # a soak run with a restart: 30-40 s
async def test_soak_smoke_loses_nothing_and_explains_every_duplicate():
    figures = await soak("sqlite", SMOKE)
    assert figures["restarts"] == 1
    assert figures["members"] == 12
    assert figures["actions"] > 0
    assert figures["outbox_rows"] > 0
    assert figures["lost"] == 0, figures
    assert figures["duplicates_unexplained"] == 0, json.dumps(figures, indent=1)
    assert figures["reminders_twice_unexplained"] == 0, figures
    assert figures["outbox_left"] == 0, figures
    # An update PTB fetched just before the kill can be lost (it confirms updates before
    # our handler commits): the only unhandled actions allowed are those, next to the kill.
    kinds = json.loads(figures["actions_not_handled_kinds"])
    assert all(kind.endswith(":near_kill") for kind in kinds), figures
    assert figures["crowd_errors"] == 0, figures
