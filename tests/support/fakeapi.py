"""A real HTTP server on loopback that answers like the Django Packages API v4.

Serves recorded records with the real semantics: limit/offset paging with absolute ``next``
links, ``-id`` order, id-or-slug lookup, JSON 404 for unknown objects, HTML 404 for unknown
paths. Faults are queued per path and consumed one request at a time:

- ``429``: Too Many Requests with ``Retry-After``;
- ``503``: an HTML maintenance page;
- ``slow``: answers after ``delay`` seconds (past a client's read timeout);
- ``truncate``: promises a longer body than it sends, then closes the connection;
- ``html200``: a 200 whose body is an HTML page (a CDN or login page);
- ``insert``: before answering, a new record is created at the top of the listing;
- ``redirect``: a 302 to ``location`` (another host, or the same path again: a loop);
- ``trickle``: a 200 whose body comes one byte every ``delay`` seconds, never ending in time;
- ``gzipbomb``: a 200 JSON body of ``size`` bytes, gzip-compressed to a few kB.

``FakeApi.counts`` overrides the ``count`` a listing claims (a hostile or broken upstream).

Used by the tests and by ``bench.sync``; it never talks to anything but its own socket.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.support.loopback import LoopbackServer, QuietHandler

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PATHS = {"categories": "category", "grids": "grid", "packages": "package"}
PUBLIC = "https://djangopackages.org/api/v4/"


def recorded_bodies(name: str) -> list[dict]:
    """Bodies of one fixture file (``packages``, ``grids``, ``categories``), in file order."""
    lines = (FIXTURES / f"{name}.jsonl").read_text().splitlines()
    return [json.loads(line)["body"] for line in lines if line.strip()]


def latest_by_id(bodies: Iterable[dict]) -> dict[int, dict]:
    """One body per id; of two observations, the one fetched last."""
    out: dict[int, dict] = {}
    for body in bodies:
        old = out.get(body["id"])
        if old is None or (body.get("last_fetched") or "") > (old.get("last_fetched") or ""):
            out[body["id"]] = body
    return out


@dataclass
class Fault:
    kind: str
    path: str = ""  # applies to requests whose path starts with this
    times: int = 1
    retry_after: str = "1"
    delay: float = 2.0
    record: dict | None = None  # for "insert"
    after: int = 0  # matching requests to let through before the fault starts
    location: str = ""  # for "redirect"
    size: int = 0  # for "gzipbomb": bytes once decompressed


@dataclass
class FakeApi:
    """The served data: resource name ("packages", ...) -> id -> body."""

    data: dict[str, dict[int, dict]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    raw_records: dict[str, dict[int, bytes]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # resource -> claimed count
    lock: threading.Lock = field(default_factory=threading.Lock)
    latency: float = 0.0  # seconds added to every answer

    @classmethod
    def recorded(cls) -> FakeApi:
        return cls(
            data={
                "packages": latest_by_id(recorded_bodies("packages")),
                "grids": latest_by_id(recorded_bodies("grids")),
                "categories": latest_by_id(recorded_bodies("categories")),
            }
        )

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault.path) and fault.times > 0:
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    fault.times -= 1
                    return fault
        return None


class _Handler(QuietHandler):
    def _get(self) -> None:
        api = self.server.state
        split = urlsplit(self.path)
        api.requests.append(self.path)
        if api.latency:
            self.server.stopping.wait(api.latency)
        fault = api.take_fault(split.path)
        if fault is not None and self._fault(fault):
            return
        match = re.fullmatch(r"/api/v4/(\w+)/(?:([^/]+)/)?", split.path)
        if not match or match.group(1) not in PATHS:
            return self._send(
                404, b"<!DOCTYPE html><html><title>Not Found</title></html>", "text/html"
            )
        resource, key = match.group(1), match.group(2)
        records = api.data.setdefault(resource, {})
        if key is None:
            return self._list(resource, records, parse_qs(split.query))
        body = None
        if key.isdigit():
            body = records.get(int(key))
        else:
            body = next((b for b in records.values() if b.get("slug") == key), None)
        if body is None:
            kind = PATHS[resource].capitalize()
            return self._json(404, {"detail": f"No {kind} matches the given query."})
        raw = api.raw_records.get(resource, {}).get(body["id"])
        self._send(200, raw or json.dumps(body).encode(), "application/json")

    def _list(self, resource: str, records: dict[int, dict], query: dict) -> None:
        limit = int(query.get("limit", ["20"])[0])
        offset = int(query.get("offset", ["0"])[0])
        ordered = [records[i] for i in sorted(records, reverse=True)]
        window = ordered[offset : offset + limit]
        base = f"http://{self.headers['Host']}/api/v4/{resource}/"
        nxt = (
            f"{base}?limit={limit}&offset={offset + limit}"
            if offset + limit < len(ordered)
            else None
        )
        prev = f"{base}?limit={limit}&offset={max(0, offset - limit)}" if offset > 0 else None
        raws = self.server.state.raw_records.get(resource, {})
        results = b",".join(raws.get(b["id"]) or json.dumps(b).encode() for b in window)
        count = self.server.state.counts.get(resource, len(ordered))
        head = json.dumps({"count": count, "next": nxt, "previous": prev})
        self._send(
            200, head[:-1].encode() + b', "results": [' + results + b"]}", "application/json"
        )

    def _fault(self, fault: Fault) -> bool:
        """Act out a fault; True when it answered the request itself."""
        if fault.kind == "429":
            self._send(
                429,
                b"<html>Too Many Requests</html>",
                "text/html",
                {"Retry-After": fault.retry_after},
            )
        elif fault.kind == "503":
            self._send(
                503, b"<!DOCTYPE html><html><body>Down for maintenance</body></html>", "text/html"
            )
        elif fault.kind == "html200":
            self._send(
                200, b"<!DOCTYPE html><html><body>Checking your browser</body></html>", "text/html"
            )
        elif fault.kind == "truncate":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b'{"count": 3, "results": [{"id": 1, "tit')
            self.wfile.flush()
            self.close_connection = True
        elif fault.kind == "redirect":
            self._send(302, b"", "text/html", {"Location": fault.location or self.path})
        elif fault.kind == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for byte in b'{"count": 1, "results": [' * 100:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                self.server.stopping.wait(fault.delay)
            self.close_connection = True
        elif fault.kind == "gzipbomb":
            body = b'{"count": 0, "results": [], "pad": "' + b" " * fault.size + b'"}'
            self._send(200, gzip.compress(body), "application/json", {"Content-Encoding": "gzip"})
        elif fault.kind == "slow":
            self.server.stopping.wait(fault.delay)
            return False
        elif fault.kind == "insert":
            assert fault.record is not None
            resource = fault.path.strip("/").split("/")[-1]
            self.server.state.data.setdefault(resource, {})[fault.record["id"]] = fault.record
            return False
        else:
            raise ValueError(f"unknown fault {fault.kind}")
        return True

    def _json(self, status: int, value: object) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")


class FakeApiServer(LoopbackServer):
    """``with FakeApiServer(api) as server: server.base_url``: serves until the block ends."""

    handler = _Handler
    path = "/api/v4/"

    def __init__(self, api: FakeApi | None = None) -> None:
        super().__init__(api or FakeApi.recorded())
        self.api = self.state
