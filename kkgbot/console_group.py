"""Speaking in a group from the console: `@guru1@grup: TEXT` is guru1 writing in the group
chat "grup" (the bot writes there as `-> #grup: ...`). Besides text, a group line may be:

- `[tekan LABEL]` / `[press LABEL]`: press the button LABEL (or its number) on the newest
  message in the group that shows it, as a member does on Telegram;
- `[bot masuk]` / `[bot added]` and `[bot keluar]` / `[bot removed]`: NAME adds the bot to
  the group or removes it;
- `[supergrup NAME2]` / `[supergroup NAME2]`: the group becomes group NAME2 (Telegram's
  upgrade to a supergroup, which changes the group's id).

As on Telegram, the bot reads only commands and presses in a group; anything else typed
there is ignored.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import select

from kkgbot.db.models import OutboxMessage
from kkgbot.messages import GROUP_ADDED, GROUP_MIGRATED, GROUP_REMOVED, Inbound

ACTION = re.compile(r"^\[(\w+)(?:\s+(.+?))?\]$")
PRESS_WORDS = {"tekan", "press"}
EVENTS = {
    ("bot", "masuk"): GROUP_ADDED,
    ("bot", "added"): GROUP_ADDED,
    ("bot", "keluar"): GROUP_REMOVED,
    ("bot", "removed"): GROUP_REMOVED,
}
MIGRATE_WORDS = {"supergrup", "supergroup"}


async def group_inbound(app: Any, person: str, group: str, text: str) -> Inbound | None:
    external_id = f"c{uuid.uuid4().hex[:16]}"  # each line is a new update
    base = dict(channel="console", address=person, external_id=external_id, group=group)
    match = ACTION.match(text.strip())
    if match is None:
        return Inbound(**base, text=text, group_title=group.lstrip("#"))
    word, rest = match.group(1).lower(), (match.group(2) or "").strip()
    event = EVENTS.get((word, rest.lower()))
    if event is not None:
        return Inbound(**base, group_event=event, group_title=group.lstrip("#"))
    if word in MIGRATE_WORDS and rest:
        new = "#" + rest.lstrip("#")
        return Inbound(**base | {"address": group}, text=new, group_event=GROUP_MIGRATED)
    if word in PRESS_WORDS and rest:
        found = await _button(app, group, rest)
        if found is None:
            print(f"(no message in {group} shows a button {rest!r})")
            return None
        data, message_id = found
        return Inbound(**base, data=data, message_id=message_id)
    return Inbound(**base, text=text)


async def _button(app: Any, group: str, label: str) -> tuple[str, str] | None:
    """(data, message id) of the newest message in the group with that button."""
    async with app.sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == "console", OutboxMessage.address == group)
            .order_by(OutboxMessage.id.desc())
            .limit(50)
        )
        for row in rows:
            choices = (row.payload or {}).get("choices") or []
            for n, choice in enumerate(choices, start=1):
                if label.casefold() in (str(choice.get("label", "")).casefold(), str(n)):
                    edit_of = (row.payload or {}).get("edit_of")
                    return str(choice.get("data", "")), str(edit_of or row.external_id or row.id)
    return None
