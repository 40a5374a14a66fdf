"""A real HTTP server on loopback that answers like PyPI's JSON API.

Serves ``/pypi/NAME/json`` (and ``/pypi/NAME/VERSION/json``, see ``_release``) from
documents (the recorded responses in ``fixtures/pypi`` and variants tests build from them),
each with an ``ETag``; ``If-None-Match`` with the current
ETag answers 304. Unknown names answer 404 ``{"message": "Not Found"}``. Faults per name:
``503`` (an HTML page), ``malformed`` (a 200 that is not JSON), ``huge`` (a body of ``size``
bytes), ``null`` (a 200 of ``null``), ``429`` (Too Many Requests, ``Retry-After: 999999``),
``gzip2`` (the document gzipped twice, ``Content-Encoding: gzip, gzip``), ``bomb`` (a body of
``size`` bytes gzipped), ``drip`` (a body sent a byte every 0.2 s). ``delay`` adds seconds to
every answer (for the benchmark).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.loopback import LoopbackServer, QuietHandler

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pypi"


def recorded(name: str) -> dict:
    """A recorded response (``djangorestframework``, ``django-crispy-forms``, ``nango``...)."""
    return json.loads((FIXTURES / f"{name}.json").read_text())


CURRENT = FIXTURES / "current"


def current(name: str) -> dict:
    """A page recorded in December 2026 (``fixtures/pypi/current``, see its README): a
    project's (``wagtail``) or a release's (``wagtail==7.4.4``, built from its metadata)."""
    path = CURRENT / f"{name}.json"
    if not path.exists():
        return json.loads(gzip.decompress((CURRENT / f"{name}.json.gz").read_bytes()))
    return json.loads(path.read_text())


def current_pypi(*names: str, release_pages: bool = True) -> FakePypi:
    """A fake PyPI serving the recorded December 2026 pages of ``names``: each project's
    page and the release pages recorded for it (none with ``release_pages=False``: a mirror
    that answers 404 to every release page). A release page not recorded answers 404."""
    pypi = FakePypi(made_up_releases=False)
    for name in names:
        pypi.documents[name] = current(name)
        if not release_pages:
            pypi.no_release_pages.add(name)
            continue
        for path in sorted(CURRENT.glob(f"{name}==*.json")):
            version = path.name[len(name) + 2 : -len(".json")]
            pypi.releases[(name, version)] = json.loads(path.read_text())
    return pypi


@dataclass
class FakePypi:
    documents: dict[str, dict] = field(default_factory=dict)  # normalized name -> document
    #: (name, version) -> its page (bytes: a body sent as it is)
    releases: dict[tuple[str, str], dict | bytes] = field(default_factory=dict)
    no_release_pages: set[str] = field(default_factory=set)  # names whose /VERSION/json 404
    #: a release page not given is made from the project's info (False: it answers 404)
    made_up_releases: bool = True
    faults: dict[str, list[str]] = field(default_factory=dict)  # name -> faults, in order
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, If-None-Match)
    delay: float = 0.0
    size: int = 30 * 2**20
    frozen: bool = False  # documents never change: encode each once (the benchmark)
    _encoded: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def compressed(self, fault: str) -> bytes:
        """The body of a ``bomb`` (``size`` bytes gzipped) or ``gzip2`` (gzipped twice),
        made once."""
        if fault not in self._encoded:
            body = gzip.compress(b'{"pad": "' + b" " * self.size + b'"}')
            self._encoded[fault] = (gzip.compress(body) if fault == "gzip2" else body, "")
        return self._encoded[fault][0]

    def encoded(self, name: str) -> tuple[bytes, str]:
        """A document's body and its ETag (a hash of the body)."""
        if self.frozen and name in self._encoded:
            return self._encoded[name]
        body = json.dumps(self.documents[name]).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.frozen:
            self._encoded[name] = body, etag
        return body, etag


class _Handler(QuietHandler):
    def _get(self) -> None:
        pypi = self.server.state
        pypi.requests.append((self.path, self.headers.get("If-None-Match", "")))
        if pypi.delay:
            self.server.stopping.wait(pypi.delay)
        parts = self.path.strip("/").split("/")
        if len(parts) == 4 and parts[0] == "pypi" and parts[3] == "json":
            return self._release(pypi, parts[1], parts[2])
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
        if fault == "null":
            return self._send(200, b"null", "application/json")
        if fault == "429":
            return self._send(
                429, b"<html>Slow down</html>", "text/html", {"Retry-After": "999999"}
            )
        if fault in ("gzip2", "bomb"):
            coding = "gzip, gzip" if fault == "gzip2" else "gzip"
            body = pypi.compressed(fault)
            return self._send(200, body, "application/json", {"Content-Encoding": coding})
        if fault == "drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for byte in b'{"info": {"name": "' + b"x" * 980:
                if self.server.stopping.wait(0.2):
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            self.close_connection = True
            return None
        if name not in pypi.documents:
            return self._send(404, b'{"message": "Not Found"}', "application/json")
        body, etag = pypi.encoded(name)
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, b"", "application/json", {"ETag": etag})
        self._send(200, body, "application/json", {"ETag": etag})

    def _release(self, pypi: FakePypi, name: str, version: str) -> None:
        """``/pypi/NAME/VERSION/json``: a release document given in ``releases``, else one
        made from the project's (its info at that version, not yanked, no advisories), else
        404."""
        document = pypi.releases.get((name, version))
        if name in pypi.no_release_pages:
            document = None
        elif document is None and name in pypi.documents and pypi.made_up_releases:
            project = pypi.documents[name]
            if version in (project.get("releases") or {}):
                info = dict(project["info"], version=version, yanked=False, yanked_reason=None)
                document = {"info": info, "urls": project["releases"][version],
                            "vulnerabilities": []}  # fmt: skip
        if document is None:
            return self._send(404, b'{"message": "Not Found"}', "application/json")
        if isinstance(document, bytes):  # a body as it is (malformed, huge)
            return self._send(200, document, "application/json")
        body = json.dumps(document).encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, b"", "application/json", {"ETag": etag})
        self._send(200, body, "application/json", {"ETag": etag})


class FakePypiServer(LoopbackServer):
    """``with FakePypiServer(pypi) as server: server.base_url``."""

    handler = _Handler

    def __init__(self, pypi: FakePypi) -> None:
        super().__init__(pypi)
        self.pypi = pypi
