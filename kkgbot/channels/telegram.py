"""Telegram through python-telegram-bot: updates become Inbound, outbox rows become messages.

Choices become an inline keyboard whose button data says what it answers. A pressed
conversation button is answered at once and its keyboard removed, so it cannot be pressed
twice; standalone buttons (e.g. RSVP) stay, since changing one's answer is allowed.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from kkgbot.channels.base import (
    INVALID,
    RETRY,
    RETRY_AFTER,
    SENT,
    UNREACHABLE,
    Outgoing,
    SendResult,
)
from kkgbot.engine.messages import Inbound

log = logging.getLogger(__name__)
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
OnInbound = Callable[[Inbound], Awaitable[None]]


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split on paragraph, then line, then word boundaries so no part exceeds `limit`."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = max(
            rest.rfind("\n\n", 0, limit), rest.rfind("\n", 0, limit), rest.rfind(" ", 0, limit)
        )
        cut = cut if cut > limit // 2 else limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return parts


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def classify(exc: TelegramError) -> SendResult:
    """Telegram's errors in the dispatcher's terms (see issue 3's failure rules)."""
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return SendResult(RETRY_AFTER, retry_after=_seconds(exc.retry_after), error=str(exc))
    if isinstance(exc, Forbidden):
        return SendResult(UNREACHABLE, error=str(exc))
    if isinstance(exc, BadRequest):
        if "chat not found" in str(exc).lower() or "user is deactivated" in str(exc).lower():
            return SendResult(UNREACHABLE, error=str(exc))
        return SendResult(INVALID, error=str(exc))
    if isinstance(exc, InvalidToken):
        return SendResult(RETRY, error="invalid token")
    return SendResult(RETRY, error=f"{type(exc).__name__}: {exc}")


class TelegramChannel:
    name = "telegram"

    def __init__(self, token: str, base_url: str, on_inbound: OnInbound) -> None:
        self.on_inbound = on_inbound
        self.application = (
            Application.builder()
            .token(token)
            .base_url(base_url)
            .base_file_url(base_url.replace("/bot", "/file/bot"))
            .connection_pool_size(64)
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.bot = self.application.bot

    @property
    def username(self) -> str | None:
        return self.bot.username if self.bot._bot_user else None  # noqa: SLF001

    async def start(
        self, *, polling: bool = True, commands: dict[str, list[tuple[str, str]]] | None = None
    ) -> None:
        await self.application.initialize()
        if commands:
            await self.set_commands(commands)
        await self.application.start()
        if polling and self.application.updater is not None:
            await self.application.updater.start_polling(
                poll_interval=0.0, timeout=10, allowed_updates=["message", "callback_query"]
            )

    async def stop(self) -> None:
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def set_commands(self, commands: dict[str, list[tuple[str, str]]]) -> None:
        """The menu per language; a failure is logged, never fatal (the bot works without it)."""
        for lang, entries in commands.items():
            try:
                await self.bot.set_my_commands(
                    [BotCommand(word, desc[:256]) for word, desc in entries],
                    scope=BotCommandScopeDefault(),
                    language_code=None if lang == "default" else lang,
                )
            except TelegramError:
                log.warning("could not set the %s command menu", lang, exc_info=True)

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        inbound = await self._to_inbound(update)
        if inbound is not None:
            await self.on_inbound(inbound)

    async def _to_inbound(self, update: Update) -> Inbound | None:
        external_id = f"u{update.update_id}"
        query = update.callback_query
        if query is not None:
            try:
                await query.answer()
            except TelegramError:
                log.warning("answerCallbackQuery failed", exc_info=True)
            if query.data and query.data.startswith("s:") and query.message is not None:
                try:
                    await query.edit_message_reply_markup(reply_markup=None)
                except TelegramError:
                    log.info("could not remove a keyboard", exc_info=True)
            chat_id = query.message.chat.id if query.message else query.from_user.id
            return Inbound(
                channel=self.name,
                address=str(chat_id),
                data=(query.data or "")[:64],
                external_id=external_id,
                username=query.from_user.username,
            )
        message = update.message
        if message is None or message.chat.type != "private":
            return None  # group messages are not conversations with the bot
        media = None
        if message.text is None:
            media = (
                "voice"
                if message.voice or message.audio
                else "image"
                if message.photo or message.sticker
                else "location"
                if message.location
                else "file"
            )
        return Inbound(
            channel=self.name,
            address=str(message.chat.id),
            text=message.text,
            external_id=external_id,
            username=message.from_user.username if message.from_user else None,
            media=media,
        )

    async def send(self, message: Outgoing) -> SendResult:
        markup = (
            InlineKeyboardMarkup(
                [[InlineKeyboardButton(c.label, callback_data=c.data)] for c in message.choices]
            )
            if message.choices
            else None
        )
        try:
            if message.file_data is not None:
                caption = message.text if len(message.text) <= CAPTION_LIMIT else None
                if caption is None:
                    for part in split_text(message.text):
                        await self.bot.send_message(message.address, part)
                sent = await self.bot.send_document(
                    message.address,
                    document=InputFile(message.file_data, filename=message.file_name),
                    caption=caption,
                    reply_markup=markup,
                )
            else:
                parts = split_text(message.text or "…")
                for part in parts[:-1]:
                    await self.bot.send_message(message.address, part)
                sent = await self.bot.send_message(message.address, parts[-1], reply_markup=markup)
        except TelegramError as exc:
            return classify(exc)
        return SendResult(SENT, external_id=str(sent.message_id))
