"""After the soak: what was expected against what the fake servers accepted.

Expected messages are the outbox rows (every message the bot meant to send, replies
included, each with its idempotency key). A row the bot recorded as sent names the
message the server accepted (`external_id`: Telegram's message id, Twilio's SID), so a
row is *delivered* when the server holds that message. An accepted message that no row
names is an *orphan*: the bot sent it but never learnt it had (the answer was lost, or the
process was killed between the server's accept and the bot's record), and then sent the
row again. Orphans are counted per chat and text against the rows expected there:
- extra copies beyond the rows expected are *duplicates*;
- a duplicate is *allowed* when one of the orphans behind it was a `drop_after` fault (the
  server accepted and the answer was lost) or was sent by one incarnation of the process
  and sent again by a later one (killed between the server's accept and the bot's record),
  or its row's earlier try timed out (the server accepted, the answer came too late);
- anything else is *unexplained* (must be 0).
A row that ended `dead` is not lost when an orphan carries its text (delivered, answer lost).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from kkgbot.channels import telegram as tg
from kkgbot.channels import whatsapp as wa
from kkgbot.channels.base import split_text
from kkgbot.clock import utc
from kkgbot.db.engine import make_engine
from kkgbot.db.models import OutboxMessage
from kkgbot.delivery.outbox import PENDING_STATUSES
from kkgbot.messages import Choice
from tests.fakes.telegram_api import FakeTelegramServer
from tests.fakes.twilio_api import FakeTwilioServer

SENT_STATUSES = ("sent", "delivered")


@dataclass
class Accepted:
    channel: str
    address: str
    external_id: str
    text: str
    at: float
    drop_after: bool


def accepted_messages(telegram: FakeTelegramServer, twilio: FakeTwilioServer) -> list[Accepted]:
    out = [
        Accepted(
            "telegram",
            str(m.chat_id),
            str(m.message_id),
            m.text or "",
            m.request.time,
            m.request.outcome == "drop_after",
        )
        for m in telegram.sent_messages()
    ]
    for m in twilio.messages:
        text = m.body if m.body is not None else f"template:{m.content_variables}"
        out.append(Accepted("whatsapp", m.to.removeprefix("whatsapp:"), m.sid, text, m.at, False))
    return out


def expected_text(row: OutboxMessage) -> str:
    """The text the server will hold for this row's (last) message."""
    payload = row.payload or {}
    text = payload.get("text") or ""
    choices = [Choice(c["label"], c["data"]) for c in payload.get("choices") or []]
    if row.channel == "whatsapp":
        return split_text(wa.numbered(text or "…", choices), wa.TEXT_LIMIT)[-1]
    if payload.get("file_id") is not None:
        return text if len(text) <= tg.CAPTION_LIMIT else ""
    return split_text(text or "…", tg.TEXT_LIMIT)[-1]


async def outbox_rows(url: str) -> list[OutboxMessage]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(select(OutboxMessage))).all())
    finally:
        await engine.dispose()


