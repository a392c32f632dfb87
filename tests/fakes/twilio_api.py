"""A fake Twilio REST API for WhatsApp messages, on 127.0.0.1, for the real twilio `Client`.

It answers `POST /2010-04-01/Accounts/{Sid}/Messages.json` like Twilio (201 with a JSON
message resource, or an error body with Twilio's `code`), checks Basic auth, enforces the
WhatsApp 24-hour window (63016), records every request, can inject faults, and plays the
outside world: a person writing to the bot (a signed webhook POST) and delivery status
callbacks, signed with twilio's own `RequestValidator`. It also keeps the media people
send (`GET .../Messages/{MM}/Media/{ME}`, Basic auth like Twilio's media authentication).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

WINDOW_SECONDS = 24 * 3600


@dataclass
class TwilioMessage:
    sid: str
    to: str
    from_: str
    body: str | None
    content_sid: str | None
    content_variables: str | None
    status_callback: str | None
    params: dict[str, str]
    status: str = "queued"
    at: float = field(default_factory=time.time)


class FakeTwilioServer:
    def __init__(
        self,
        account_sid: str = "AC" + "0" * 32,
        auth_token: str = "test-auth-token",
        *,
        clock: Callable[[], float] = time.time,
        fault_seed: int = 0,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.clock = clock
        self.messages: list[TwilioMessage] = []
        self.requests: list[dict[str, Any]] = []
        self.last_inbound: dict[str, float] = {}  # whatsapp:+62... -> time the person last wrote
        self.invalid_numbers: set[str] = set()
        self.media: dict[str, tuple[bytes, str]] = {}  # media path -> (content, mime)
        self.media_requests: list[dict[str, Any]] = []
        self.unsubscribed: set[str] = set()
        self.enforce_window = True
        self.fault_rate = 0.0
        self.fault_codes: list[int] = [500, 429]
        self._rng = random.Random(fault_seed)
        self._sids = itertools.count(1)
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task | None = None
        self.port = 0
        self.app = Starlette(
            routes=[
                Route(
                    "/2010-04-01/Accounts/{sid}/Messages.json",
                    self._create_message,
                    methods=["POST"],
                ),
                Route(
                    "/2010-04-01/Accounts/{sid}/Messages/{msid}/Media/{mid}",
                    self._get_media,
                    methods=["GET"],
                ),
            ]
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> FakeTwilioServer:
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        for _ in range(500):  # uvicorn offers no "started" event to await; bounded to 5 s
            if self._server.started:
                break
            await asyncio.sleep(0.01)  # noqa: ASYNC110
        else:
            raise RuntimeError("fake Twilio server did not start")
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            await self._task

    async def __aenter__(self) -> FakeTwilioServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ---- the REST API -------------------------------------------------------------

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user == self.account_sid and password == self.auth_token

    @staticmethod
    def _error(status: int, code: int, message: str) -> JSONResponse:
        return JSONResponse(
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
            status_code=status,
        )

    async def _create_message(self, request: Request) -> JSONResponse:
        form = {k: str(v) for k, v in (await request.form()).items()}
        record = {"path": request.url.path, "params": form, "time": self.clock()}
        self.requests.append(record)
        if not self._authorised(request) or request.path_params["sid"] != self.account_sid:
            record["status"] = 401
            return self._error(401, 20003, "Authenticate")
        if self.fault_rate and self._rng.random() < self.fault_rate:
            code = self._rng.choice(self.fault_codes)
            record["status"] = code
            if code == 429:
                return self._error(429, 20429, "Too Many Requests")
            return self._error(500, 20500, "Internal Server Error")
        to, from_ = form.get("To", ""), form.get("From", "")
        body, content_sid = form.get("Body"), form.get("ContentSid")
        if not to.startswith("whatsapp:") or not from_.startswith("whatsapp:"):
            return self._fail(record, 400, 21211, "Invalid 'To' Phone Number")
        if not body and not content_sid:
            return self._fail(
                record, 400, 21619, "A text message body or media urls must be specified."
            )
        if to in self.invalid_numbers:
            return self._fail(record, 400, 63024, "Invalid message recipient")
        if to in self.unsubscribed:
            return self._fail(record, 400, 21610, "Attempt to send to unsubscribed recipient")
        if self.enforce_window and content_sid is None and not self.window_open(to):
            return self._fail(
                record,
                400,
                63016,
                "Failed to send freeform message because you are outside the allowed window.",
            )
        message = TwilioMessage(
            sid=f"SM{next(self._sids):032x}",
            to=to,
            from_=from_,
            body=body,
            content_sid=content_sid,
            content_variables=form.get("ContentVariables"),
            status_callback=form.get("StatusCallback"),
            params=form,
            at=self.clock(),
        )
        self.messages.append(message)
        record["status"] = 201
        return JSONResponse(self._resource(message), status_code=201)

    def _fail(self, record: dict, status: int, code: int, message: str) -> JSONResponse:
        record["status"] = status
        record["code"] = code
        return self._error(status, code, message)

    def _resource(self, message: TwilioMessage) -> dict[str, Any]:
        return {
            "sid": message.sid,
            "account_sid": self.account_sid,
            "to": message.to,
            "from": message.from_,
            "body": message.body or "",
            "status": message.status,
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": None,
            "date_updated": None,
            "date_sent": None,
            "error_code": None,
            "error_message": None,
            "price": None,
            "price_unit": "USD",
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message.sid}.json",
        }

    async def _get_media(self, request: Request) -> Response:
        self.media_requests.append({"path": request.url.path, "time": self.clock()})
        if not self._authorised(request) or request.path_params["sid"] != self.account_sid:
            return self._error(401, 20003, "Authenticate")
        found = self.media.get(request.url.path)
        if found is None:
            return self._error(404, 20404, "The requested resource was not found")
        return Response(found[0], media_type=found[1])

    def add_media(self, content: bytes, mime: str) -> str:
        """Keep a file a person sends; its MediaUrl, as Twilio puts it in the webhook."""
        n = next(self._sids)
        path = f"/2010-04-01/Accounts/{self.account_sid}/Messages/MM{n:032x}/Media/ME{n:032x}"
        self.media[path] = (content, mime)
        return self.base_url + path

    # ---- the outside world --------------------------------------------------------

    def window_open(self, to: str) -> bool:
        last = self.last_inbound.get(to)
        return last is not None and self.clock() - last < WINDOW_SECONDS

    def sent_to(self, number: str) -> list[TwilioMessage]:
        address = number if number.startswith("whatsapp:") else f"whatsapp:{number}"
        return [m for m in self.messages if m.to == address]

    def sign(self, url: str, params: dict[str, str]) -> str:
        return RequestValidator(self.auth_token).compute_signature(url, params)

    async def person_writes(
        self,
        webhook_url: str,
        number: str,
        body: str = "",
        *,
        message_sid: str | None = None,
        extra: dict[str, str] | None = None,
        signature: str | None = None,
        media: tuple[bytes, str] | None = None,
    ) -> httpx.Response:
        """A WhatsApp user writes to the bot: Twilio POSTs a signed form to our webhook.
        With `media` (content, mime) they send a file: it is kept here, and the form
        carries NumMedia, MediaUrl0 and MediaContentType0 as Twilio's does."""
        address = number if number.startswith("whatsapp:") else f"whatsapp:{number}"
        if media is not None:
            url = self.add_media(*media)
            extra = {"NumMedia": "1", "MediaUrl0": url, "MediaContentType0": media[1]} | (
                extra or {}
            )
        params = {
            "MessageSid": message_sid or f"SMin{next(self._sids):030x}",
            "AccountSid": self.account_sid,
            "From": address,
            "To": "whatsapp:+14155238886",
            "Body": body,
            "NumMedia": "0",
            "ProfileName": "Guru",
            "WaId": address.removeprefix("whatsapp:+"),
            **(extra or {}),
        }
        self.last_inbound[address] = self.clock()
        headers = {
            "X-Twilio-Signature": signature
            if signature is not None
            else self.sign(webhook_url, params)
        }
        async with httpx.AsyncClient() as client:
            return await client.post(webhook_url, data=params, headers=headers)

    async def report_status(
        self, message: TwilioMessage, status: str, error_code: int | None = None
    ) -> httpx.Response:
        """Twilio's delivery status callback for one message (sent, delivered, read, failed...)."""
        assert message.status_callback, "the message asked for no status callback"
        message.status = status
        params = {
            "MessageSid": message.sid,
            "MessageStatus": status,
            "AccountSid": self.account_sid,
            "To": message.to,
            "From": message.from_,
        }
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        headers = {"X-Twilio-Signature": self.sign(message.status_callback, params)}
        async with httpx.AsyncClient() as client:
            return await client.post(message.status_callback, data=params, headers=headers)
