"""Scale-out (issue 21): two `bot.py run` processes in webhook mode on one PostgreSQL.

- `updates_per_s_1proc` / `_2proc`: the same webhook load (teachers sending `/bantuan`,
  16 at a time, as Telegram posts with `max_connections`), counted when the webhook
  answers 200, that is once the update is handled and its reply queued; posted to one
  process, or round robin to both, in alternating rounds with both running (only where
  the load goes changes). `ratio_2proc_1proc` sets them side by side.
- `leader_takeover_s`: from the SIGKILL of the scheduler's process (with its dispatcher
  child) to the standby's first tick as leader (its log line), the worst of `trials`;
  the killed one is started again and becomes the standby for the next trial.
- `duplicate_reminders`: per trial a meeting whose reminder falls due around the kill (a
  little later each trial, so some kills land in the leader's tick): reminder rows queued
  beyond one per member, plus copies delivered twice that no reclaimed send explains.
  Must be 0. `reminders_resent_in_flight` counts the allowed repeat: a send the dead
  process had on the wire, sent again by the survivor when its claim ran out.
- `unanswered`, `replies_duplicated`: every update gets exactly one reply (both 0).
- `cpu_ms_per_update_*`: CPU both processes (and their dispatcher children) used per
  update, and `cores_used_*` the cores they got meanwhile: on a machine shared with other
  work, updates per second follow the share of the cores the processes get.
- `db_connections_peak_2proc`: server connections both processes held at once under load
  (each process: its pool and its dispatcher child's, 10 + 10 overflow apiece at most).
- `telegram_429_under_load`: the fake Bot API enforces Telegram's limits (30/s per bot);
  each process paces itself to them, so two together may exceed them until each bot's
  lane is leased to one process at a time.

The fake Bot API runs in a process of its own; everything shares the machine's cores.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from bench.common import TOKEN, database, fake_server
from bench.scale_out_parts import (
    LEADER_LINE,
    ConnectionPeak,
    Instance,
    add_meeting,
    free_port,
    instance_env,
    message_update,
    post_updates,
    reminder_rows,
    seed_kkg,
)

HALF_HOUR = timedelta(minutes=30)  # instance_env reminds half an hour before a meeting
LOAD_ID = 800_000  # the teachers who send the load, each once
TRIAL_IDS = 850_000  # + 10_000 per trial


async def _load(urls: list[str], first_id: int, n: int) -> float:
    """Seconds to have `n` teachers' updates handled, posted round robin to `urls`."""
    updates = [message_update(first_id + i, first_id + i, "/bantuan") for i in range(n)]
    elapsed, statuses = await post_updates(urls, updates, concurrency=16)
    refused = [s for s in statuses if s != 200]
    if refused:
        raise RuntimeError(f"{len(refused)} webhooks refused: {Counter(refused)}")
    return elapsed


async def _compare(a: Instance, b: Instance, updates: int) -> dict[str, float]:
    """Updates per second through one process, then through both, in alternating rounds
    (the machine is shared: alternating spreads its ups and downs over both); a warm-up
    round first, so neither side pays for the first connections and queries. The CPU the
    processes used per update does not depend on what else runs on the machine, and their
    CPU per second of wall time says how much of a core they got."""
    await _load([a.url, b.url], LOAD_ID, 32)
    first, per_round = LOAD_ID + 32, updates // 2
    seconds, cpu = {1: 0.0, 2: 0.0}, {1: 0.0, 2: 0.0}
    for r, procs in enumerate((1, 2, 1, 2)):
        urls = [a.url] if procs == 1 else [a.url, b.url]
        before = a.cpu_seconds() + b.cpu_seconds()
        seconds[procs] += await _load(urls, first + r * per_round, per_round)
        cpu[procs] += a.cpu_seconds() + b.cpu_seconds() - before
    n = 2 * per_round
    return {
        "updates_per_s_1proc": round(n / seconds[1], 1),
        "updates_per_s_2proc": round(n / seconds[2], 1),
        "ratio_2proc_1proc": round(seconds[1] / seconds[2], 2),
        "cpu_ms_per_update_1proc": round(1000 * cpu[1] / n, 1),
        "cpu_ms_per_update_2proc": round(1000 * cpu[2] / n, 1),
        "cores_used_1proc": round(cpu[1] / seconds[1], 2),
        "cores_used_2proc": round(cpu[2] / seconds[2], 2),
    }


