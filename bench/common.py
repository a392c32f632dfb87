"""What every benchmark needs: the fake server process, a fresh database, the bot process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

from kkgbot.db.engine import make_engine
from kkgbot.db.migrate import upgrade
from kkgbot.db.models import OutboxMessage

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123:ABC"
PY = sys.executable


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Server:
    proc: asyncio.subprocess.Process
    base_url: str
    client: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=60))

    async def call(self, method: str, token: str = TOKEN, **params) -> dict:
        answer = await self.client.post(f"{self.base_url}{token}/{method}", json=params)
        return answer.json()["result"]

    async def configure(self, **options) -> None:
        await self.call("benchConfigure", options=options)

    async def stats(self, prefix: str = "", **flags) -> dict:
        return await self.call("benchStats", prefix=prefix, **flags)

    async def wait_for(self, prefix: str, chats: int, timeout: float) -> dict:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while True:
            found = await self.stats(prefix)
            if found["chats"] >= chats or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.2)


@asynccontextmanager
async def fake_server(seed: int = 1, tokens: list[str] | None = None) -> AsyncIterator[Server]:
    """The fake Bot API; with `tokens`, one bot per token behind the one address."""
    several = ["--tokens", ",".join(tokens)] if tokens else []
    proc = await asyncio.create_subprocess_exec(
        PY, "-m", "bench.fake_server", "--seed", str(seed), *several,
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    line = await asyncio.wait_for(proc.stdout.readline(), 30)
    server = Server(proc, line.decode().strip())
    try:
        yield server
    finally:
        await server.client.aclose()
        proc.terminate()
        await proc.wait()


async def _pg(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def database(backend: str) -> AsyncIterator[str]:
    """A fresh, migrated database: a SQLite file, or a PostgreSQL database of its own."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="kkgbench") as tmp:
            url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
            await upgrade(url)
            yield url
        return
    admin = os.environ["KKGBOT_BENCH_POSTGRES_URL"]
    name = f"kkgbot_bench_{uuid.uuid4().hex[:10]}"
    await _pg(admin, f'CREATE DATABASE "{name}"')
    url = f"{admin.rpartition('/')[0]}/{name}"
    try:
        await upgrade(url)
        yield url
    finally:
        await _pg(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def insert_messages(
    url: str, rows: list[tuple[str, str, datetime]], prefix: str, vias: list[str | None] = ()
) -> None:
    """Queue (address, text, not_before) rows as bulk messages, fast (executemany); `vias`:
    the bot of each row (default: the default bot)."""
    engine = make_engine(url)
    now = datetime.now(UTC)
    try:
        for start in range(0, len(rows), 5000):
            chunk = [
                {
                    "channel": "telegram",
                    "via": vias[start + i] if vias else None,
                    "address": address,
                    "kind": "bulk",
                    "priority": 10,
                    "payload": {"text": text},
                    "not_before": not_before,
                    "idempotency_key": f"{prefix}:{start + i}",
                    "status": "queued",
                    "attempts": 0,
                    "batch_id": prefix,
                    "created_at": now,
                    "updated_at": now,
                }
                for i, (address, text, not_before) in enumerate(rows[start : start + 5000])
            ]
            async with engine.begin() as conn:
                await conn.execute(insert(OutboxMessage), chunk)
    finally:
        await engine.dispose()


async def count_status(url: str, status: str) -> int:
    from sqlalchemy import func, select

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            query = select(func.count()).where(OutboxMessage.status == status)
            return int(await conn.scalar(query))
    finally:
        await engine.dispose()


class Bot:
    """`python bot.py run` as a child process, as in production."""

    def __init__(self, url: str, base_url: str, **env: str) -> None:
        self.env = {
            **os.environ,
            "KKGBOT_DATABASE_URL": url,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": base_url,
            **{k: str(v) for k, v in env.items()},
        }
        self.proc: asyncio.subprocess.Process | None = None
        self.started = 0.0
        self.ready_after = float("nan")
        self.scheduler_after = float("nan")  # the scheduler runs (before the sender is up)
        self._log: asyncio.Task[None] | None = None

    async def start(self, timeout: float = 60) -> float:  # noqa: ASYNC109
        """Start and wait until it runs; returns the seconds that took."""
        self.started = time.monotonic()
        self.proc = await asyncio.create_subprocess_exec(
            PY, "-m", "bench.bot_process", cwd=ROOT, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group: kill -9 takes its children too
        )  # fmt: skip
        ready = asyncio.get_running_loop().create_future()
        self._log = asyncio.create_task(self._read_log(ready))
        await asyncio.wait_for(ready, timeout)
        self.ready_after = time.monotonic() - self.started
        return self.ready_after

    async def _read_log(self, ready: asyncio.Future) -> None:
        assert self.proc and self.proc.stderr
        tail: list[str] = []
        async for raw in self.proc.stderr:
            line = raw.decode(errors="replace").rstrip()
            tail = (tail + [line])[-20:]
            if "scheduler started" in line:
                self.scheduler_after = time.monotonic() - self.started
            if "KKG Bot running" in line and not ready.done():
                ready.set_result(True)
        if not ready.done():
            ready.set_exception(RuntimeError("bot exited:\n" + "\n".join(tail)))

    def rss_mb(self) -> float:
        assert self.proc
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    async def stop(self, kill: bool = False) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        if kill:  # the bot and its dispatcher process die together, as in a crash
            os.killpg(self.proc.pid, signal.SIGKILL)
        else:
            self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        if self._log:
            await asyncio.gather(self._log, return_exceptions=True)


def soon(seconds: float = 0) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def add_telegram_members(app, people: int, first_chat: int, name: str) -> None:
    """`people` consented members of the demo KKG, on Telegram chats first_chat, +1, ..."""
    from sqlalchemy import select

    from kkgbot.db.models import Identity, Kkg
    from kkgbot.people import identities, roles

    async with app.sessionmaker() as s, s.begin():
        kkg = await s.scalar(select(Kkg).where(Kkg.invite_code == "GUGUS1"))
        now = app.clock.now()
        for n in range(people):
            person = identities.consented_member(
                name=f"{name} {n}", school="SDN 1", district_id=kkg.district_id, now=now
            )
            s.add(person)
            await s.flush()
            address = str(first_chat + n)
            s.add(
                Identity(person_id=person.id, channel="telegram", address=address, created_at=now)
            )
            await roles.join_kkg(s, person=person, kkg=kkg, now=now)
