"""The soak itself: seed, start the fakes and the bot, let the crowd act, kill twice, drain.

The fake servers run in this process (the bot is a process of its own, so they do not
share its event loop), which lets the crowd and the ledger read their records directly.
Every wait has a bound: the activity window, the drain, each start-up.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import TOKEN, Bot, database
from bench.soak import ledger
from bench.soak.crowd import Crowd
from bench.soak.plan import FULL, Scale, seed
from kkgbot.delivery.outbox import PENDING_STATUSES
from kkgbot.meetings.service import code_key
from kkgbot.web.server import bound_socket
from tests.fakes.telegram_api import FakeTelegramServer
from tests.fakes.twilio_api import FakeTwilioServer

TWILIO_SID, TWILIO_TOKEN, TWILIO_FROM = (
    "AC" + "5" * 32,
    "soak-twilio-token",
    "whatsapp:+14155238886",
)
LEAD = 12.0  # seconds between the end of seeding and the origin: the first start-up
# Telegram and WhatsApp limits scaled up tenfold, as in the broadcast bench, so that a
# 2,000-member KKG district's bursts (a lesson slot, a reminder wave) fit in minutes.
SERVER = {
    "rate_limit_overall": 300.0,
    "rate_limit_per_chat": 1.0,
    "rate_limit_per_chat_burst": 3,
}


def bot_env(scale: Scale, plan, public: str, port: int, twilio: str) -> dict[str, object]:
    return {
        "KKGBOT_TELEGRAM_RATE": 300,
        "KKGBOT_WHATSAPP_RATE": 50,
        "KKGBOT_DISPATCHER_POLL": 0.1,
        "KKGBOT_DELIVERY_LEASE": 10,
        "KKGBOT_MAX_ATTEMPTS": 12,
        "KKGBOT_BACKOFF_BASE": 0.5,
        "KKGBOT_BACKOFF_MAX": 5,
        "KKGBOT_REMINDER_OFFSETS": "[" + ",".join(f"{h:.6f}" for h in plan.reminder_hours) + "]",
        "KKGBOT_REFLECTION_DELAY_HOURS": f"{plan.reflection_hours:.6f}",
        "KKGBOT_LOG_JSON": "false",
        "KKGBOT_PUBLIC_URL": public,
        "KKGBOT_HTTP_PORT": port,
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_WHATSAPP_FROM": TWILIO_FROM,
        "TWILIO_API_BASE_URL": twilio,
        "TWILIO_TEMPLATE_DEFAULT": "HX" + "0" * 32,
    }


def group_usage(pid: int) -> tuple[float, float, float]:
    """(RSS MB of the bot and its children, CPU seconds of the bot, of its children)."""
    rss, cpu, children_cpu, todo, seen = 0, 0.0, 0.0, [pid], set()
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            used = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
            if current == pid:
                cpu += used
            else:
                children_cpu += used
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            continue
    return rss / 1024, cpu, children_cpu


async def pending(url: str, end: float) -> int:
    from sqlalchemy import func, select

    from kkgbot.db.engine import make_engine
    from kkgbot.db.models import OutboxMessage

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            query = select(func.count()).where(
                OutboxMessage.status.in_(PENDING_STATUSES),
                OutboxMessage.not_before <= datetime.fromtimestamp(end, UTC),
            )
            return int(await conn.scalar(query))
    finally:
        await engine.dispose()


async def inbound_seen_ids(url: str) -> set[tuple[str, str]]:
    """Inbound updates and webhooks the bot handled (each once: `inbound_seen`)."""
    from sqlalchemy import select

    from kkgbot.db.engine import make_engine
    from kkgbot.db.models import InboundSeen

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(select(InboundSeen.channel, InboundSeen.external_id))
            return {(channel, external_id) for channel, external_id in found}
    finally:
        await engine.dispose()


async def soak(backend: str, scale: Scale = FULL) -> dict[str, float]:
    started = time.monotonic()
    rng = random.Random(scale.seed)
    async with (
        database(backend) as url,
        FakeTelegramServer(TOKEN, fault_seed=scale.seed) as telegram,
        FakeTwilioServer(TWILIO_SID, TWILIO_TOKEN, fault_seed=scale.seed) as twilio,
    ):
        telegram.configure(
            **SERVER, fault_rate=scale.fault_rate, fault_kinds=dict(scale.fault_kinds)
        )
        twilio.fault_rate = scale.fault_rate
        sock = bound_socket()
        port = sock.getsockname()[1]
        sock.close()  # the bot binds it itself, again after each restart
        public = f"http://127.0.0.1:{port}"
        plan = await seed(url, scale, code_key(TOKEN, TWILIO_TOKEN), lead=LEAD)
        seeded = time.monotonic() - started
        for member in plan.members:
            if member.channel == "whatsapp":  # they wrote recently: the 24-hour window is open
                twilio.last_inbound[f"whatsapp:{member.address}"] = time.time()
        env = bot_env(scale, plan, public, port, twilio.base_url)
        kills = sorted(
            plan.origin + scale.duration * (0.15 + 0.4 * (i + rng.random()) / scale.restarts)
            for i in range(scale.restarts)
        )
        bot = Bot(url, telegram.base_url, **env)
        startups = [await bot.start()]
        crowd = Crowd(plan, scale, telegram, twilio, public + "/twilio/whatsapp")
        crowd.start()
        samples: list[tuple[float, int, float, float, float]] = []  # time, run, MB, CPU s
        killed_at: list[float] = []
        spawned_at: list[float] = []
        end = plan.origin + scale.duration
        try:
            while time.time() < end:
                if kills and time.time() >= kills[0]:
                    kills.pop(0)
                    killed_at.append(time.time())
                    await bot.stop(kill=True)
                    bot = Bot(url, telegram.base_url, **env)
                    spawned_at.append(time.time())  # sends before this are the old process's
                    startups.append(await bot.start())
                samples.append((time.time(), len(startups), *group_usage(bot.proc.pid)))
                await asyncio.sleep(min(2.0, max(0.05, (kills or [end])[0] - time.time())))
            await crowd.wait(timeout=30)
            drain_until = time.time() + scale.drain
            sent_in = sum(1 for a in crowd.actions if not a.refused)
            while time.time() < drain_until:  # until the outbox is settled and inbound handled
                left = await pending(url, end + scale.drain)
                if not left and len(await inbound_seen_ids(url)) >= sent_in:
                    break
                samples.append((time.time(), len(startups), *group_usage(bot.proc.pid)))
                await asyncio.sleep(2)
            await asyncio.sleep(2)  # a duplicate on the wire would land now
            drained = time.time()
            waiting_updates = list(telegram.pending_updates)
        finally:
            await crowd.stop()
            await bot.stop()
        rows = await ledger.outbox_rows(url)
        accepted = ledger.accepted_messages(telegram, twilio)
        figures: dict[str, float] = {
            "members": scale.people,
            "kkgs": scale.kkgs,
            "whatsapp_members": sum(1 for m in plan.members if m.channel == "whatsapp"),
            "activity_s": scale.duration,
            "drain_s": round(drained - end, 1),
            "seed_s": round(seeded, 1),
        }
        figures |= ledger.reconcile(rows, accepted, spawned_at, drained)
        seen = await inbound_seen_ids(url)
        waiting = {f"u{u['update_id']}" for u in waiting_updates}
        figures |= ledger.answered(rows, crowd.actions, seen, killed_at, waiting)
        figures |= _faults(telegram, twilio, scale)
        figures |= _memory(samples)
        figures["restarts"] = len(killed_at)
        figures["startup_s_max"] = round(max(startups), 2)
        figures["updates_handled"] = len(seen)
        figures["crowd_errors"] = crowd.errors
        figures["zones_substituted"] = plan.zones_substituted
    return figures


def _faults(telegram: FakeTelegramServer, twilio: FakeTwilioServer, scale: Scale) -> dict:
    stats = telegram.stats
    twilio_faults = sum(1 for r in twilio.requests if r.get("status") in (429, 500))
    return {
        "fault_rate": scale.fault_rate,
        "fault_weights": json.dumps(dict(scale.fault_kinds)),
        "telegram_requests": stats["requests"],
        "telegram_faults": stats["drops_before"]
        + stats["drops_after"]
        + sum(n for code, n in stats["status_codes"].items() if code >= 500),
        "telegram_429": stats["429"],
        "telegram_drops_after": stats["drops_after"],
        "twilio_requests": len(twilio.requests),
        "twilio_faults": twilio_faults,
        "messages_sent": len(telegram.sent_messages()) + len(twilio.messages),
    }


def _memory(samples: list[tuple[float, int, float, float, float]]) -> dict:
    """RSS over the last incarnation (restarts reset memory): its first vs last third;
    and the CPU it used (the bot's main process, its Telegram dispatcher child)."""
    if not samples:
        return {}
    last = [s for s in samples if s[1] == samples[-1][1]]
    third = max(1, len(last) // 3)
    first = sum(s[2] for s in last[:third]) / third
    middle = sum(s[2] for s in last[third : 2 * third]) / max(1, len(last[third : 2 * third]))
    final = sum(s[2] for s in last[-third:]) / third
    span = max(1e-9, last[-1][0] - last[0][0])
    return {
        "rss_samples_last_run": len(last),
        "rss_first_third_mb": round(first, 1),
        "rss_last_third_mb": round(final, 1),
        "rss_growth_mb": round(final - first, 1),
        # the first third holds one-off warm-ups (matplotlib's first chart is ~45 MB):
        # a leak shows as growth from the middle third on
        "rss_growth_after_warmup_mb": round(final - middle, 1),
        "rss_peak_mb": round(max(s[2] for s in samples), 1),
        "cpu_main_pct": round(100 * (last[-1][3] - last[0][3]) / span),
        "cpu_dispatcher_pct": round(100 * (last[-1][4] - last[0][4]) / span),
    }
