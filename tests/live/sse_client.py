"""Reading server-sent events in tests: a parser for the text/event-stream format and a
reader over any async source of byte chunks, with a bounded wait."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

WAIT_S = 5.0


@dataclass
class Event:
    seq: int
    kind: str
    data: Any


class SSEReader:
    def __init__(self, chunks: AsyncIterator[bytes]) -> None:
        self.chunks = chunks
        self.buffer = b""
        self.comments: list[str] = []
        self.retry: int | None = None
        # The read in progress survives a timeout: cancelling it would end the stream.
        self.pending: asyncio.Future[bytes] | None = None

    async def next_event(self, wait: float = WAIT_S) -> Event:
        deadline = asyncio.get_running_loop().time() + wait
        while True:
            while b"\n\n" in self.buffer:
                block, self.buffer = self.buffer.split(b"\n\n", 1)
                event = self._parse(block.decode())
                if event is not None:
                    return event
            if self.pending is None:
                self.pending = asyncio.ensure_future(anext(self.chunks))
            left = deadline - asyncio.get_running_loop().time()
            done, _ = await asyncio.wait({self.pending}, timeout=max(left, 0))
            if not done:
                raise TimeoutError
            chunk = self.pending.result()
            self.pending = None
            self.buffer += chunk

    async def close(self) -> None:
        """Leave, as a client that closes the connection: the server cancels the stream."""
        if self.pending is not None:
            self.pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await self.pending
        aclose = getattr(self.chunks, "aclose", None)
        if aclose is not None:
            await aclose()

    async def events(self, count: int, wait: float = WAIT_S) -> list[Event]:
        return [await self.next_event(wait) for _ in range(count)]

    async def nothing_more(self, wait: float = 0.2) -> bool:
        """True when no event comes within ``wait`` seconds."""
        try:
            await self.next_event(wait)
        except TimeoutError:
            return True
        return False

    def _parse(self, block: str) -> Event | None:
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if line.startswith(":"):
                self.comments.append(line[1:].strip())
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        if "retry" in fields:
            self.retry = int(fields["retry"])
        if "id" not in fields:
            return None
        return Event(int(fields["id"]), fields["event"], json.loads(fields["data"]))
