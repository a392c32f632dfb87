"""Simulated members: each does a few realistic things at seeded moments of the run.

Telegram members act through the fake Bot API (a typed command, or a tap on a button of
the newest message that still shows a keyboard: an RSVP, a poll vote, a lesson answer, a
reflection); WhatsApp members post signed Twilio webhooks to the bot's web server (a
command, or the number of a choice). Every action is recorded with the external id the bot
will key its replies by (`in:<channel>:<id>:<n>`), so the ledger can tell afterwards which
actions got an answer. While the bot is down (killed), a WhatsApp webhook is retried with
the same MessageSid, as Twilio does; Telegram updates simply wait in the fake's queue.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from dataclasses import dataclass

import httpx

from bench.soak.plan import Member, Plan, Scale
from tests.fakes.telegram_api import FakeTelegramServer
from tests.fakes.twilio_api import FakeTwilioServer

COMMANDS = ("/rapat", "/materi", "/laporan", "/bantuan", "/survei")
NUMBERED = re.compile(r"^\s*(\d+)[.)]", re.MULTILINE)
WEBHOOK_TRIES = 40  # x 0.5 s: longer than a restart takes


@dataclass
class Action:
    channel: str
    address: str
    external_id: str
    what: str
    at: float
    refused: bool = False  # a WhatsApp webhook never accepted (bot down every try)


class Crowd:
    def __init__(
        self,
        plan: Plan,
        scale: Scale,
        telegram: FakeTelegramServer,
        twilio: FakeTwilioServer,
        webhook_url: str,
    ) -> None:
        self.plan, self.scale = plan, scale
        self.telegram, self.twilio = telegram, twilio
        self.webhook_url = webhook_url
        self.actions: list[Action] = []
        self.errors = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._sids = 0
        self._client = httpx.AsyncClient(timeout=10)

    def start(self) -> None:
        rng = random.Random(self.scale.seed * 7919)
        for member in self.plan.members:
            count = rng.choice(range(max(1, self.scale.actions * 2)))  # 0..2x-1, mean ~ x
            moments = sorted(rng.uniform(0.05, 0.97) * self.scale.duration for _ in range(count))
            seed = rng.randrange(1 << 30)
            self._tasks.append(asyncio.create_task(self._member(member, moments, seed)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._client.aclose()

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109
        await asyncio.wait(self._tasks, timeout=timeout)

    async def _member(self, member: Member, moments: list[float], seed: int) -> None:
        rng = random.Random(seed)
        for moment in moments:
            delay = self.plan.origin + moment - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                if member.channel == "telegram":
                    self._telegram_action(member, rng)
                else:
                    await self._whatsapp_action(member, rng)
            except Exception:  # a broken simulated member must not end the soak
                self.errors += 1

    def _checkin(self, member: Member, now: float) -> str | None:
        kkg = self.plan.kkgs[member.kkg]
        return f"/hadir {kkg.code}" if kkg.starts <= now < kkg.ends else None

    def _telegram_action(self, member: Member, rng: random.Random) -> None:
        uid, now = int(member.address), time.time()
        name = f"Guru {member.address}"
        button = self._open_button(uid)
        checkin = self._checkin(member, now)
        if checkin and rng.random() < 0.7:
            update, what = self.telegram.user_sends(uid, checkin, first_name=name), "checkin"
        elif button and rng.random() < 0.65:
            update = self.telegram.user_presses(uid, button, first_name=name)
            what = "button:" + button.split(":", 2)[0]
        else:
            text = rng.choice(COMMANDS)
            update, what = self.telegram.user_sends(uid, text, first_name=name), text
        self.actions.append(
            Action("telegram", member.address, f"u{update['update_id']}", what, now)
        )

    def _open_button(self, chat_id: int) -> str | None:
        """callback_data of a button on the newest message still showing a keyboard."""
        for sent in reversed(self.telegram.sent_messages(chat_id)[-6:]):
            try:
                shown = self.telegram.current_message(chat_id, sent.message_id)
            except KeyError:
                continue
            rows = (shown.get("reply_markup") or {}).get("inline_keyboard") or []
            data = [b["callback_data"] for row in rows for b in row if "callback_data" in b]
            if data:
                return random.Random(sent.message_id).choice(data)
        return None

    async def _whatsapp_action(self, member: Member, rng: random.Random) -> None:
        now = time.time()
        checkin = self._checkin(member, now)
        last = self.twilio.sent_to(member.address)[-1:]
        numbers = NUMBERED.findall(last[0].body or "") if last else []
        if checkin and rng.random() < 0.7:
            body, what = checkin, "checkin"
        elif numbers and rng.random() < 0.6:
            body, what = rng.choice(numbers), "choice"
        else:
            body = rng.choice(COMMANDS)
            what = body
        self._sids += 1
        sid = f"SMsoak{self._sids:026d}"
        action = Action("whatsapp", member.address, sid, what, now, refused=True)
        self.actions.append(action)
        for _ in range(WEBHOOK_TRIES):
            try:
                answer = await self.twilio.person_writes(
                    self.webhook_url, member.address, body, message_sid=sid
                )
            except httpx.TransportError:
                answer = None  # the bot is down: Twilio retries the webhook later
            if answer is not None and answer.status_code < 500:
                action.refused = answer.status_code >= 400
                return
            await asyncio.sleep(0.5)