def reconcile(
    rows: list, accepted: list[Accepted], kills: list[float], end: float
) -> dict[str, float]:
    """`kills`: when each new process was spawned after a kill; a request the old process
    wrote just before it died may reach the server a moment after the kill itself."""
    details.clear()
    by_id = {(a.channel, a.address, a.external_id): a for a in accepted}
    referenced: set[tuple[str, str, str]] = set()
    expected: Counter[tuple[str, str, str]] = Counter()
    dead_at: Counter[tuple[str, str, str]] = Counter()
    reminder_keys: set[tuple[str, str, str]] = set()
    status = Counter(r.status for r in rows)
    left_kinds: Counter[str] = Counter()
    timed_out: set[tuple[str, str, str]] = set()
    expired_kinds: Counter[str] = Counter()
    unseen = left = later = edits = 0
    # New messages first, edits in place after (an edit names the message it redraws), each
    # in id order: the database returns rows in any order (PostgreSQL does).
    for row in sorted(rows, key=lambda r: (bool((r.payload or {}).get("edit_of")), r.id)):
        ext = (row.channel, row.address, row.external_id or "")
        is_edit = bool((row.payload or {}).get("edit_of"))
        if row.status in SENT_STATUSES:
            hit = by_id.get(ext)
            if is_edit and (hit is None or ext in referenced):
                edits += 1  # redrawn in place (or "not modified"): no new message
                continue
            if hit is None:
                unseen += 1
                details.append({"unseen": _row(row)})
                continue
            key = (row.channel, row.address, hit.text)
            if ext in referenced:
                unseen += 1  # two rows naming one message: one of them never went
                details.append({"unseen_shared": _row(row)})
                continue
            referenced.add(ext)
            expected[key] += 1
            if "timed out" in (row.last_error or ""):
                timed_out.add(key)  # an earlier try got no answer in time: it may have gone
            if row.idempotency_key.startswith("reminder:"):
                reminder_keys.add(key)
        elif row.status in PENDING_STATUSES:
            key = (row.channel, row.address, expected_text(row))
            expected[key] += 1
            if utc(row.not_before).timestamp() > end:
                later += 1
            else:
                left += 1
                left_kinds[f"{row.channel}:{row.idempotency_key.split(':')[0]}:{row.status}"] += 1
        elif row.status == "expired":
            parts = row.idempotency_key.split(":")
            expired_kinds[parts[0] + (":" + parts[-1] if parts[0] == "reminder" else "")] += 1
        elif row.status == "dead":
            dead_at[(row.channel, row.address, expected_text(row))] += 1
    orphans: dict[tuple[str, str, str], list[Accepted]] = defaultdict(list)
    accepted_by_key: dict[tuple[str, str, str], list[Accepted]] = defaultdict(list)
    for a in accepted:
        accepted_by_key[(a.channel, a.address, a.text)].append(a)
    windows: list[float] = []
    for a in accepted:
        if (a.channel, a.address, a.external_id) not in referenced:
            orphans[(a.channel, a.address, a.text)].append(a)
    duplicates = by_drop = by_kill = by_timeout = reminders_twice = reminders_unexplained = (
        dead_delivered
    ) = 0
    for key, found in orphans.items():
        covered = min(len(found), dead_at.get(key, 0))
        dead_delivered += covered
        extra = len(found) - covered
        if extra <= 0:
            continue
        if not expected.get(key):
            # Orphans of a row still pending or of no row at all: the first copy is the
            # delivery, the rest are duplicates.
            extra -= 1
            expected[key] += 1
        if extra <= 0:
            continue
        duplicates += extra
        lost_answer = sum(1 for a in found if a.drop_after)
        copies = accepted_by_key[key]
        killed_in_flight = [
            a for a in found if not a.drop_after and _resent_after_a_kill(a, copies, kills)
        ]
        killed = len(killed_in_flight)
        windows += [_until_kill(a.at, kills) for a in killed_in_flight]
        late = len(found) - lost_answer - killed if key in timed_out else 0
        by_drop += min(extra, lost_answer)
        by_kill += min(extra - min(extra, lost_answer), killed)
        by_timeout += min(extra - min(extra, lost_answer + killed), late)
        unexplained = extra - min(extra, lost_answer + killed + late)
        if unexplained:
            details.append(_explain(key, found, rows, accepted, kills))
        if key in reminder_keys:
            reminders_twice += extra
            reminders_unexplained += unexplained
    dead = status.get("dead", 0)
    return {
        "outbox_rows": len(rows),
        "accepted": len(accepted),
        "delivered_rows": len(referenced) + edits,
        "edits_in_place": edits,
        "lost": unseen + (dead - dead_delivered) + left,
        "lost_recorded_but_unseen": unseen,
        "dead": dead,
        "dead_but_delivered": dead_delivered,
        "duplicates": duplicates,
        "duplicates_allowed": by_drop + by_kill + by_timeout,
        "duplicates_answer_lost": by_drop,
        "duplicates_killed_in_flight": by_kill,
        # how long before a kill the oldest of those was accepted: sends not yet recorded
        "in_flight_before_kill_max_s": round(max(windows, default=0.0), 1),
        "duplicates_answer_timed_out": by_timeout,
        "duplicates_unexplained": duplicates - by_drop - by_kill - by_timeout,
        "reminder_rows": sum(1 for r in rows if r.idempotency_key.startswith("reminder:")),
        "reminders_twice": reminders_twice,  # all in flight unless the next is > 0
        "reminders_twice_unexplained": reminders_unexplained,
        "outbox_left": left,
        "outbox_scheduled_later": later,
        "outbox_left_kinds": json.dumps(dict(left_kinds.most_common(8))),
        "expired": status.get("expired", 0),
        "expired_kinds": json.dumps(dict(expired_kinds.most_common(6))),
        "held": status.get("held", 0),
        "unreachable": status.get("unreachable", 0),
    }


