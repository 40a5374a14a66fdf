"""``djp mcp``'s stdio: the SDK's stdio transport over a stdin that refuses a request line
longer than ``MAX_REQUEST_BYTES`` (answered with a JSON-RPC error carrying its id, the
stream read on) and a stdout that writes each message whole; logs go to stderr."""

from __future__ import annotations

import logging
import re
import sys

import msgspec
from mcp.server.mcpserver import MCPServer

MAX_REQUEST_BYTES = 2**20  # a request line past this is refused (one JSON-RPC error)


def serve_stdio(server: MCPServer) -> None:
    """Run over stdin/stdout: logs to stderr, a request over ``MAX_REQUEST_BYTES`` refused
    with a JSON-RPC error (the stream read on)."""
    import anyio
    from mcp.server.stdio import stdio_server

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, force=True)

    async def run() -> None:
        async with stdio_server(stdin=LimitedStdin(), stdout=LineStdout()) as (read, write):
            low = server._lowlevel_server
            await low.run(read, write, low.create_initialization_options())

    anyio.run(run)


class LineStdout:
    """stdout for the transport: each message written whole, at once (an error line written
    by ``LimitedStdin`` never lands inside another)."""

    async def write(self, text: str) -> None:
        sys.stdout.buffer.write(text.encode())

    async def flush(self) -> None:
        sys.stdout.buffer.flush()


_ID = re.compile(rb'"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,20})')


class LimitedStdin:
    """stdin's lines for the transport, none longer than ``MAX_REQUEST_BYTES``: a longer
    request is answered with a JSON-RPC error (its id, when its first bytes name one) and
    skipped; the stream is read on."""

    def __aiter__(self):
        return self

    async def __anext__(self) -> str:
        import anyio

        read = sys.stdin.buffer.readline
        while True:
            line = await anyio.to_thread.run_sync(read, MAX_REQUEST_BYTES + 1)
            if not line:
                raise StopAsyncIteration
            if len(line) <= MAX_REQUEST_BYTES:
                return line.decode("utf-8", errors="replace")
            found = _ID.search(line[:4096])
            size, rest = len(line), line
            while rest and not rest.endswith(b"\n"):  # the rest of it, read and dropped
                rest = await anyio.to_thread.run_sync(read, 2**20)
                size += len(rest)
            refuse(msgspec.json.decode(found.group(1)) if found else None, size)


def refuse(request_id: object, size: int) -> None:
    """Answer a request too large to read with an error, on stdout, whole."""
    message = (f"a request of {size:,} bytes refused: djp mcp takes requests up to "
               f"{MAX_REQUEST_BYTES // 2**20} MB")  # fmt: skip
    logging.getLogger("djp.mcp").warning(message)
    error = {"jsonrpc": "2.0", "id": request_id, "error": {"code": -32600, "message": message}}
    sys.stdout.buffer.write(msgspec.json.encode(error) + b"\n")
    sys.stdout.buffer.flush()
