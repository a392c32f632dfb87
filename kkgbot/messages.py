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
    # Said in a group chat (its id); `address` is then the person's own private address.
    # Talk in a group is never an answer to the bot nor a message for the koordinator.
    group: str | None = None
    group_title: str | None = None
    # what happened to the group itself: GROUP_ADDED, GROUP_REMOVED, GROUP_MIGRATED (the
    # new id in `text`)
    group_event: str | None = None
    message_id: str | None = None  # the channel's id of the message a button is on
    via: str | None = None  # the bot or WhatsApp sender it came through (None: the default)


GROUP_ADDED, GROUP_REMOVED, GROUP_MIGRATED = "added", "removed", "migrated"


# What a typed word means when a choice carries it (see kkgbot.understanding).
YES, NO, MAYBE = "yes", "no", "maybe"


@dataclass(frozen=True)
class Action:
    """A standalone button: what it does (`name`, a handler in the registry) and to what.

    Its data travels as `a:<name>:<arg>:...` (at most 64 bytes on Telegram), which only this
    class writes and reads, so no service spells the format out.
    """

    name: str
    args: tuple[str, ...] = ()

    @classmethod
    def of(cls, name: str, *args: object) -> Action:
        return cls(name, tuple(str(a) for a in args))

    @property
    def data(self) -> str:
        return ":".join(("a", self.name, *self.args))

    @classmethod
    def parse(cls, data: str | None) -> Action | None:
        if not data or not data.startswith("a:"):
            return None
        name, *args = data[2:].split(":")
        return cls(name, tuple(args)) if name else None


LINK_PREFIX = "url:"


@dataclass(frozen=True)
class Choice:
    """One button. `meaning` (YES, NO, MAYBE) lets typed words answer it; `risky` marks a
    choice that changes a setting or removes something, which a typed bare number never does
    without a confirmation."""

    label: str
    data: str
    meaning: str | None = None
    risky: bool = False
    # other words that name this choice (its label in the other language, the words people
    # use for it: "sudah" for "Ya, sudah mencoba"), from the locale catalogues
    words: tuple[str, ...] = ()

    @classmethod
    def link(cls, label: str, url: str) -> Choice:
        """A button that opens a web address (a deep link to the bot) instead of answering."""
        return cls(label, LINK_PREFIX + url)

    @property
    def url(self) -> str | None:
        return self.data[len(LINK_PREFIX) :] if self.data.startswith(LINK_PREFIX) else None

    @classmethod
    def act(
        cls,
        label: str,
        name: str,
        *args: object,
        meaning: str | None = None,
        risky: bool = False,
        words: tuple[str, ...] | list[str] = (),
    ) -> Choice:
        return cls(label, Action.of(name, *args).data, meaning, risky, tuple(words))

    def stored(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "data": self.data}
        if self.meaning:
            out["meaning"] = self.meaning
        if self.risky:
            out["risky"] = True
        if self.words:
            out["words"] = list(self.words)
        return out

    @classmethod
    def from_stored(cls, item: dict[str, Any]) -> Choice:
        return cls(
            str(item.get("label", "")),
            str(item.get("data", "")),
            item.get("meaning"),
            bool(item.get("risky", False)),
            tuple(item.get("words") or ()),
        )


class MessageKind:
    """What an outgoing message is, said by whoever writes it: the WhatsApp adapter picks the
    template that announces it outside the 24-hour window from this, nothing else."""

    REPLY = "reply"
    REMINDER = "reminder"
    POLL = "poll"
    LESSON = "lesson"
    DIGEST = "digest"
    BROADCAST = "broadcast"
    NOTICE = "default"  # anything else the bot starts (an answer passed on, a summary)
    ALL = (REPLY, REMINDER, POLL, LESSON, DIGEST, BROADCAST, NOTICE)


@dataclass
class Reply:
    """A message to the person who wrote; the channel decides how choices look."""

    text: str
    choices: list[Choice] = field(default_factory=list)
    file_id: int | None = None
    file_name: str | None = None
    # payload fields for the channel, e.g. `edit_of` (redraw a sent message in place)
    extra: dict[str, Any] = field(default_factory=dict)
    # the question line to remember with the buttons, when the text is not the question
    # itself (a question shown again, "which one do you mean?")
    prompt: str | None = None
