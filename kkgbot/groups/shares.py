"""One-tap sharing to the KKG's WhatsApp group (Twilio's API cannot post into groups).

Whenever the bot posts a KKG event for a group (kkgbot/groups/posts.py), the same text is
kept as a share behind `<KKGBOT_PUBLIC_URL>/bagikan/<token>`, and the KKG's koordinators get
that link ("Bagikan ke grup WhatsApp"). The page redirects to `https://wa.me/?text=...`:
WhatsApp opens with the text ready for the group. The text tells members how to answer the
bot privately with a `wa.me/<bot number>?text=...` link: `RSVP 12 HADIR` for a meeting
(with the KKG's code, `RSVP 12 HADIR GUGUS1`, for someone not registered yet), `survei`
for a poll. An RSVP line has four words and no six-character code of its own, so it can
never be read as a check-in.

The public URL and the bot's WhatsApp number are the deployment's: the wiring sets them
(`configure`), and with no public URL nothing is shared.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from kkgbot import i18n
from kkgbot.db.models import Kkg
from kkgbot.groups.models import GroupShare

ANSWER_WORDS = {"HADIR": "yes", "TIDAK": "no", "MUNGKIN": "maybe"}
WORD_OF = {answer: word for word, answer in ANSWER_WORDS.items()}
RSVP_LINE = re.compile(
    r"^\s*RSVP\s+(\d{1,9})\s+(HADIR|TIDAK|MUNGKIN)(?:\s+([A-Z0-9]{4,16}))?\s*$", re.I
)


@dataclass
class Deployment:
    public_url: str | None = None
    whatsapp_number: str | None = None  # digits only, for wa.me links


DEPLOYMENT = Deployment()


def configure(public_url: str | None, whatsapp_from: str | None) -> None:
    DEPLOYMENT.public_url = public_url.rstrip("/") if public_url else None
    digits = re.sub(r"\D", "", whatsapp_from or "")
    DEPLOYMENT.whatsapp_number = digits or None


@dataclass(frozen=True)
class RsvpLine:
    meeting_id: int
    answer: str  # yes / no / maybe
    code: str | None  # the KKG's invite code, for someone not registered yet


def parse_rsvp(text: str | None) -> RsvpLine | None:
    match = RSVP_LINE.match(text or "")
    if match is None:
        return None
    code = match.group(3).upper() if match.group(3) else None
    return RsvpLine(int(match.group(1)), ANSWER_WORDS[match.group(2).upper()], code)


def _bot_link(message: str) -> str:
    number = DEPLOYMENT.whatsapp_number
    return f"https://wa.me/{number}?text={quote(message)}" if number else message


def share_text(kkg: Kkg, text: str, *, meeting_id: int | None = None, poll: bool = False) -> str:
    lang = i18n.DEFAULT
    lines = [text, "", i18n.t(lang, "groups.share_answer_privately")]
    if meeting_id is not None:
        for answer in ("yes", "no", "maybe"):
            rsvp = f"RSVP {meeting_id} {WORD_OF[answer]}"
            label = i18n.t(lang, f"meetings.answer_{answer}")
            lines.append(f"{label}: {_bot_link(rsvp)}")
        rsvp = f"RSVP {meeting_id} HADIR {kkg.invite_code}"
        lines.append(i18n.t(lang, "groups.share_new_member_rsvp", link=_bot_link(rsvp)))
    elif poll:
        lines.append(i18n.t(lang, "groups.share_poll", link=_bot_link("survei")))
        lines.append(i18n.t(lang, "groups.share_join", link=_bot_link(f"start {kkg.invite_code}")))
    else:
        lines.append(i18n.t(lang, "groups.share_join", link=_bot_link(f"start {kkg.invite_code}")))
    return "\n".join(lines)


async def create(
    session: AsyncSession, kkg: Kkg, text: str, now: datetime, **what: object
) -> str | None:
    """Keep the share; its address, or None when the deployment has no public URL."""
    if not DEPLOYMENT.public_url:
        return None
    token = secrets.token_urlsafe(12)[:16]
    body = share_text(kkg, text, **what)  # type: ignore[arg-type]
    session.add(GroupShare(token=token, kkg_id=kkg.id, text=body, created_at=now))
    await session.flush()
    return f"{DEPLOYMENT.public_url}/bagikan/{token}"


async def text_of(session: AsyncSession, token: str) -> str | None:
    share = await session.get(GroupShare, token[:24])
    return share.text if share is not None else None


def whatsapp_url(text: str) -> str:
    return "https://wa.me/?text=" + quote(text)
