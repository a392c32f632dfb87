"""A lesson push to N members spread over K bots (K = 1, 2, 4): the time falls with K.

One Telegram bot sends about 30 messages a second, so a national Tuesday-19:00 lesson to
1.4 million teachers through one bot takes 13 hours; with one bot per district the bots
send side by side, each in its own lane (kkgbot/delivery/lanes.py). Here the fake Bot API
holds K bots behind one address, each enforcing Telegram's own limit of 30 a second, and
`bot.py run` is started with the K tokens; the N lessons are queued as the lesson job
queues them (one bulk row per member, through the bot the member joined) and the clock
runs until the last is accepted. The same run with K = 1 is the baseline of the ratios.
"""

from __future__ import annotations

import asyncio
import time

from bench.common import Bot, database, fake_server, insert_messages, soon

LIMIT = 30.0  # Telegram's per-bot limit, as the fake server enforces it
TOKENS = [f"{700 + n}:BOT{n}" for n in range(4)]
SERVER = {"rate_limit_overall": LIMIT, "rate_limit_per_chat": 1.0, "rate_limit_per_chat_burst": 3}


def bot_env(k: int) -> dict[str, object]:
    """The default bot and K-1 named ones (a district each)."""
    named = ",".join(f"b{n}:{TOKENS[n]}" for n in range(1, k))
    env: dict[str, object] = {"TELEGRAM_BOT_TOKEN": TOKENS[0], "KKGBOT_TELEGRAM_RATE": LIMIT}
    if named:
        env["KKGBOT_TELEGRAM_BOTS"] = named
    return env


async def push(backend: str, n: int, k: int) -> dict[str, float]:
    async with fake_server(tokens=TOKENS[:k]) as srv, database(backend) as url:
        for token in TOKENS[:k]:
            await srv.call("benchConfigure", token=token, options=SERVER)
        bot = Bot(url, srv.base_url, **bot_env(k))
        await bot.start()
        try:
            # member j joined through bot j mod K; chat ids differ per bot, as people do
            members = range(1, n + 1)
            vias = [None if j % k == 0 else f"b{j % k}" for j in members]
            rows = [(str(j), f"pelajaran {j}", soon()) for j in members]
            start = time.time()
            await insert_messages(url, rows, "bench-lesson-push", vias)
            deadline = time.monotonic() + n / LIMIT * 2 + 60
            per_bot: list[dict] = []
            while time.monotonic() < deadline:
                per_bot = [await srv.stats("pelajaran", token=t) for t in TOKENS[:k]]
                if sum(s["chats"] for s in per_bot) >= n:
                    break
                await asyncio.sleep(0.2)
            wrong = 0  # a lesson that went out through another bot than the member's
            for b, token in enumerate(TOKENS[:k]):
                sent = await srv.stats("pelajaran", token=token, texts=True)
                wrong += sum(1 for text, _ in sent["texts"] if int(text.split()[1]) % k != b)
        finally:
            await bot.stop()
    last = max((s["last"] or time.time()) for s in per_bot)
    return {
        "seconds": round(last - start, 2),
        "delivered": sum(s["chats"] for s in per_bot),
        "duplicated": sum(s["duplicates"] for s in per_bot),
        "429s": sum(s["stats"]["429"] for s in per_bot),
        "wrong_bot": wrong,
    }


async def lesson_push(backend: str, n: int) -> dict[str, float]:
    figures: dict[str, float] = {"messages": n}
    for k in (1, 2, 4):
        run = await push(backend, n, k)
        figures[f"seconds_k{k}"] = run["seconds"]
        figures[f"lost_k{k}"] = n - run["delivered"]
        figures[f"duplicated_k{k}"] = run["duplicated"]
        figures[f"429s_k{k}"] = run["429s"]
        figures[f"wrong_bot_k{k}"] = run["wrong_bot"]
    for k in (2, 4):
        figures[f"speedup_k{k}"] = round(
            figures["seconds_k1"] / max(0.01, figures[f"seconds_k{k}"]), 2
        )
    return figures
