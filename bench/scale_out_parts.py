"""What the scale-out benchmark and its test share: `bot.py run` instances behind a
stand-in load balancer, teachers seeded straight into the database, webhooks posted.

The instances are real `python bot.py run` processes in webhook mode on one PostgreSQL.
Each runs in a session of its own, so a SIGKILL takes its dispatcher child with it, as a
crash of the machine would; the standby must then take over the scheduling.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from kkgbot.db.engine import make_engine
from kkgbot.db.models import Identity, OutboxMessage, Role
from kkgbot.meetings import service as meetings
from kkgbot.people import kkgs
from kkgbot.people.identities import consented_member

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET = "scale-out-secret"
LEADER_LINE = "this instance is the scheduler"
READY_LINE = "KKG Bot running"


def free_port() -> int:
    from kkgbot.web.server import bound_socket

    sock = bound_socket()
    port = sock.getsockname()[1]
    sock.close()  # the process binds it itself
    return port


class Instance:
    """One `bot.py run` behind the load balancer; its log lines kept with their arrival."""

    def __init__(self, name: str, env: dict[str, str]) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "KKGBOT_HTTP_PORT": str(self.port)}
        self.proc: asyncio.subprocess.Process | None = None
        self.lines: list[tuple[float, str]] = []  # (time.monotonic(), line)
        self._reader: asyncio.Task[None] | None = None

    async def start(self, timeout: float = 60) -> None:  # noqa: ASYNC109
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, os.path.join(ROOT, "bot.py"), "run",
            cwd=ROOT, env=self.env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            start_new_session=True,  # its own process group: SIGKILL takes its children too
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read())
        await self.wait_line(READY_LINE, timeout)

    async def _read(self) -> None:
        assert self.proc and self.proc.stderr
        async for raw in self.proc.stderr:
            self.lines.append((time.monotonic(), raw.decode(errors="replace").rstrip()))

    def line_at(self, needle: str, after: float = 0.0) -> float | None:
        """When the first line containing `needle` arrived after `after` (monotonic)."""
        return next((t for t, line in self.lines if t >= after and needle in line), None)

    async def wait_line(self, needle: str, timeout: float, after: float = 0.0) -> float:  # noqa: ASYNC109
        deadline = time.monotonic() + timeout
        while (at := self.line_at(needle, after)) is None:
            if self.proc is None or self.proc.returncode is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: no {needle!r} in {timeout}s:\n{self.tail()}")
            await asyncio.sleep(0.02)
        return at

    def tail(self, n: int = 25) -> str:
        return "\n".join(line for _, line in self.lines[-n:])

    @property
    def is_leader(self) -> bool:
        """From its own log: it took the lock (and, once killed, is no longer running)."""
        return self.running and self.line_at(LEADER_LINE) is not None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def cpu_seconds(self) -> float:
        """CPU time used so far by the process and its children (the dispatcher)."""
        if not self.running:
            return 0.0
        assert self.proc is not None
        pids = [self.proc.pid]
        with contextlib.suppress(OSError):
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            pids += [int(pid) for pid in children.split()]
        total = 0.0
        for pid in pids:
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    async def health(self) -> dict:
        async with httpx.AsyncClient(timeout=10) as client:
            return (await client.get(self.url + "/healthz")).json()

    def kill(self) -> float:
        """SIGKILL to the whole process group, as a crash; returns when (monotonic)."""
        assert self.proc is not None
        at = time.monotonic()
        os.killpg(self.proc.pid, signal.SIGKILL)
        return at

    async def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                os.killpg(self.proc.pid, signal.SIGKILL)
                await self.proc.wait()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        return self.proc.returncode


def instance_env(url: str, telegram_base_url: str, public_url: str, token: str) -> dict:
    return {
        "KKGBOT_DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": telegram_base_url,
        "KKGBOT_PUBLIC_URL": public_url,  # the load balancer's address, the same for all
        "KKGBOT_WEBHOOK_SECRET": SECRET,
        "KKGBOT_LOG_JSON": "true",
        "KKGBOT_REMINDER_OFFSETS": "[0.5]",  # half an hour before: due work a test can place
    }


async def seed_kkg(url: str, name: str, first_id: int, members: int) -> int:
    """A KKG of consented Telegram teachers with chat ids from `first_id`; returns its id."""
    now = datetime.now(UTC)
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            kkg = await kkgs.create_kkg(
                session, name=name, district="Kabupaten Skala", timezone="Asia/Makassar",
                now=now, actor="seed",
            )  # fmt: skip
            people = [
                consented_member(
                    name=f"Guru {first_id + n}",
                    school="SDN 1 Skala",
                    district_id=kkg.district_id,
                    now=now,
                )  # fmt: skip
                for n in range(members)
            ]
            session.add_all(people)
            await session.flush()
            for n, person in enumerate(people):
                address = str(first_id + n)
                session.add(Identity(person_id=person.id, channel="telegram", address=address,
                                     created_at=now))  # fmt: skip
                session.add(Role(person_id=person.id, role="guru", kkg_id=kkg.id, granted_at=now))
            await session.commit()
            return kkg.id
    finally:
        await engine.dispose()


async def add_meeting(url: str, kkg_id: int, starts_at: datetime, title: str) -> int:
    """A meeting set now: its reminder (the instances remind half an hour ahead) is due at
    `starts_at` minus 30 minutes."""
    now = datetime.now(UTC)
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session:
            draft = meetings.MeetingDraft(
                kkg_id=kkg_id, title=title, starts_at=starts_at, place="SDN 1 Skala"
            )
            meeting = await meetings.create_meeting(
                session, draft, creator_id=None, now=now, code_key=meetings.code_key("scale")
            )
            await session.commit()
            return meeting.id
    finally:
        await engine.dispose()


async def reminder_rows(url: str, meeting_id: int) -> list[tuple[str, int]]:
    """A meeting's reminders in the outbox: (address, attempts) per row. Each address must
    appear once; attempts above 1 mean a dispatcher died with the send claimed, and another
    sent it again (the one repeat the house allows: a send in flight)."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(OutboxMessage.address, OutboxMessage.attempts).where(
                    OutboxMessage.idempotency_key.like(f"reminder:meeting-{meeting_id}:%")
                )
            )
            return [(address, attempts) for address, attempts in rows]
    finally:
        await engine.dispose()