details: list[dict] = []  # the unexplained duplicates of the last reconcile, for a report


def _explain(key, found, rows, accepted, kills) -> dict:
    channel, address, text = key
    return {
        "chat": f"{channel}:{address}",
        "text": text[:80],
        "kills": kills,
        "accepted": [
            (a.external_id, round(a.at, 2), a.drop_after)
            for a in accepted
            if (a.channel, a.address, a.text) == key
        ],
        "orphans": [a.external_id for a in found],
        "rows": [
            (r.id, r.idempotency_key, r.status, r.attempts, r.external_id, str(r.created_at),
             str(r.sent_at), (r.last_error or "")[:80])
            for r in rows
            if (r.channel, r.address) == (channel, address)
            and (r.payload or {}).get("text", "")[:40] == text[:40]
        ],
    }  # fmt: skip


def _row(r) -> list:
    return [r.id, r.channel, r.address, r.idempotency_key, r.status, r.attempts, r.external_id,
            str(r.created_at), str(r.sent_at), (r.payload or {}).get("text", "")[:60],
            sorted(r.payload or {})]  # fmt: skip


def _incarnation(at: float, kills: list[float]) -> int:
    return sum(1 for kill in kills if kill <= at)


def _resent_after_a_kill(orphan: Accepted, copies: list[Accepted], kills: list[float]) -> bool:
    """Sent by one incarnation and sent again by a later one: the process died between the
    server's accept and its own record (a copy sent again by the same incarnation is not)."""
    mine = _incarnation(orphan.at, kills)
    return any(c is not orphan and _incarnation(c.at, kills) > mine for c in copies)


def _until_kill(at: float, kills: list[float]) -> float:
    return min((k - at for k in kills if k >= at), default=0.0)


def answered(
    rows: list, actions: list, seen: set[tuple[str, str]], kills: list[float], waiting: set[str]
) -> dict:
    """Each simulated action against what the bot recorded: handled (`inbound_seen`), and
    answered (replies keyed by its inbound id). A Telegram update never handled is either
    still waiting at the fake (never fetched) or was fetched and confirmed (the next
    getUpdates offset) and then lost: PTB confirms before the handler has committed."""
    replied = {
        ":".join(r.idempotency_key.split(":")[:3])
        for r in rows
        if r.idempotency_key.startswith("in:")
    }
    kinds: Counter[str] = Counter()
    missing = 0
    unhandled: Counter[str] = Counter()
    for action in actions:
        kinds[action.what.split(":")[0]] += 1
        if action.refused:
            continue
        if (action.channel, action.external_id) not in seen:
            near = any(k - 30 <= action.at <= k + 30 for k in kills)
            state = ""
            if action.channel == "telegram":
                state = ":unfetched" if action.external_id in waiting else ":confirmed"
            unhandled[f"{action.channel}{state}{':near_kill' if near else ''}"] += 1
            details.append({"unhandled": action.__dict__, "kills": kills})
        if f"in:{action.channel}:{action.external_id}" not in replied:
            missing += 1
    return {
        "actions": len(actions),
        "actions_refused": sum(1 for a in actions if a.refused),
        "actions_not_handled": sum(unhandled.values()),
        "actions_not_handled_kinds": json.dumps(dict(unhandled)),
        "actions_without_reply": missing,
        "action_mix": json.dumps(dict(kinds.most_common())),
    }
