"""Channel-neutral messages: what came in, and what goes out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Inbound:
    """One thing a person did: typed text, pressed a button, or sent media we cannot read."""

    channel: str
    address: str
    text: str | None = None
    data: str | None = None  # a pressed button's data
    external_id: str | None = None  # update id / MessageSid, to handle redelivery once
    username: str | None = None
    media: str | None = None  # "voice", "image", "location", "file"...


@dataclass(frozen=True)
class Choice:
    label: str
    data: str


@dataclass
class Reply:
    """A message to the person who wrote; the channel decides how choices look."""

    text: str
    choices: list[Choice] = field(default_factory=list)
    file_id: int | None = None
    file_name: str | None = None
