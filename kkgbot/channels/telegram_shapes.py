"""Telegram's shapes in our terms: an inline keyboard from choices, an upload from a
message, and Telegram's errors as the dispatcher's send results."""

from __future__ import annotations

import warnings
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError

from kkgbot.channels.base import INVALID, RETRY, RETRY_AFTER, UNREACHABLE, Outgoing, SendResult


def upload_of(message: Any) -> tuple[str, str, str, int | None] | None:
    """(file_id, name, mime, announced size) of a document or photo (its largest size)."""
    if message.document is not None:
        doc = message.document
        name = doc.file_name or f"file-{doc.file_unique_id}"
        return doc.file_id, name, doc.mime_type or "application/octet-stream", doc.file_size
    if message.photo:
        photo = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return photo.file_id, f"foto-{photo.file_unique_id}.jpg", "image/jpeg", photo.file_size
    return None


def seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(exc: TelegramError) -> SendResult:
    """Telegram's errors in the dispatcher's terms (see issue 3's failure rules)."""
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return SendResult(RETRY_AFTER, retry_after=seconds(exc.retry_after), error=str(exc))
    if isinstance(exc, Forbidden):
        return SendResult(UNREACHABLE, error=str(exc))
    if isinstance(exc, BadRequest):
        if "chat not found" in str(exc).lower() or "user is deactivated" in str(exc).lower():
            return SendResult(UNREACHABLE, error=str(exc))
        return SendResult(INVALID, error=str(exc))
    if isinstance(exc, InvalidToken):
        return SendResult(RETRY, error="invalid token")
    return SendResult(RETRY, error=f"{type(exc).__name__}: {exc}")


def button(choice: Any) -> dict[str, str]:
    """A choice as an inline button: a link (deep link to the bot) or data sent back."""
    url = choice.url
    return (
        {"text": choice.label, "url": url}
        if url
        else {"text": choice.label, "callback_data": choice.data}
    )


def keyboard(message: Outgoing) -> InlineKeyboardMarkup | None:
    choices = message.choices
    return (
        InlineKeyboardMarkup([[InlineKeyboardButton(**button(c))] for c in choices])
        if choices
        else None
    )
