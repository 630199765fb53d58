"""A lean asyncio HTTP/1.1 load generator for 127.0.0.1: pre-encoded requests, keep-alive
connections, minimal parsing, so the generator's own CPU stays small and is measured."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass


@dataclass
class Reply:
    status: int
    latency: float  # seconds
    body: bytes


def encode_request(
    method: str,
    path: str,
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: keep-alive"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in ("POST", "PUT", "PATCH", "DELETE"):
        lines.append(f"Content-Type: {content_type}")
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_reply(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    status, _head, body, close = await read_reply_with_head(reader)
    return status, body, close


async def read_reply_with_head(reader: asyncio.StreamReader) -> tuple[int, bytes, bytes, bool]:
    """(status, head, body, server closes) of one reply; the head has the headers."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    chunked = False
    close = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
        elif name == b"connection" and b"close" in value.lower():
            close = True
    if chunked:
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            body += await reader.readexactly(size + 2)
        return status, head, body, close
    return status, head, await reader.readexactly(length) if length else b"", close


async def run(
    port: int,
    requests: list[bytes],
    *,
    concurrency: int,
    deadline_s: float = 120.0,
    keep_bodies: bool = True,
) -> list[Reply]:
    """Send every request once over ``concurrency`` keep-alive connections.

    Requests are taken in order by whichever connection is free. Stops at ``deadline_s``
    whatever is left (the missing replies show in the count).
    """
    queue: asyncio.Queue[int] = asyncio.Queue()
    for index in range(len(requests)):
        queue.put_nowait(index)
    replies: list[Reply | None] = [None] * len(requests)
    stop_at = time.monotonic() + deadline_s

    async def worker() -> None:
        reader = writer = None
        while time.monotonic() < stop_at:
            try:
                index = queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            for _attempt in range(3):
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    started = time.perf_counter()
                    writer.write(requests[index])
                    status, body, close = await _read_reply(reader)
                    replies[index] = Reply(
                        status, time.perf_counter() - started, body if keep_bodies else b""
                    )
                    if close:
                        writer.close()
                        reader = writer = None
                    break
                except (ConnectionError, asyncio.IncompleteReadError, OSError):
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    # A request whose connection broke is not retried blindly: count it.
                    replies[index] = Reply(599, 0.0, b"connection error")
                    break
        if writer is not None:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return [r for r in replies if r is not None]
