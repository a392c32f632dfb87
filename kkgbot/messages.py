"""Channel-neutral messages: what came in, and what goes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class InboundFile:
    """A file or image a person sent, already fetched by the channel adapter, so that a
    conversation step can keep it without knowing Telegram or Twilio."""

    name: str
    mime: str
    data: bytes = field(repr=False)


# Why a file a person sent could not be taken (Inbound.file_error); the router answers it.
FILE_TOO_LARGE = "too_large"
FILE_UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Inbound:
    """One thing a person did: typed text, pressed a button, or sent a file or other media."""

    channel: str
    address: str
    text: str | None = None
    data: str | None = None  # a pressed button's data
    external_id: str | None = None  # update id / MessageSid, to handle redelivery once
    username: str | None = None
    media: str | None = None  # "voice", "image", "location", "file"...
    file: InboundFile | None = None  # a document or image, with its bytes
    file_error: str | None = None  # FILE_TOO_LARGE / FILE_UNAVAILABLE: nothing was fetched
    file_size: int | None = None  # the size the channel announced (for FILE_TOO_LARGE)


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
    # payload fields for the channel, e.g. `edit_of` (redraw a sent message in place)
    extra: dict[str, Any] = field(default_factory=dict)
