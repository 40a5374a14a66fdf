"""A real HTTP server on loopback that answers like PyPI's JSON API.

Serves ``/pypi/NAME/json`` from documents (the recorded responses in ``fixtures/pypi`` and
variants tests build from them), each with an ``ETag``; ``If-None-Match`` with the current
ETag answers 304. Unknown names answer 404 ``{"message": "Not Found"}``. Faults per name:
``503`` (an HTML page), ``malformed`` (a 200 that is not JSON), ``huge`` (a body of ``size``
bytes). ``delay`` adds seconds to every answer (for the benchmark).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pypi"


def recorded(name: str) -> dict:
    """A recorded response (``djangorestframework``, ``django-crispy-forms``, ``nango``...)."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


@dataclass
class FakePypi:
    documents: dict[str, dict] = field(default_factory=dict)  # normalized name -> document
    faults: dict[str, list[str]] = field(default_factory=dict)  # name -> faults, in order
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, If-None-Match)
    delay: float = 0.0
    size: int = 30 * 2**20

    def etag(self, name: str) -> str:
        body = json.dumps(self.documents[name], sort_keys=True).encode()
        return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._get()

    def _get(self) -> None:
        pypi = self.server.pypi
        pypi.requests.append((self.path, self.headers.get("If-None-Match", "")))
        if pypi.delay:
            time.sleep(pypi.delay)
        parts = self.path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "pypi" or parts[2] != "json":
            return self._send(404, b"<html>Not Found</html>", "text/html")
        name = parts[1]
        faults = pypi.faults.get(name) or []
        fault = faults.pop(0) if faults else None
        if fault == "503":
            return self._send(503, b"<html>Service Unavailable</html>", "text/html")
        if fault == "malformed":
            return self._send(200, b'{"info": {"name": ', "application/json")
        if fault == "huge":
            return self._send(200, b'{"pad": "' + b" " * pypi.size + b'"}', "application/json")
        if name not in pypi.documents:
            return self._send(404, b'{"message": "Not Found"}', "application/json")
        etag = pypi.etag(name)
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, b"", "application/json", {"ETag": etag})
        body = json.dumps(pypi.documents[name]).encode()
        self._send(200, body, "application/json", {"ETag": etag})

    def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if status != 304:
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, pypi: FakePypi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pypi = pypi


class FakePypiServer:
    """``with FakePypiServer(pypi) as server: server.base_url``."""

    def __init__(self, pypi: FakePypi) -> None:
        self.pypi = pypi
        self._server = _Server(pypi)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> FakePypiServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
