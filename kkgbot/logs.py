"""Logging that can be shipped anywhere: secrets redacted, JSON in production, update ids attached.

httpx logs every request URL at INFO, and a Telegram request URL contains the bot token;
twilio errors can echo the account. The redaction filter sits on the handler, so no
record leaves the process with a secret in it, whoever logged it.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterable

# The inbound being handled (e.g. "telegram:u1234"), so one person's trouble can be followed.
request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)

BOT_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")
MASK = "[REDACTED]"
# Libraries that talk at INFO about routine work: APScheduler each tick ("Running job"),
# twilio about ten lines per message, httpx each request. An idle bot should be quiet, so
# they log warnings and errors only, unless -v (DEBUG) asks for everything.
LIBRARIES = (
    "apscheduler", "alembic", "twilio", "httpx", "httpcore", "aiohttp", "telegram",
    "uvicorn", "asyncio", "aiosqlite", "asyncpg",
)  # fmt: skip


class RedactSecrets(logging.Filter):
    """Replaces configured secrets and anything shaped like a bot token in every record."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return BOT_TOKEN.sub(MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
        record.msg, record.args = self.scrub(message), None
        record.request_id = request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", None):
            entry["request_id"] = record.request_id
        return json.dumps(entry, ensure_ascii=False)


def setup(
    level: int, secrets: Iterable[str | None], json_logs: bool, stream=None
) -> logging.Handler:
    """One handler on the root logger, with redaction; replaces any earlier setup."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactSecrets(secrets))
    handler.setFormatter(
        JsonFormatter()
        if json_logs
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in LIBRARIES:
        logging.getLogger(name).setLevel(level if level <= logging.DEBUG else logging.WARNING)
    return handler