def message_update(update_id: int, user_id: int, text: str) -> dict:
    """A Telegram Update as Telegram posts it to a webhook: a private message."""
    user = {"id": user_id, "is_bot": False, "first_name": "Guru", "language_code": "id"}
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "Guru"},
        "from": user,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


async def post_updates(
    urls: list[str], updates: Iterable[dict], concurrency: int = 16
) -> tuple[float, list[int]]:
    """Posts each update to the next instance in turn (round robin, as a load balancer),
    `concurrency` at a time, as Telegram does with `max_connections`; each answer comes only
    once the update is handled and its reply queued. Returns the seconds and the statuses."""
    todo = list(updates)
    statuses: list[int] = [0] * len(todo)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    next_index = iter(range(len(todo)))
    limits = httpx.Limits(max_connections=concurrency * 2)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def worker() -> None:
            for i in next_index:
                url = urls[i % len(urls)] + "/telegram/webhook"
                answer = await client.post(url, content=json.dumps(todo[i]), headers=headers)
                statuses[i] = answer.status_code

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started, statuses


class ConnectionPeak:
    """The most server connections the bot processes held at once on their database (their
    pools, the scheduler's lock session, the dispatcher children's pools), sampled."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("postgresql+asyncpg://", "postgresql://")
        self.peak = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ConnectionPeak:
        self._task = asyncio.create_task(self._sample())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _sample(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.url)
        try:
            while True:
                held = await conn.fetchval(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                self.peak = max(self.peak, int(held))
                await asyncio.sleep(0.1)
        finally:
            await conn.close()
