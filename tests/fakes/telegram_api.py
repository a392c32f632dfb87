"""A fake Telegram Bot API server on 127.0.0.1 for tests and benchmarks.

The real python-telegram-bot ``Bot``/``Application`` talks HTTP to it (``base_url`` form
``http://127.0.0.1:PORT/bot``), so tests exercise PTB's own request, error and polling code
instead of mocks. It is built on asyncio streams and ``h11`` rather than a web framework so
it can do what a framework hides: close a connection without answering, before or after a
message was accepted, which is how lost answers and duplicate sends happen in real life.

It records every request, answers like Telegram (results PTB's ``de_json`` accepts), simulates
users (messages, button presses) through long-polled ``getUpdates``, and injects Telegram's
flood limits and seeded transient faults (see ``telegram_api_limits``). Nothing leaves the host.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import re
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import h11

from tests.fakes.telegram_api_limits import (
    DEFAULT_OVERALL_PER_SECOND,
    DEFAULT_PER_CHAT_PER_SECOND,
    DEFAULT_PER_GROUP_PER_MINUTE,
    ApiError,
    FaultInjector,
    FloodControl,
    check_commands,
    check_markup,
    check_secret,
    check_text,
    new_stats,
    too_many_requests,
    utf16_len,
)
from tests.fakes.telegram_groups import GroupChats

__all__ = ["ApiError", "EditRecord", "FakeTelegramServer", "RequestRecord", "SentMessage"]

log = logging.getLogger(__name__)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PATH = re.compile(r"^/bot([^/]+)/([A-Za-z0-9_]+)/?$")
_FILE_PATH = re.compile(r"^/file/bot([^/]+)/(.+)$")  # downloads after getFile
BOT_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # getFile refuses bigger files ("file is too big")
# Form fields PTB (and Telegram) send as JSON-encoded strings, and fields that are numbers/bools.
_JSON_FIELDS = _words(
    "reply_markup entities caption_entities commands scope allowed_updates "
    "link_preview_options reply_parameters media results options"
)
_INT_FIELDS = _words(
    "chat_id message_id offset limit timeout reply_to_message_id message_thread_id "
    "max_connections cache_time from_chat_id user_id"
)
_BOOL_FIELDS = _words(
    "disable_notification protect_content show_alert drop_pending_updates has_spoiler "
    "disable_web_page_preview allow_sending_without_reply disable_content_type_detection"
)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")  # PNG, JPEG


class _DropConnection(Exception):
    """Close the connection without answering (fault injection)."""


@dataclass
class UploadedFile:
    """A file part of a multipart request (or a file_id/URL reference, then content is b"")."""

    field: str
    filename: str
    content: bytes
    content_type: str | None = None
    file_id: str = ""


@dataclass
class RequestRecord:
    """One HTTP request as the server saw it. ``status`` stays None for dropped connections."""

    method: str  # canonical Bot API name ("sendMessage"), or the path segment if unknown
    params: dict[str, Any] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    time: float = 0.0
    chat_id: int | str | None = None
    status: int | None = None
    outcome: str = "pending"  # ok | error | drop_before | drop_after | client_gone
    response: dict[str, Any] | None = None


@dataclass
class SentMessage:
    """An accepted send* request: what a user would see arrive in the chat."""

    chat_id: int
    message_id: int
    method: str
    text: str | None  # text, or the caption of a document/photo
    reply_markup: dict[str, Any] | None
    message: dict[str, Any]  # the Message returned to the bot
    request: RequestRecord
    document: UploadedFile | None = None
    photo: UploadedFile | None = None

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline keyboard buttons in reading order (empty without an inline keyboard)."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]


@dataclass
class EditRecord:
    """An accepted editMessageText/editMessageReplyMarkup."""

    chat_id: int | None
    message_id: int | None
    method: str
    text: str | None
    reply_markup: dict[str, Any] | None
    request: RequestRecord


class _Delegate:
    """Expose an attribute of a helper object (flood control, faults) on the server."""

    def __init__(self, target: str, attr: str) -> None:
        self.target, self.attr = target, attr

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        return self if obj is None else getattr(getattr(obj, self.target), self.attr)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(getattr(obj, self.target), self.attr, value)


def _decode_value(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in _JSON_FIELDS and value[:1] in ("{", "["):
        with contextlib.suppress(ValueError):
            return json.loads(value)
    elif key in _INT_FIELDS:
        with contextlib.suppress(ValueError):
            return int(value) if "." not in value else float(value)
    elif key in _BOOL_FIELDS and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict, dict[str, UploadedFile]]:
    """Split multipart/form-data; the stdlib parser for this (cgi) is deprecated."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise ValueError("multipart request without boundary")
    params: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    for part in body.split(b"--" + match.group(1).encode("latin-1"))[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        content = content.removesuffix(b"\r\n")
        headers = dict(
            (k.strip().lower(), v.strip())
            for k, _, v in (line.partition(":") for line in head.decode("utf-8").split("\r\n"))
        )
        disposition = headers.get("content-disposition", "")
        name = re.search(r'(?:^|;)\s*name="([^"]*)"', disposition)
        filename = re.search(r'filename="([^"]*)"', disposition)
        if not name:
            continue
        if filename:
            files[name.group(1)] = UploadedFile(
                name.group(1), filename.group(1), content, headers.get("content-type")
            )
        else:
            params[name.group(1)] = content.decode("utf-8")
    return params, files


def _decode_request(content_type: str, query: str, body: bytes) -> tuple[dict, dict]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    files: dict[str, UploadedFile] = {}
    kind = content_type.split(";")[0].strip().lower()
    if body and kind == "application/json":
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("JSON body must be an object")
        params.update(data)
    elif body and kind == "multipart/form-data":
        form, files = _parse_multipart(body, content_type)
        params.update(form)
    elif body:
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return {k: _decode_value(k, v) for k, v in params.items()}, files


class FakeTelegramServer(GroupChats):
    """Fake Bot API; use ``async with FakeTelegramServer(token=...) as srv`` or start/stop."""

    rate_limit_overall = _Delegate("flood", "overall")
    rate_limit_per_chat = _Delegate("flood", "per_chat")
    rate_limit_per_chat_burst = _Delegate("flood", "per_chat_burst")
    rate_limit_per_group_per_minute = _Delegate("flood", "per_group_per_minute")
    penalty_scope = _Delegate("flood", "penalty_scope")
    fault_rate = _Delegate("faults", "rate")

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "kkg_test_bot",
        bot_first_name: str = "KKG Test Bot",
        clock: Callable[[], float] = time.time,
        fault_seed: int = 0,
    ) -> None:
        self.token, self.host, self.port = token, host, port
        self._clock = clock
        head = token.split(":", 1)[0]
        self.bot_user: dict[str, Any] = {
            "id": int(head) if head.isdigit() else 1,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.blocked_chats: set[int] = set()
        self.unknown_chats: set[int] = set()  # sends to these answer 400 "chat not found"
        self.flood = FloodControl(clock)
        self.faults = FaultInjector(fault_seed)
        self.stats: dict[str, Any] = new_stats()
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (scope, lang) -> list
        self.webhook: dict[str, Any] = {}
        self.answered_callbacks: list[dict[str, Any]] = []
        self.chats: dict[int, dict[str, Any]] = {}
        self.internal_errors: list[BaseException] = []
        self._records: list[RequestRecord] = []
        self._sent: list[SentMessage] = []
        self._sent_by_chat: dict[int, list[SentMessage]] = {}
        self._edits: list[EditRecord] = []
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}  # current state after edits
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._open_callbacks: dict[str, dict[str, Any]] = {}
        self._files: dict[str, UploadedFile] = {}
        self._file_paths: dict[str, UploadedFile] = {}  # getFile's file_path -> the file
        self.downloads: list[str] = []  # file paths fetched through /file/bot<token>/...
        self._updates: deque[dict[str, Any]] = deque()
        self._next_update_id = 1
        self._poller = 0  # generation of the newest getUpdates, older ones get 409
        self._updates_changed = asyncio.Event()
        self._state_changed = asyncio.Event()
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._methods: dict[str, tuple[str, Callable[[RequestRecord], Awaitable[Any]]]] = {}
        for name in _words(
            "getMe getUpdates sendMessage sendDocument sendPhoto editMessageText "
            "editMessageReplyMarkup answerCallbackQuery setMyCommands getMyCommands "
            "deleteMyCommands setWebhook deleteWebhook getWebhookInfo logOut close "
            "sendChatAction deleteMessage getFile"
        ):
            self.register_method(name, getattr(self, f"_m_{name.lower()}"))

    # ----------------------------------------------------------------- lifecycle, config

    @property
    def base_url(self) -> str:
        """PTB ``base_url`` form: PTB appends the token, then ``/method``."""
        return f"http://{self.host}:{self.port}/bot"

    async def start(self) -> FakeTelegramServer:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening and end open connections (long polls included)."""
        if self._server is None:
            return
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def __aenter__(self) -> FakeTelegramServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def register_method(
        self, name: str, handler: Callable[[RequestRecord], Awaitable[Any]]
    ) -> None:
        """Add or replace a Bot API method; the handler returns ``result`` or raises ApiError."""
        self._methods[name.lower()] = (name, handler)

    def configure(self, **options: Any) -> None:
        """Set limits and faults in one call.

        Options: blocked_chats, unknown_chats, rate_limit_overall, rate_limit_per_chat,
        rate_limit_per_chat_burst, rate_limit_per_group_per_minute, penalty_scope,
        fault_rate, fault_kinds (list or weights), fault_seed, and ``flood_limits=True`` for
        Telegram's published limits (30/s overall, 1/s per chat with burst 3, 20/min per group).
        """
        if options.pop("flood_limits", False):
            self.rate_limit_overall = DEFAULT_OVERALL_PER_SECOND
            self.rate_limit_per_chat = DEFAULT_PER_CHAT_PER_SECOND
            self.rate_limit_per_group_per_minute = DEFAULT_PER_GROUP_PER_MINUTE
        if "fault_kinds" in options:
            self.faults.set_kinds(options.pop("fault_kinds"))
        if "fault_seed" in options:
            self.faults.reseed(options.pop("fault_seed"))
        for key, value in options.items():
            if key in ("blocked_chats", "unknown_chats"):
                value = set(value)
            elif not isinstance(getattr(type(self), key, None), _Delegate):
                raise TypeError(f"configure() got an unknown option {key!r}")
            setattr(self, key, value)

    # ------------------------------------------------------------------------------ HTTP

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=1 << 20)
        try:
            while await self._serve_one(conn, reader, writer):
                conn.start_next_cycle()
        except h11.RemoteProtocolError:
            with contextlib.suppress(h11.LocalProtocolError, ConnectionError):
                writer.write(conn.send(h11.Response(status_code=400, headers=[])))
                writer.write(conn.send(h11.EndOfMessage()))
        except ConnectionError:
            pass
        except asyncio.CancelledError:
            pass  # stop(); re-raising makes 3.11's start_server callback log a bogus error
        finally:
            self._connections.discard(task)
            writer.close()

    async def _serve_one(
        self, conn: h11.Connection, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; False when the connection must end."""

        async def next_event() -> Any:
            while (event := conn.next_event()) is h11.NEED_DATA:
                conn.receive_data(await reader.read(65536))
            return event

        request = await next_event()
        if not isinstance(request, h11.Request):
            return False
        body = bytearray()
        while isinstance(event := await next_event(), h11.Data):
            body += event.data
        if not isinstance(event, h11.EndOfMessage):
            return False
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in request.headers}
        target = request.target.decode("latin-1")
        content_type = "application/json"
        if target.startswith("/file/"):
            status, payload = self._download(target)
            content_type = "application/octet-stream" if status == 200 else content_type
        else:
            work = self._dispatch(target, headers.get("content-type", ""), bytes(body))
            try:
                if target.lower().split("?")[0].endswith("/getupdates"):
                    status, payload = await self._long_poll(work, conn, reader)
                else:
                    status, payload = await work
            except _DropConnection:
                return False
        response = h11.Response(
            status_code=status,
            headers=[("content-type", content_type), ("content-length", str(len(payload)))],
        )
        writer.write(conn.send(response) + conn.send(h11.Data(data=payload)))
        writer.write(conn.send(h11.EndOfMessage()))
        await writer.drain()
        return conn.our_state is h11.DONE and conn.their_state is h11.DONE

    async def _long_poll(
        self, work: Awaitable[tuple[int, bytes]], conn: h11.Connection, reader: Any
    ) -> tuple[int, bytes]:
        """Run a getUpdates while watching the socket, so a client that gave up frees it."""
        task = asyncio.ensure_future(work)
        watch = asyncio.ensure_future(reader.read(65536))
        try:
            await asyncio.wait({task, watch}, return_when=asyncio.FIRST_COMPLETED)
            if not watch.done():
                watch.cancel()  # and wait for it: the stream allows one reader at a time
                await asyncio.wait({watch})
            if watch.cancelled():
                pass
            elif data := watch.result():
                conn.receive_data(data)  # pipelined bytes: keep them for the next cycle
            else:
                conn.receive_data(b"")
                if not task.done():
                    raise _DropConnection
            return await task
        finally:
            for pending in (task, watch):
                pending.cancel()

    async def _dispatch(self, target: str, content_type: str, body: bytes) -> tuple[int, bytes]:
        path, _, query = target.partition("?")
        rec = RequestRecord(method=path.rsplit("/", 1)[-1], time=self._clock())
        self._records.append(rec)
        self.stats["requests"] += 1
        self._notify_state()
        try:
            match = _PATH.match(path)
            if not match:
                raise ApiError(404, "Not Found")
            token, name = match.groups()
            entry = self._methods.get(name.lower())
            rec.method = entry[0] if entry else name
            try:
                rec.params, rec.files = _decode_request(content_type, query, body)
            except (ValueError, UnicodeDecodeError) as exc:
                raise ApiError(400, f"Bad Request: {exc}") from exc
            rec.chat_id = rec.params.get("chat_id")
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found")
            result = await entry[1](rec)
            accepted = self.stats["accepted"]
            accepted[rec.method] = accepted.get(rec.method, 0) + 1
            return self._answer(rec, 200, {"ok": True, "result": result})
        except ApiError as err:
            answer = {"ok": False, "error_code": err.status, "description": err.description}
            if err.parameters:
                answer["parameters"] = err.parameters
            return self._answer(rec, err.status, answer)
        except _DropConnection:
            self._notify_state()
            raise
        except Exception as exc:  # a bug in the fake must not hang the client
            log.exception("fake Telegram server failed on %s", target)
            self.internal_errors.append(exc)
            return self._answer(rec, 500, {"ok": False, "error_code": 500, "description": "bug"})

    def _answer(self, rec: RequestRecord, status: int, answer: dict) -> tuple[int, bytes]:
        rec.status, rec.response = status, answer
        rec.outcome = "ok" if status == 200 else "error"
        codes = self.stats["status_codes"]
        codes[status] = codes.get(status, 0) + 1
        if status in (403, 429):
            self.stats[str(status)] += 1
        elif status >= 500:
            self.stats["5xx"] += 1
        self._notify_state()
        return status, json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()

    def _notify_state(self) -> None:
        self._state_changed.set()
        self._state_changed = asyncio.Event()

    # ------------------------------------------------------------------- Bot API methods

    async def _m_getfile(self, rec: RequestRecord) -> dict[str, Any]:
        """A file a user sent (or the bot uploaded): its download path, like Telegram."""
        upload = self._files.get(str(rec.params.get("file_id") or ""))
        if upload is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(upload.content) > BOT_DOWNLOAD_LIMIT:
            raise ApiError(400, "Bad Request: file is too big")
        folder = "photos" if upload.field == "photo" else "documents"
        path = f"{folder}/file_{upload.file_id[-8:]}.{upload.filename.rsplit('.', 1)[-1]}"
        self._file_paths[path] = upload
        return {
            "file_id": upload.file_id,
            "file_unique_id": upload.file_id[-12:],
            "file_size": len(upload.content),
            "file_path": path,
        }

    def _download(self, target: str) -> tuple[int, bytes]:
        """GET /file/bot<token>/<file_path>: the bytes, as Telegram's file server does."""
        rec = RequestRecord(method="download", time=self._clock())
        self._records.append(rec)
        match = _FILE_PATH.match(unquote(target.partition("?")[0]))  # PTB quotes the ":"
        upload = self._file_paths.get(match.group(2)) if match else None
        if match is None or match.group(1) != self.token or upload is None:
            rec.status, rec.outcome = 404, "error"
            return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
        rec.status, rec.outcome, rec.params = 200, "ok", {"file_path": match.group(2)}
        self.downloads.append(match.group(2))
        return 200, upload.content

    async def _m_getme(self, rec: RequestRecord) -> dict[str, Any]:
        return self.bot_user

    async def _m_logout(self, rec: RequestRecord) -> bool:
        return True

    _m_close = _m_logout
    _m_sendchataction = _m_logout

    async def _m_getupdates(self, rec: RequestRecord) -> list[dict[str, Any]]:
        if self.webhook.get("url"):
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset, limit = rec.params.get("offset") or 0, rec.params.get("limit") or 100
        if offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()
        self._poller += 1
        me = self._poller
        self._wake_pollers()  # an older long poll now answers 409, as on Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(rec.params.get("timeout") or 0)
        while True:
            if me != self._poller:
                raise ApiError(409, "Conflict: terminated by other getUpdates request")
            if self._updates or loop.time() >= deadline:
                return list(itertools.islice(self._updates, max(1, min(100, limit))))
            try:
                async with asyncio.timeout(deadline - loop.time()):  # not wait_for (3.11)
                    await self._updates_changed.wait()
            except TimeoutError:
                pass
            except asyncio.CancelledError:
                rec.outcome = "client_gone"
                raise

    def _chat(self, chat_id: int, user: dict[str, Any] | None = None) -> dict[str, Any]:
        """The chat object, created on first sight (private for ids > 0, else a group)."""
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                chat = {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
            else:
                kind = "supergroup" if str(chat_id).startswith("-100") else "group"
                chat = {"id": chat_id, "type": kind, "title": f"Group {chat_id}"}
            self.chats[chat_id] = chat
        if user and chat["type"] == "private":
            chat.update({k: user[k] for k in ("first_name", "username") if user.get(k)})
        return chat

    def add_group(self, chat_id: int, title: str = "KKG Group", kind: str = "group") -> dict:
        """Register a group chat (``kind``: group or supergroup) so messages carry its title."""
        self.chats[chat_id] = {"id": chat_id, "type": kind, "title": title}
        return self.chats[chat_id]

    def _new_message(self, chat_id: int, sender: dict, **fields: Any) -> dict[str, Any]:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        message = {
            "message_id": next(counter),
            "date": int(self._clock()),
            "chat": self._chat(chat_id),
            "from": sender,
            **{k: v for k, v in fields.items() if v is not None},
        }
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _file(self, rec: RequestRecord, name: str) -> UploadedFile:
        """The uploaded file of a send (multipart part, attach:// or an earlier file_id)."""
        ref = rec.params.get(name)
        upload = rec.files.get(name)
        if isinstance(ref, str) and ref.startswith("attach://"):
            upload = rec.files.get(ref.removeprefix("attach://"))
        elif upload is None and isinstance(ref, str) and ref:
            upload = self._files.get(ref) or UploadedFile(name, ref.rsplit("/", 1)[-1], b"")
        if upload is None:
            raise ApiError(400, f"Bad Request: there is no {name} in the request")
        if not upload.file_id:
            upload.file_id = f"FAKE-{name}-{next(self._file_ids):08d}"
            self._files[upload.file_id] = upload
        return upload

    async def _send(self, rec: RequestRecord, kind: str) -> dict[str, Any]:
        """Shared path of send*: faults, blocked users, flood limits, then the message."""
        fault = self.faults.roll()
        if fault == "error_500":
            raise ApiError(500, "Internal Server Error")
        if fault == "retry_429":
            raise too_many_requests(1)
        if fault == "drop_before":
            rec.outcome = "drop_before"
            self.stats["drops_before"] += 1
            raise _DropConnection
        chat_id = rec.chat_id
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int) or chat_id in self.unknown_chats:
            raise ApiError(400, "Bad Request: chat not found")
        if chat_id in self.blocked_chats:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        self.check_group_send(chat_id)
        params = rec.params
        markup = check_markup(params.get("reply_markup"))
        fields: dict[str, Any] = {}
        upload: UploadedFile | None = None
        if kind == "text":
            fields["text"] = check_text(params.get("text"), 4096)
            fields["entities"] = params.get("entities")
        else:
            fields["caption"] = check_text(params.get("caption"), 1024, caption=True)
            fields["caption_entities"] = params.get("caption_entities")
            upload = self._file(rec, kind)
            meta = {"file_id": upload.file_id, "file_unique_id": upload.file_id[-12:]}
            meta["file_size"] = len(upload.content)
            if kind == "document":
                fields["document"] = {**meta, "file_name": upload.filename}
                if upload.content_type:
                    fields["document"]["mime_type"] = upload.content_type
            elif upload.content and not upload.content.startswith(IMAGE_MAGIC):
                # what Telegram answers when the bytes of a photo are not a picture it can read
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            else:
                fields["photo"] = [{**meta, "width": 640, "height": 480}]
        is_group = self._chat(chat_id)["type"] != "private"
        if (retry_after := self.flood.admit(chat_id, is_group)) is not None:
            raise too_many_requests(retry_after)
        if markup and "inline_keyboard" in markup:
            fields["reply_markup"] = markup
        message = self._new_message(chat_id, self.bot_user, **fields)
        sent = SentMessage(
            chat_id=chat_id,
            message_id=message["message_id"],
            method=rec.method,
            text=fields.get("text") or fields.get("caption"),
            reply_markup=markup,
            message=message,
            request=rec,
            document=upload if kind == "document" else None,
            photo=upload if kind == "photo" else None,
        )
        self._sent.append(sent)
        self._sent_by_chat.setdefault(chat_id, []).append(sent)
        if fault == "drop_after":
            rec.outcome = "drop_after"
            self.stats["drops_after"] += 1
            accepted = self.stats["accepted"]
            accepted[rec.method] = accepted.get(rec.method, 0) + 1
            raise _DropConnection
        return message

    async def _m_sendmessage(self, rec: RequestRecord) -> dict[str, Any]:
        return await self._send(rec, "text")

    async def _m_senddocument(self, rec: RequestRecord) -> dict[str, Any]:
        return await self._send(rec, "document")

    async def _m_sendphoto(self, rec: RequestRecord) -> dict[str, Any]:
        return await self._send(rec, "photo")

    async def _edit(self, rec: RequestRecord, with_text: bool) -> dict[str, Any] | bool:
        """Edit a bot message. Like Telegram, editing the text without reply_markup drops the
        inline keyboard, and an edit that changes nothing is a 400."""
        markup = check_markup(rec.params.get("reply_markup"))
        text = check_text(rec.params.get("text"), 4096) if with_text else None
        if rec.params.get("inline_message_id"):
            self._edits.append(EditRecord(None, None, rec.method, text, markup, rec))
            return True
        key = (rec.chat_id, rec.params.get("message_id"))
        current = self._messages.get(key)  # type: ignore[arg-type]
        if current is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if current["from"].get("id") != self.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        new = {k: v for k, v in current.items() if k != "reply_markup"}
        if with_text:
            new["text"] = text
            new.pop("entities", None)
            if rec.params.get("entities"):
                new["entities"] = rec.params["entities"]
        if markup and "inline_keyboard" in markup:
            new["reply_markup"] = markup
        if new.get("text") == current.get("text") and new.get("reply_markup") == current.get(
            "reply_markup"
        ):
            raise ApiError(400, _NOT_MODIFIED)
        new["edit_date"] = int(self._clock())
        self._messages[key] = new  # type: ignore[index]
        self._edits.append(EditRecord(key[0], key[1], rec.method, text, markup, rec))  # type: ignore[arg-type]
        return new

    async def _m_editmessagetext(self, rec: RequestRecord) -> dict[str, Any] | bool:
        return await self._edit(rec, with_text=True)

    async def _m_editmessagereplymarkup(self, rec: RequestRecord) -> dict[str, Any] | bool:
        return await self._edit(rec, with_text=False)

    async def _m_deletemessage(self, rec: RequestRecord) -> bool:
        if self._messages.pop((rec.chat_id, rec.params.get("message_id")), None) is None:  # type: ignore[arg-type]
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _m_answercallbackquery(self, rec: RequestRecord) -> bool:
        query = self._open_callbacks.pop(str(rec.params.get("callback_query_id")), None)
        if query is None:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        answer = {k: rec.params.get(k) for k in ("text", "show_alert", "url", "cache_time")}
        self.answered_callbacks.append(
            {
                "callback_query_id": query["id"],
                "user_id": query["from"]["id"],
                "chat_id": query["message"]["chat"]["id"],
                "data": query.get("data"),
                **answer,
            }
        )
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        """(scope, language_code), scope as "default", "all_private_chats", "chat:ID"..."""
        scope = params.get("scope") or {"type": "default"}
        parts = [str(scope.get("type", "default"))]
        parts += [str(scope[k]) for k in ("chat_id", "user_id") if k in scope]
        return ":".join(parts), str(params.get("language_code") or "")

    async def _m_setmycommands(self, rec: RequestRecord) -> bool:
        commands = rec.params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        check_commands(commands)
        self.commands[self._commands_key(rec.params)] = commands
        return True

    async def _m_getmycommands(self, rec: RequestRecord) -> list[dict[str, Any]]:
        return self.commands.get(self._commands_key(rec.params), [])

    async def _m_deletemycommands(self, rec: RequestRecord) -> bool:
        self.commands.pop(self._commands_key(rec.params), None)
        return True

    async def _m_setwebhook(self, rec: RequestRecord) -> bool:
        secret = rec.params.get("secret_token")
        check_secret(secret)
        if rec.params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {k: v for k, v in rec.params.items() if k != "certificate"}
        return True

    async def _m_deletewebhook(self, rec: RequestRecord) -> bool:
        if rec.params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {}
        return True

    async def _m_getwebhookinfo(self, rec: RequestRecord) -> dict[str, Any]:
        info = {
            k: self.webhook[k] for k in ("allowed_updates", "max_connections") if k in self.webhook
        }
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
            **info,
        }

    # ------------------------------------------------------------------ simulated users

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw Update for getUpdates; assigns the next update_id if it has none."""
        update = dict(update)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, update["update_id"]) + 1
        self._updates.append(update)
        self._wake_pollers()
        return update

    def _wake_pollers(self) -> None:
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()

    @staticmethod
    def _user(user_id: int, first_name: str, username: str | None, lang: str | None) -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        return user | {k: v for k, v in (("username", username), ("language_code", lang)) if v}

    def user_sends(
        self,
        user_id: int,
        text: str,
        first_name: str = "Guru",
        username: str | None = None,
        language_code: str | None = "id",
        *,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """A user types ``text`` (in their private chat, or in group ``chat_id``)."""
        user = self._user(user_id, first_name, username, language_code)
        chat_id = user_id if chat_id is None else chat_id
        self._chat(chat_id, user)
        entities = None
        if text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": utf16_len(text.split()[0])}]
        message = self._new_message(chat_id, user, text=text, entities=entities)
        return self.push_update({"message": message})

    def user_sends_file(
        self,
        user_id: int,
        filename: str,
        content: bytes,
        mime: str = "application/pdf",
        *,
        photo: bool = False,
        caption: str | None = None,
        announced_size: int | None = None,
    ) -> dict[str, Any]:
        """A user sends a document (or, with ``photo``, an image in three sizes, as Telegram
        offers them). ``announced_size`` overrides the size the message states."""
        user = self._user(user_id, "Guru", None, "id")
        self._chat(user_id, user)
        upload = UploadedFile("photo" if photo else "document", filename, content, mime)
        upload.file_id = f"USER-{upload.field}-{next(self._file_ids):08d}"
        self._files[upload.file_id] = upload
        size = len(content) if announced_size is None else announced_size
        meta = {"file_id": upload.file_id, "file_unique_id": upload.file_id[-12:]}
        if photo:
            small = UploadedFile("photo", filename, content[:100], mime)
            small.file_id = upload.file_id + "-s"
            self._files[small.file_id] = small
            sizes = [
                {**meta, "file_id": small.file_id, "width": 90, "height": 60, "file_size": 100},
                {**meta, "width": 1280, "height": 853, "file_size": size},
            ]
            fields: dict[str, Any] = {"photo": sizes}
        else:
            fields = {"document": {**meta, "file_name": filename, "mime_type": mime,
                                   "file_size": size}}  # fmt: skip
        message = self._new_message(user_id, user, caption=caption, **fields)
        return self.push_update({"message": message})

    def user_presses(
        self,
        user_id: int,
        label_or_data: str,
        first_name: str = "Guru",
        username: str | None = None,
        language_code: str | None = "id",
        *,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """A user taps the inline button (by text or callback_data) of the newest message in
        their chat that still shows such a button; raises LookupError if none does."""
        chat_id = user_id if chat_id is None else chat_id
        for sent in reversed(self._sent_by_chat.get(chat_id, [])):
            message = self._messages.get((chat_id, sent.message_id))
            rows = ((message or {}).get("reply_markup") or {}).get("inline_keyboard") or []
            for button in (b for row in rows for b in row):
                if label_or_data not in (button.get("text"), button.get("callback_data")):
                    continue
                if "callback_data" not in button:
                    raise LookupError(f"button {button} sends no callback_data")
                query = {
                    "id": str(next(self._callback_ids)),
                    "from": self._user(user_id, first_name, username, language_code),
                    "message": message,
                    "chat_instance": f"ci{chat_id}",
                    "data": button["callback_data"],
                }
                self._open_callbacks[query["id"]] = query
                return self.push_update({"callback_query": query})
        raise LookupError(
            f"no message in chat {chat_id} shows a button {label_or_data!r}; messages: "
            + self._dump(chat_id)
        )

    async def deliver_webhook_updates(self) -> list[int]:
        """POST pending updates to the webhook set by setWebhook (loopback only), with the
        secret header, as Telegram would; stops at the first non-2xx answer."""
        import httpx

        url = self.webhook.get("url") or ""
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"refusing to deliver to non-loopback webhook {url!r}")
        headers = {}
        if self.webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = str(self.webhook["secret_token"])
        statuses: list[int] = []
        async with httpx.AsyncClient(timeout=10) as client:
            while self._updates:
                answer = await client.post(url, json=self._updates[0], headers=headers)
                statuses.append(answer.status_code)
                if not answer.is_success:
                    break
                self._updates.popleft()
        return statuses

    # ---------------------------------------------------------------- inspecting, waiting

    def requests(self, method: str | None = None) -> list[RequestRecord]:
        """Every request (or those of one method, any case), oldest first."""
        if method is None:
            return list(self._records)
        return [r for r in self._records if r.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """Accepted sendMessage/sendDocument/sendPhoto, including drop_after ones."""
        return list(self._sent if chat_id is None else self._sent_by_chat.get(chat_id, []))

    def last_message(self, chat_id: int) -> SentMessage:
        sent = self._sent_by_chat.get(chat_id)
        if not sent:
            raise LookupError(f"nothing was sent to chat {chat_id}; {self._dump_requests()}")
        return sent[-1]

    def current_message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """A message as a user sees it now (after edits)."""
        return self._messages[(chat_id, message_id)]

    def edits(self, chat_id: int | None = None) -> list[EditRecord]:
        return [e for e in self._edits if chat_id is None or e.chat_id == chat_id]

    def commands_for(self, language_code: str = "", scope: str = "default") -> list[dict]:
        return self.commands.get((scope, language_code), [])

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        return list(self._updates)

    def delivered_counts(self) -> dict[int, int]:
        """{chat_id: number of accepted send* messages}."""
        return {chat_id: len(sent) for chat_id, sent in self._sent_by_chat.items()}

    def duplicates(
        self, key: Callable[[SentMessage], Hashable] = lambda m: (m.chat_id, m.text)
    ) -> dict[Hashable, int]:
        """Keys that were delivered more than once -> how many times (default: same text to
        the same chat)."""
        counts = Counter(key(m) for m in self._sent)
        return {k: n for k, n in counts.items() if n > 1}

    def duplicate_count(
        self, key: Callable[[SentMessage], Hashable] = lambda m: (m.chat_id, m.text)
    ) -> int:
        """Extra copies delivered: sum of (count - 1) over duplicated keys."""
        return sum(n - 1 for n in self.duplicates(key).values())

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 (the tests' API; asyncio.timeout inside)
        what: str = "condition",
    ) -> None:
        """Wait until ``predicate()`` holds; it is re-checked after every request."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{what} not met after {timeout}s; {self._dump_requests()}")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):  # not wait_for: it may eat a cancel
                    await self._state_changed.wait()

    async def wait_for_messages(
        self,
        chat_id: int,
        count: int,
        timeout: float = 5.0,  # noqa: ASYNC109 (the tests' API)
    ) -> list[SentMessage]:
        """Wait until ``chat_id`` has at least ``count`` accepted messages; returns them."""
        what = f"{count} message(s) to chat {chat_id}"
        try:
            await self.wait_until(
                lambda: len(self._sent_by_chat.get(chat_id, ())) >= count, timeout, what
            )
        except TimeoutError as exc:
            raise TimeoutError(f"{exc}; now has: {self._dump(chat_id)}") from None
        return list(self._sent_by_chat[chat_id])

    def _dump(self, chat_id: int) -> str:
        return (
            "; ".join(
                f"#{m.message_id} {m.text!r} buttons={[b.get('text') for b in m.buttons]}"
                for m in self._sent_by_chat.get(chat_id, [])[-10:]
            )
            or "none"
        )

    def _dump_requests(self) -> str:
        recent = ", ".join(
            f"{r.method}(chat={r.chat_id}) -> {r.status or r.outcome}" for r in self._records[-10:]
        )
        return f"{len(self._records)} requests, last: [{recent}]"


async def _main() -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--flood-limits", action="store_true", help="Telegram's flood limits")
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    async with FakeTelegramServer(args.token, port=args.port, fault_seed=args.seed) as srv:
        srv.configure(flood_limits=args.flood_limits, fault_rate=args.fault_rate)
        print(srv.base_url, flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main())
