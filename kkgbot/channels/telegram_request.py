"""python-telegram-bot's request interface (`BaseRequest`) on aiohttp, for the send path.

Why: at broadcast rates the dispatcher's CPU goes mostly to the HTTP client. PTB's default
`HTTPXRequest` costs over a millisecond of CPU per call on the 2-core bench machine; aiohttp
(its HTTP parser is compiled) a fraction of that. PTB lets the transport be replaced, so the
real `Bot` keeps doing everything else: building the request, reading the answer, and
raising the same `TelegramError`s (`RetryAfter`, `Forbidden`, `BadRequest`...) as always.
aiohttp is already installed for twilio's async client; it is imported when the first
request is made, so the bot's start-up does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

if TYPE_CHECKING:
    import aiohttp

_DEFAULT = BaseRequest.DEFAULT_NONE


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded pool; timeouts as PTB's defaults (5 s each)."""

    def __init__(self, pool_size: int = 24, timeout: float = 5.0, media_timeout: float = 20.0):
        self._pool_size = pool_size
        self._timeout = timeout
        self._media_timeout = media_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._timeout

    async def initialize(self) -> None:
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, keepalive_timeout=60),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = _DEFAULT,
        write_timeout: Any = _DEFAULT,
        connect_timeout: Any = _DEFAULT,
        pool_timeout: Any = _DEFAULT,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        import aiohttp

        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        read = self._timeout if read_timeout is _DEFAULT else read_timeout
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=self._timeout if connect_timeout is _DEFAULT else connect_timeout,
            sock_read=(self._media_timeout if files else self._timeout) if read is None else read,
        )
        data: Any = fields
        if files:
            form = aiohttp.FormData()
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, part in files.items():
                filename, content, mime = part if isinstance(part, tuple) else (name, part, None)
                form.add_field(name, content, filename=filename, content_type=mime)
            data = form
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as answer:
                return answer.status, await answer.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
