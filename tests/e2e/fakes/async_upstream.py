"""An asyncio HTTP/1.1 upstream for load and abuse tests: thousands of concurrent keep-alive connections (a
threaded server with a small listen backlog cannot take them), each request answered by a coroutine the test
supplies, which writes the response itself (so it can trickle, stall, or send one enormous SSE line).

The handler gets (request, writer) and returns when the response is complete. Helpers write OpenAI Chat
Completions answers: `sse_head` + `sse_chunk` (chunked transfer encoding, as Ollama and OpenAI send streams).
"""
from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass
from typing import Awaitable, Callable


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body) if self.body else None


Handler = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]


class AsyncUpstream:
    def __init__(self, handler: Handler):
        self.handler = handler
        self.loop = asyncio.new_event_loop()
        self.requests = 0
        self.max_open = 0
        self._open = 0
        started = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(started,), daemon=True)
        self.thread.start()
        started.wait(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", 0, backlog=4096, limit=1 << 20))
        self.port = self.server.sockets[0].getsockname()[1]
        started.set()
        self.loop.run_forever()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._open += 1
        self.max_open = max(self.max_open, self._open)
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                method, path, _ = line.decode("latin-1").split(" ", 2)
                headers: dict[str, str] = {}
                while (h := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = h.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests += 1
                await self.handler(Request(method, path, headers, body), writer)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            return
        finally:
            self._open -= 1
            writer.close()

    def call(self, coro, timeout: float = 30):
        """Runs `coro` on the server's loop (e.g. to release a gate) and returns its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        async def stop():
            self.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        try:
            self.call(stop(), 10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)


# ---- OpenAI Chat Completions wire ---------------------------------------------------------------------------
def completion_chunk(delta: dict, finish: str | None = None, model: str = "llama3") -> dict:
    return {"id": "chatcmpl-async", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}


def usage_chunk(prompt: int = 3, completion: int = 2, model: str = "llama3") -> dict:
    return {"id": "chatcmpl-async", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                                     "total_tokens": prompt + completion}}


def completion(text: str, model: str = "llama3") -> dict:
    return {"id": "chatcmpl-async", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}}


def sse_head(writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")


def chunked(data: bytes) -> bytes:
    return b"%x\r\n" % len(data) + data + b"\r\n"


def sse_chunk(obj) -> bytes:
    """One SSE event as one HTTP chunk."""
    return chunked(b"data: " + (obj if isinstance(obj, bytes) else json.dumps(obj).encode()) + b"\n\n")


def sse_text_answer(text: str) -> bytes:
    """A whole streamed answer of `text`, `[DONE]` and the last chunk included."""
    return (sse_chunk(completion_chunk({"role": "assistant", "content": ""})) + sse_chunk(completion_chunk({"content": text}))
            + sse_chunk(completion_chunk({}, "stop")) + sse_chunk(usage_chunk()) + sse_chunk(b"[DONE]") + b"0\r\n\r\n")
