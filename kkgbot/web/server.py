"""uvicorn inside the bot's own event loop, started and stopped with the rest of `run`."""

from __future__ import annotations

import asyncio
import socket

import uvicorn
from starlette.applications import Starlette


class WebServer:
    def __init__(self, app: Starlette, host: str, port: int) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self, sock: socket.socket | None = None) -> None:
        """Serve on `host:port`, or on an already bound socket (tests pick a free port)."""
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.port,
            log_level="warning",
            lifespan="off",
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        sockets = [sock] if sock is not None else None
        self._task = asyncio.create_task(self._server.serve(sockets=sockets), name="web")
        for _ in range(1000):  # uvicorn has no "started" event; bounded to 10 s
            if self._server.started:
                break
            if self._task.done():
                await self._task  # raises the reason it could not start
                raise RuntimeError("the web server stopped while starting")
            await asyncio.sleep(0.01)  # noqa: ASYNC110
        else:
            raise RuntimeError("the web server did not start")
        if sock is None:
            self.port = self._server.servers[0].sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
            self._server = None


def bound_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening-ready socket, so its port is known before the server starts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock
