"""Telegram through python-telegram-bot: updates become Inbound, outbox rows become messages.

Choices become an inline keyboard whose button data says what it answers. A pressed
conversation button is answered at once and its keyboard removed, so it cannot be pressed
twice; standalone buttons (e.g. RSVP) stay, since changing one's answer is allowed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    InputFile,
    Message,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    RetryAfter,
    TelegramError,
)
from telegram.ext import Application, ContextTypes, TypeHandler
from telegram.warnings import PTBUserWarning

from kkgbot.channels.base import (
    SENT,
    Outgoing,
    SendResult,
    split_text,
)
from kkgbot.channels.telegram_groups import GROUP_TYPES, group_inbound
from kkgbot.channels.telegram_request import AiohttpRequest
from kkgbot.channels.telegram_shapes import button, classify, keyboard, seconds, upload_of
from kkgbot.messages import FILE_TOO_LARGE, FILE_UNAVAILABLE, Inbound, InboundFile

log = logging.getLogger(__name__)
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
PHOTO_MIMES = frozenset({"image/jpeg", "image/png"})
PHOTO_MAX_BYTES = 10 * 1024 * 1024  # sendPhoto's limit
# The router's answer to an inbound: for a button pressed in a group, a link Telegram opens
# for the person (the bot's `start` deep link) when they must first talk to the bot.
OnInbound = Callable[[Inbound], Awaitable[str | None]]

# Updates handled at once: one slow transaction must not hold up everybody else's answer
# (measured in bench/: one at a time, replies waited seconds during a broadcast).
UPDATES_AT_ONCE = 8
POLL_SECONDS = 10  # getUpdates long-poll timeout
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
# Telegram's answers when an earlier message cannot be redrawn: send a new one instead.
EDIT_GONE = ("message to edit not found", "message can't be edited", "message_id_invalid")
# `Bot.do_api_request("sendMessage")` is the public way to skip `Message.de_json`; PTB warns
# on every call that `send_message` exists. We know: keep the log free of it.
DO_API_REQUEST_WARNING = r"Please use 'Bot\.(sendMessage|editMessageText)'"
DEFAULT_MAX_UPLOAD = 10 * 1024 * 1024  # settings.max_upload_bytes; bots may fetch 20 MB


class TelegramChannel:
    name = "telegram"

    def __init__(
        self,
        token: str,
        base_url: str,
        on_inbound: OnInbound,
        pool_size: int = 24,
        max_upload_bytes: int = DEFAULT_MAX_UPLOAD,
        via: str | None = None,
    ) -> None:
        """`via`: the bot's name among several (KKGBOT_TELEGRAM_BOTS), None for the default
        bot. Its updates say so (and their ids, counted per bot, are prefixed with it), and
        the dispatcher sends its lane's messages through it."""
        self.on_inbound = on_inbound
        self.via = via
        self.lane = self.name if via is None else f"{self.name}:{via}"
        self.max_upload_bytes = max_upload_bytes
        warnings.filterwarnings("ignore", DO_API_REQUEST_WARNING, PTBUserWarning)
        self.application = (
            Application.builder()
            .token(token)
            .base_url(base_url)
            .base_file_url(base_url.replace("/bot", "/file/bot"))
            .request(AiohttpRequest(pool_size))  # the send path's CPU: see telegram_request
            .concurrent_updates(UPDATES_AT_ONCE)
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.bot = self.application.bot
        self._chats: dict[str, list] = {}  # chat -> [lock, updates holding or awaiting it]
        self._poller: asyncio.Task[None] | None = None

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
        if polling:
            self._poller = asyncio.create_task(self._poll(), name="telegram-polling")

    async def _poll(self) -> None:
        """Long polling that confirms updates to Telegram only once they are handled.

        PTB's Updater confirms a batch (the next getUpdates' offset) as soon as it is queued,
        before our handler has committed it: a crash then loses those messages for good
        (the soak lost 7-140 at a kill). Here the offset moves past a batch only after every
        update in it went through the router, whose commit records it in `inbound_seen`; an
        update Telegram sends again after a crash is then recognised and not handled twice.
        """
        offset: int | None = None
        failures = 0
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset, timeout=POLL_SECONDS, allowed_updates=ALLOWED_UPDATES
                )
                failures = 0
            except RetryAfter as exc:
                await asyncio.sleep(seconds(exc.retry_after))
                continue
            except TelegramError as exc:  # network trouble, a 5xx, another poller (409)
                failures += 1
                log.warning("getUpdates failed (%s); retrying", exc)
                await asyncio.sleep(min(30.0, 0.5 * 2**failures))
                continue
            if updates:
                await asyncio.gather(*(self.process(update) for update in updates))
                offset = updates[-1].update_id + 1

    async def process(self, update: Update) -> None:
        """One update through PTB's handlers, within its concurrency limit; returns when it
        is handled (the webhook answers Telegram only then, for the same reason)."""
        application = self.application
        await application.update_processor.process_update(
            update, application.process_update(update)
        )

    async def stop_polling(self) -> None:
        """No new updates from here on (the dispatcher may still send)."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()

    async def stop(self) -> None:
        await self.stop_polling()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def set_commands(self, commands: dict[str, list[tuple[str, str]]]) -> None:
        """The menu per language; a failure is logged, never fatal (the bot works without it).
        The languages are set side by side: one round trip instead of three at start-up."""

        async def one(lang: str, entries: list[tuple[str, str]]) -> None:
            try:
                await self.bot.set_my_commands(
                    [BotCommand(word, desc[:256]) for word, desc in entries],
                    scope=BotCommandScopeDefault(),
                    language_code=None if lang == "default" else lang,
                )
            except TelegramError:
                log.warning("could not set the %s command menu", lang, exc_info=True)

        await asyncio.gather(*(one(lang, entries) for lang, entries in commands.items()))

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Updates of different chats run side by side (PTB `concurrent_updates`); those of
        one chat wait for each other, so a person's messages are handled in order."""
        chat = update.effective_chat
        key = str(chat.id) if chat is not None else f"u{update.update_id}"
        entry = self._chats.setdefault(key, [asyncio.Lock(), 0])
        entry[1] += 1
        try:
            async with entry[0]:
                inbound = await self._to_inbound(update)
                if inbound is not None and self.via is not None:
                    inbound = replace(
                        inbound,
                        via=self.via,
                        external_id=f"{self.via}:{inbound.external_id}"
                        if inbound.external_id
                        else None,
                    )
                if inbound is not None:
                    url = await self.on_inbound(inbound)
                    if inbound.group is not None and update.callback_query is not None:
                        await self._answer_group_press(update.callback_query, url)
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self._chats[key]

    @staticmethod
    async def _answer_group_press(query: Any, url: str | None) -> None:
        """A press in a group is answered once it is handled: with the bot's deep link when
        the person must first open a private chat (Telegram opens it for them)."""
        try:
            await query.answer(url=url) if url else await query.answer()
        except TelegramError:
            log.warning("answerCallbackQuery failed", exc_info=True)

    async def _to_inbound(self, update: Update) -> Inbound | None:
        chat = update.effective_chat
        if chat is not None and chat.type in GROUP_TYPES:
            return group_inbound(self.name, update)
        if chat is not None and chat.type != "private":
            return None  # channels: not a conversation with the bot
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
        file, error, size = await self._fetch(message) if media else (None, None, None)
        return Inbound(
            channel=self.name,
            address=str(message.chat.id),
            text=message.text,
            external_id=external_id,
            username=message.from_user.username if message.from_user else None,
            media=media,
            file=file,
            file_error=error,
            file_size=size,
        )

    async def _fetch(self, message: Any) -> tuple[InboundFile | None, str | None, int | None]:
        """The bytes of a document or photo, fetched before routing (getFile, then the
        download), so conversation steps can keep it; a file above the cap is not fetched."""
        upload = upload_of(message)
        if upload is None:
            return None, None, None
        file_id, name, mime, size = upload
        if size is not None and size > self.max_upload_bytes:
            return None, FILE_TOO_LARGE, size
        try:
            found = await self.bot.get_file(file_id)
            if found.file_size is not None and found.file_size > self.max_upload_bytes:
                return None, FILE_TOO_LARGE, found.file_size
            data = bytes(await found.download_as_bytearray())
        except BadRequest as exc:
            if "too big" in str(exc).lower():
                return None, FILE_TOO_LARGE, size
            log.warning("could not fetch file %s: %s", file_id, exc)
            return None, FILE_UNAVAILABLE, size
        except (TelegramError, RuntimeError) as exc:
            log.warning("could not fetch file %s: %s", file_id, exc)
            return None, FILE_UNAVAILABLE, size
        if len(data) > self.max_upload_bytes:
            return None, FILE_TOO_LARGE, len(data)
        return InboundFile(name, mime, data), None, len(data)

    async def _call(self, method: str, **params: Any) -> Any:
        """One Bot API call through PTB's own request and error handling, the answer kept
        as the raw dict: turning every answer into a `Message` (de_json) costs CPU the
        dispatcher needs at broadcast rates, and all we keep of it is the message id."""
        return await self.bot.do_api_request(method, api_kwargs=params)

    async def send(self, message: Outgoing) -> SendResult:
        markup = (
            {"inline_keyboard": [[button(c)] for c in message.choices]} if message.choices else None
        )
        try:
            if message.edit_of and message.file_data is None:
                edited = await self._edit(message, markup)
                if edited is not None:
                    return edited
            if message.file_data is not None:
                caption = message.text if len(message.text) <= CAPTION_LIMIT else None
                if caption is None:
                    for part in split_text(message.text, TEXT_LIMIT):
                        await self._call("sendMessage", chat_id=message.address, text=part)
                sent = await self._send_file(message, caption)
                return SendResult(SENT, external_id=str(sent.message_id))
            parts = split_text(message.text or "…", TEXT_LIMIT)
            for part in parts[:-1]:
                await self._call("sendMessage", chat_id=message.address, text=part)
            params: dict[str, Any] = {"chat_id": message.address, "text": parts[-1]}
            if message.no_preview:
                params["link_preview_options"] = {"is_disabled": True}
            if markup:
                params["reply_markup"] = markup
            answer = await self._call("sendMessage", **params)
        except ChatMigrated as moved:  # a group post queued before its upgrade: follow it
            new = str(moved.new_chat_id)
            if new == message.address:
                return classify(moved)
            message.address = new
            return await self.send(message)
        except TelegramError as exc:
            return classify(exc)
        return SendResult(SENT, external_id=str(answer["message_id"]))

    async def _send_file(self, message: Outgoing, caption: str | None) -> Message:
        """A picture as a photo, which phones show in the chat; anything else as a document.

        Telegram refuses some pictures as photos (too large, too long and thin): those go
        as documents, so a koordinator's poster or the digest chart always arrives.
        """
        data = message.file_data or b""
        if message.file_mime in PHOTO_MIMES and len(data) <= PHOTO_MAX_BYTES:
            try:
                return await self.bot.send_photo(
                    message.address,
                    photo=InputFile(data, filename=message.file_name),
                    caption=caption,
                    reply_markup=keyboard(message),
                )
            except BadRequest as refused:
                log.info("photo refused, sending it as a document: %s", refused.message)
        return await self.bot.send_document(
            message.address,
            document=InputFile(data, filename=message.file_name),
            caption=caption,
            reply_markup=keyboard(message),
        )

    async def _edit(self, message: Outgoing, markup: dict | None) -> SendResult | None:
        """Redraw an earlier message in place (a poll ballot after a toggle).

        "Not modified" means the chat already shows this text: sent. A message that is gone
        or too old to edit is answered with None, and the caller sends a new one instead.
        """
        parts = split_text(message.text or "…", TEXT_LIMIT)
        if len(parts) > 1 or not str(message.edit_of).isdecimal():
            return None
        params: dict[str, Any] = {
            "chat_id": message.address,
            "message_id": int(str(message.edit_of)),
            "text": parts[0],
        }
        if markup:
            params["reply_markup"] = markup
        try:
            await self._call("editMessageText", **params)
        except BadRequest as exc:
            reason = str(exc).lower()
            if "not modified" in reason:
                return SendResult(SENT, external_id=message.edit_of)
            if any(gone in reason for gone in EDIT_GONE):
                log.info("message %s cannot be edited (%s): sending anew", message.edit_of, exc)
                return None
            raise
        return SendResult(SENT, external_id=message.edit_of)
