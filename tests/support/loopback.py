"""What the loopback fake servers share: a threaded HTTP server on 127.0.0.1 that serves until
its ``with`` block ends, and a handler that answers quietly."""

from __future__ import annotations

import contextlib
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class QuietHandler(BaseHTTPRequestHandler):
    """A handler that logs nothing, ignores clients that hung up, and sends whole answers."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK hold the body back for tens of milliseconds
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        # a client that gave up (a timeout test) has nobody left to answer
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._get()

    def _get(self) -> None:
        raise NotImplementedError

    def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


class LoopbackServer:
    """``with Subclass(state) as server: server.base_url``; the handler reads ``state`` as
    ``self.server.state``."""

    handler: type[QuietHandler]
    path = "/"

    def __init__(self, state: Any) -> None:
        self.state = state
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self._server.daemon_threads = True
        self._server.state = state
        # set when the server stops: a handler that waits (a slow or hanging answer) waits on
        # it, so no handler thread outlives its test (a live thread keeps the next tests of
        # this process from forking their workers)
        self._server.stopping = threading.Event()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.path}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
