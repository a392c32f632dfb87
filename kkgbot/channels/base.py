"""What every channel adapter offers the dispatcher, and what it reports back."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from kkgbot.messages import Choice

SENT, RETRY, RETRY_AFTER, UNREACHABLE, INVALID = (
    "sent",
    "retry",
    "retry_after",
    "unreachable",
    "invalid",
)
# Not sent as written, but announced (a WhatsApp template outside the 24-hour window): the
# row waits as `held` and goes again when the person writes (kkgbot/delivery/held.py).
HELD = "held"


@dataclass
class Outgoing:
    outbox_id: int
    address: str
    text: str
    choices: list[Choice] = field(default_factory=list)
    file_name: str | None = None
    file_mime: str | None = None
    file_data: bytes | None = None
    kind: str = "reply"
    edit_of: str | None = None  # the channel's id of an earlier message to redraw in place
    about: str = "reply"  # what the message is (kkgbot.messages.MessageKind)
    no_preview: bool = False  # a one-time link: the chat app must not fetch it for a preview
    file_id: int | None = None  # the stored file, for channels that fetch it by link
    window_closed_at: str | None = None  # the channel said the person's window had closed
    # For a channel that sets `wants_recipient` (WhatsApp: the 24-hour window, the template's
    # language): the person's last message on it and their language, read by the dispatcher.
    last_inbound_at: datetime | None = None
    language: str | None = None


# An outbox payload's mark: the channel said the person's window had closed (WhatsApp's
# 63016), at this time; the next try goes as a template until they write again.
WINDOW_CLOSED = "_window_closed"


@dataclass
class SendResult:
    """The outcome of one attempt, in the dispatcher's terms (not the channel's)."""

    outcome: str
    external_id: str | None = None
    retry_after: float | None = None
    error: str | None = None


class Channel(Protocol):
    name: str

    async def send(self, message: Outgoing) -> SendResult: ...


class TimedChannel:
    """A channel whose every send is told to `observe(channel, outcome, seconds)`: the web
    server's metrics in the main process, the pipe to the parent in the sender process."""

    def __init__(self, channel: Any, observe: Callable[[str, str, float], None]) -> None:
        self.channel = channel
        self.name = channel.name
        self.observe = observe

    def __getattr__(self, item: str) -> Any:  # the wrapped channel's own (bot, client, ...)
        return getattr(self.channel, item)

    async def send(self, message: Outgoing) -> SendResult:
        started = time.perf_counter()
        result = await self.channel.send(message)
        self.observe(self.name, result.outcome, time.perf_counter() - started)
        return result


def split_text(text: str, limit: int) -> list[str]:
    """A long message in parts of at most `limit` characters (each chat app has its own),
    cut between paragraphs where one ends late enough, else between lines or words."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit)
        if cut <= limit // 2:
            cut = max(rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit))
        cut = cut if cut > limit // 2 else limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return [p for p in parts if p] or [""]
