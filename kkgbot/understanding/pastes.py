"""Chain messages pasted into the chat: "*INFO PENTING* Diteruskan dari grup sebelah ...
Mohon disebarkan!!". Teachers paste them by mistake or to share; they answer no open
question (their numbers and "tidak" are not answers) and are no message for the koordinator.
"""

from __future__ import annotations

import re

from kkgbot.understanding.phrases import phrase_in
from kkgbot.understanding.text import Words
from kkgbot.understanding.words import words

# a bold headline as WhatsApp writes it ("*INFO PENTING*"), opening a longer text
HEADLINE = re.compile(r"^\s*\*[^*\n]{3,60}\*")
LONG = 80


def pasted_chain(ws: Words) -> bool:
    if phrase_in(ws.tokens, words().chain_markers):
        return True
    return len(ws.raw) > LONG and bool(HEADLINE.match(ws.raw))
