"""Time moved by hand (the console, the tests, the corpus): everything due on the way runs,
moment by moment, as production's ticks would run it.

Production runs every job at every tick. A simulated clock steps from one due moment to the
next, and most steps have work for one or two of the ~20 jobs, so at each step only the jobs
that said they are due then (or overdue) run. What a job said holds until the database
changes: after a step that wrote anything, every job is asked again; after a step that wrote
nothing, only the jobs that ran. The first moment of a move runs every job, as production's
tick would, so work that people's messages made due between two moves is never missed.
Within a move, a job runs when its `next_due` says so (a moment at or before `after` means
overdue): one that reported a later moment than its real work would be late here, which the
console transcripts (tests/test_console_scripts.py) and the zone tests would show.
"""

from __future__ import annotations

from datetime import datetime

from kkgbot.clock import MovableClock
from kkgbot.db.writes import WriteCounter
from kkgbot.delivery.dispatcher import Dispatcher
from kkgbot.scheduling.jobs import Jobs, first_after


async def advance(
    jobs: Jobs,
    dispatcher: Dispatcher,
    clock: MovableClock,
    writes: WriteCounter,
    target: datetime,
) -> None:
    now = clock.now()
    # people's messages (or a test's rows) since the last move may have made work overdue
    # that no job's next moment shows: the first moment runs every job, as a tick would
    due: dict[int, datetime | None] = dict.fromkeys(range(len(jobs.jobs)), now)
    while True:
        before = writes.count
        ran = {i for i, when in due.items() if when is not None and when <= now}
        await jobs.run_due(now, ran)
        await dispatcher.drain()
        times, outbox_next = await jobs.due_times(now, None if writes.count != before else ran)
        due.update(times)
        upcoming = first_after(now, [*due.values(), outbox_next])
        if upcoming is None or upcoming > target:
            break
        clock.set(upcoming)
        now = upcoming
    if target > now:  # the tick at the target: sweeps, and anything overdue
        clock.set(target)
        await jobs.run_due(target, {i for i, when in due.items() if when and when <= target})
        await dispatcher.drain()
