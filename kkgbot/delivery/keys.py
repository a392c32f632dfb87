"""Idempotency keys: the one way every outbox message is named, so the same work (a
reminder, a reply to one inbound update, a digest for one slot) always gets the same key and
the outbox's unique index makes it happen once, across retries, restarts and processes."""

from __future__ import annotations

from datetime import UTC, datetime

MAX_KEY = 160  # OutboxMessage.idempotency_key


def idempotency_key(kind: str, *parts: str | int | tuple[str, int | str]) -> str:
    """`idempotency_key("reminder", ("meeting", 42), ("person", 7), "24h")` ->
    `reminder:meeting-42:person-7:24h`: the same work always gets the same key."""
    words = [kind]
    for part in parts:
        words.append(f"{part[0]}-{part[1]}" if isinstance(part, tuple) else str(part))
    key = ":".join(words)
    if len(key) > MAX_KEY:
        raise ValueError(f"idempotency key longer than {MAX_KEY}: {key[:60]!r}...")
    return key


def slot_key(when: datetime) -> str:
    """A slot's moment in a key: UTC to the minute, e.g. `20261205T0100Z`."""
    return when.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
