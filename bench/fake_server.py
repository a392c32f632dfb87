"""The fake Bot API in a process of its own, with a few control methods for the benchmarks.

A separate process keeps the server's CPU off the bot's event loop, as on the real
network. Control methods are extra Bot API methods (`benchConfigure`, `benchStats`,
`benchChatStart`, `benchChatStop`) called over the same HTTP port.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import time

from tests.fakes.telegram_api import FakeTelegramServer, RequestRecord
from tests.fakes.telegram_bots import SeveralBots


class Chatters:
    """Simulated teachers who write to the bot and wait for its answer, one at a time.

    A reply's latency runs from the moment its update is ready for the bot to the moment the
    server receives the bot's answer (the request's arrival time), so the fake server's own
    scheduling is not counted as the bot's. One watcher checks the waiting teachers after
    each request; fifty `wait_for_messages` calls would each wake on every one of the
    broadcast's hundreds of requests a second and take the bot's CPU on a 2-core machine.
    """

    def __init__(self, srv: FakeTelegramServer, first_id: int, count: int) -> None:
        self.srv = srv
        self.ids = list(range(first_id, first_id + count))
        self.latencies: list[float] = []
        self.unanswered = 0
        self.tasks: list[asyncio.Task[None]] = []
        self.waiting: dict[int, tuple[int, asyncio.Future[float]]] = {}

    def start(self) -> None:
        self.tasks = [asyncio.create_task(self._teacher(uid)) for uid in self.ids]
        self.tasks.append(asyncio.create_task(self._watch()))

    def _answered(self) -> bool:
        """Resolve every teacher whose answer arrived (never True: the watch goes on)."""
        for uid, (count, answered) in list(self.waiting.items()):
            sent = self.srv._sent_by_chat.get(uid, ())  # noqa: SLF001 (no copy per request)
            if len(sent) >= count:
                del self.waiting[uid]
                if not answered.done():
                    answered.set_result(sent[count - 1].request.time)
        return False

    async def _watch(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await self.srv.wait_until(self._answered, timeout=3600)

    async def _teacher(self, uid: int) -> None:
        rng = random.Random(uid)
        await asyncio.sleep(rng.uniform(0, 2))
        loop = asyncio.get_running_loop()
        while True:
            answered: asyncio.Future[float] = loop.create_future()
            self.waiting[uid] = (len(self.srv.sent_messages(uid)) + 1, answered)
            started = time.time()
            self.srv.user_sends(uid, "halo", first_name=f"Guru {uid}")
            try:
                arrived = await asyncio.wait_for(answered, timeout=10)
                self.latencies.append(arrived - started)
            except TimeoutError:
                self.waiting.pop(uid, None)
                self.unanswered += 1
            await asyncio.sleep(rng.uniform(1.0, 3.0))

    async def stop(self) -> dict:
        for task in self.tasks:
            task.cancel()  # not awaited: they end on their own, the answer need not wait
        return {"latencies": self.latencies, "unanswered": self.unanswered}


def install(srv: FakeTelegramServer) -> None:
    chatters: dict[str, Chatters] = {}

    async def configure(rec: RequestRecord) -> bool:
        srv.configure(**rec.params.get("options", {}))
        return True

    async def stats(rec: RequestRecord) -> dict:
        prefix = rec.params.get("prefix") or ""
        counts: dict[int, int] = {}
        times: list[float] = []
        for sent in srv.sent_messages():
            if sent.text and sent.text.startswith(prefix):
                counts[sent.chat_id] = counts.get(sent.chat_id, 0) + 1
                times.append(sent.request.time)
        out = {
            "stats": {k: v for k, v in srv.stats.items() if not isinstance(v, dict)},
            "accepted": len(srv.sent_messages()),
            "matching": len(times),
            "chats": len(counts),
            "duplicates": sum(n - 1 for n in counts.values()),
            "first": min(times) if times else None,
            "last": max(times) if times else None,
        }
        if rec.params.get("texts"):
            out["texts"] = [
                [s.text, s.request.time] for s in srv.sent_messages() if s.text.startswith(prefix)
            ]
        if rec.params.get("all_times"):
            out["all_times"] = [s.request.time for s in srv.sent_messages()]
            out["refused"] = [[r.time, r.chat_id] for r in srv.requests() if r.status == 429]
        return out

    async def chat_start(rec: RequestRecord) -> bool:
        group = Chatters(srv, int(rec.params["first_id"]), int(rec.params["count"]))
        chatters["main"] = group
        group.start()
        return True

    async def chat_stop(rec: RequestRecord) -> dict:
        group = chatters.pop("main", None)
        return await group.stop() if group else {"latencies": [], "unanswered": 0}

    srv.register_method("benchConfigure", configure)
    srv.register_method("benchStats", stats)
    srv.register_method("benchChatStart", chat_start)
    srv.register_method("benchChatStop", chat_stop)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--tokens", help="several bots: token,token,... (the first as --token)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    tokens = args.tokens.split(",") if args.tokens else [args.token]
    async with SeveralBots(tokens, args.seed) as srv:
        for token in tokens:
            install(srv.bot(token))
        print(srv.base_url, flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
