"""Serve a `teamtui` command's Textual app to browsers with textual-serve (the `web` extra), announced in one line.

textual-serve (`textual_serve.server.Server`) runs the command through the shell once per browser connection,
with Textual's web driver, and relays the terminal over a websocket to xterm.js in the page; closing the tab
sends the app a quit. This module is imported only by `teamtui serve`, after the extra was found.
"""

from __future__ import annotations

import logging
import shlex
import weakref
from collections.abc import Callable

from aiohttp import web
from textual_serve.server import Server


class _Server(Server):  # type: ignore[misc]  # (Any where the web extra is missing and mypy cannot see it)
    """textual-serve's server with teamtui's one-line announcement instead of its logo banner, no line per HTTP
    request, and a shutdown that closes the open sessions first (each app then quits and records its run)."""

    def __init__(self, command: str, host: str, port: int, title: str, public_url: str,
                 announce: Callable[[], None]) -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url)
        self._announce = announce
        self._sessions: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()

    def initialize_logging(self) -> None:
        super().initialize_logging()
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    async def _make_app(self) -> web.Application:
        app: web.Application = await super()._make_app()
        app.on_response_prepare.append(self._track)
        return app

    async def _track(self, request: web.Request, response: web.StreamResponse) -> None:
        if isinstance(response, web.WebSocketResponse):
            self._sessions.add(response)

    async def on_startup(self, app: web.Application) -> None:
        self._announce()  # after the socket is bound: the address printed is one that answers

    async def on_shutdown(self, app: web.Application) -> None:
        # Without this aiohttp waits up to a minute for the open websockets to end by themselves.
        for session in list(self._sessions):
            await session.close(code=1001, message=b"server shutdown")


def serve(argv: list[str], host: str, port: int, public_url: str, title: str, announce: Callable[[], None]) -> None:
    """Serve `argv` (run once per browser connection) on host:port until SIGINT or SIGTERM.

    `exec` makes the shell textual-serve starts become the app, so stopping a session stops the app itself."""
    server = _Server("exec " + shlex.join(argv), host=host, port=port, title=title, public_url=public_url,
                     announce=announce)
    server.serve()