async def scale_out(backend: str, updates: int = 600, members: int = 300, trials: int = 5):
    if backend != "postgres":
        raise RuntimeError("scale-out needs PostgreSQL (KKGBOT_BENCH_POSTGRES_URL)")
    async with database(backend) as url, fake_server() as srv:
        await srv.configure(flood_limits=True)
        answered = 32 + 4 * (updates // 2)  # the warm-up, then two rounds each way
        await seed_kkg(url, "KKG Beban", LOAD_ID, answered)
        trial_kkgs = [
            await seed_kkg(url, f"KKG Uji {t}", TRIAL_IDS + 10_000 * t, members)
            for t in range(trials)
        ]
        env = instance_env(url, srv.base_url, f"http://127.0.0.1:{free_port()}", TOKEN)
        env["KKGBOT_DELIVERY_LEASE"] = "5"  # reclaimed sends come back within the run
        a, b = Instance("a", env), Instance("b", env)
        running = [a, b]
        try:
            await a.start()
            await a.wait_line(LEADER_LINE, 30)
            await b.start()
            async with ConnectionPeak(url) as connections:
                throughput = await _compare(a, b, updates)
            await srv.wait_for("", answered, timeout=120)
            await asyncio.sleep(1)  # a late second copy would show now
            after_load = await srv.stats()

            leader, standby = a, b
            takeovers: list[float] = []
            meetings: list[int] = []
            for t, kkg_id in enumerate(trial_kkgs):
                due_in = 2.0
                starts = datetime.now(UTC) + HALF_HOUR + timedelta(seconds=due_in)
                meetings.append(await add_meeting(url, kkg_id, starts, f"Rapat uji {t + 1}"))
                await asyncio.sleep(due_in + 0.4 * t)  # due, then a little later each trial
                killed = leader.kill()
                took = await standby.wait_line(LEADER_LINE, 60, after=killed)
                takeovers.append(took - killed)
                await leader.stop()
                running.remove(leader)
                fresh = Instance(f"{leader.name}'", env)
                running.append(fresh)
                await fresh.start()
                leader, standby = standby, fresh

            total = answered + trials * members
            await srv.wait_for("", total, timeout=120)
            await asyncio.sleep(2)  # a late second copy would show now
            final = await srv.stats()
            extra_rows, reclaimed, missing = 0, 0, 0
            for meeting in meetings:
                rows = await reminder_rows(url, meeting)
                queued = Counter(address for address, _ in rows)
                extra_rows += sum(n - 1 for n in queued.values())
                missing += members - len(queued)
                reclaimed += sum(1 for _, attempts in rows if attempts > 1)
            # chats given a message twice: the replies' (load) and then the reminders'
            repeats = final["duplicates"] - after_load["duplicates"]
        finally:
            codes = [await i.stop() for i in running]
    return {
        "updates": updates,  # through each: one process, and two
        **throughput,
        "db_connections_peak_2proc": connections.peak,
        "unanswered": answered - after_load["chats"],
        "replies_duplicated": after_load["duplicates"],
        "telegram_429_under_load": after_load["stats"]["429"],
        "trials": trials,
        "reminder_members": members,
        "leader_takeover_s": round(max(takeovers), 2),
        "leader_takeover_s_mean": round(sum(takeovers) / len(takeovers), 2),
        "duplicate_reminders": extra_rows + max(0, repeats - reclaimed),
        "reminders_missing": missing + (total - final["chats"]),
        "reminders_resent_in_flight": min(repeats, reclaimed),
        "clean_exits": sum(1 for c in codes if c == 0),
    }
