"""A scriptable fake HTTP upstream: records every request, answers from a per-test queue.

Each fake runs a ThreadingHTTPServer (HTTP/1.1, keep-alive) on 127.0.0.1:<ephemeral> in a daemon thread
of the pytest process. Tests script answers with `fake.enqueue(action, ...)`; one action is consumed per
request. When the queue is empty, `default_action(request)` answers (a plain completion).

Actions:
  Reply(status, body, headers)      a complete response (dict/list bodies are sent as JSON)
  Stream(events, ...)               an SSE response, chunked transfer encoding, written event by event;
                                    optional per-event delays, a gate (threading.Event) waited on before a
                                    given event, and drop_after=N: close the socket after N events without
                                    the terminating chunk (a dropped upstream connection)
  Delay(seconds | gate, then)       wait, then perform `then` (an upstream slower than the gateway's timeout)
  Hangup()                          close the connection without answering (a connection error)
  a callable(request) -> action     computed from the recorded request
"""
from __future__ import annotations

import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Union

# How long a fake thread ever waits on a gate or delay before giving up (a safety net, not a test threshold).
MAX_WAIT = 60.0


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    json: Any  # parsed JSON body, or None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Reply:
    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Stream:
    events: list[bytes]
    status: int = 200
    delays: dict[int, float] = field(default_factory=dict)  # event index -> seconds to sleep before it
    gate: threading.Event | None = None  # waited on before events[gate_before]
    gate_before: int | None = None
    drop_after: int | None = None  # send events[:drop_after], then close the socket abruptly
    headers: dict[str, str] = field(default_factory=dict)
    written: list[int] = field(default_factory=list)  # bytes of events the socket has taken so far, one entry


@dataclass
class Delay:
    then: "Action"
    seconds: float | None = None
    gate: threading.Event | None = None


@dataclass
class Hangup:
    pass


Action = Union[Reply, Stream, Delay, Hangup, Callable[[Recorded], Any]]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-upstream/1.0"

    def log_message(self, fmt, *args):  # keep pytest output clean
        pass

    def _dispatch(self):
        try:
            self.server.fake._handle(self)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, socket.timeout, OSError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _dispatch


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default listen backlog of 5 is too small for a gateway's connection pool


class FakeUpstream:
    """Base class; subclasses provide default_action()."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._queue: deque[Action] = deque()
        self._cond = threading.Condition()
        self._waits: list[threading.Event] = []  # gates/delays to release on reset()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, name=type(self).__name__, daemon=True)
        self._thread.start()

    # ---- test API ---------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def enqueue(self, *actions: Action) -> None:
        with self._cond:
            for a in actions:
                inner = a
                while inner is not None:  # register gates, also inside Delay(then=...)
                    if getattr(inner, "gate", None) is not None:
                        self._waits.append(inner.gate)
                    inner = getattr(inner, "then", None)
                self._queue.append(a)

    def reset(self) -> None:
        """Forget requests and queued answers; release every gate so no fake thread keeps waiting."""
        with self._cond:
            for ev in self._waits:
                ev.set()
            self._waits.clear()
            self._queue.clear()
            self.requests.clear()

    def wait_for_requests(self, n: int, timeout: float = 15.0) -> list[Recorded]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.requests) >= n, timeout):
                raise AssertionError(f"{type(self).__name__}: expected {n} request(s), got {len(self.requests)}")
            return list(self.requests)

    @property
    def last(self) -> Recorded:
        assert self.requests, f"{type(self).__name__} received no request"
        return self.requests[-1]

    def close(self) -> None:
        self.reset()
        self._server.shutdown()
        self._server.server_close()

    def default_action(self, req: Recorded) -> Action:
        raise NotImplementedError

    # ---- server side ------------------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        body = _read_body(h)
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        req = Recorded(h.command, h.path, {k.lower(): v for k, v in h.headers.items()}, body, parsed)
        with self._cond:
            self.requests.append(req)
            action = self._queue.popleft() if self._queue else None
            self._cond.notify_all()
        if action is None:
            action = self.default_action(req)
        self._perform(h, req, action)

    def _perform(self, h, req: Recorded, action: Action) -> None:
        while callable(action) and not isinstance(action, (Reply, Stream, Delay, Hangup)):
            action = action(req)
        if isinstance(action, Delay):
            waiter = action.gate or threading.Event()
            with self._cond:
                self._waits.append(waiter)
            waiter.wait(action.seconds if action.seconds is not None else MAX_WAIT)
            return self._perform(h, req, action.then)
        if isinstance(action, Hangup):
            _abort(h)
        elif isinstance(action, Reply):
            _send_reply(h, action)
        elif isinstance(action, Stream):
            self._send_stream(h, action)
        else:
            raise TypeError(f"unknown fake action {action!r}")

    def _send_stream(self, h, s: Stream) -> None:
        h.send_response(s.status)
        h.send_header("Content-Type", "text/event-stream; charset=utf-8")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Transfer-Encoding", "chunked")
        for k, v in s.headers.items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.flush()
        for i, ev in enumerate(s.events):
            # The gate comes first, so a test can see every event before the drop and then let the drop happen.
            if s.gate is not None and s.gate_before == i:
                s.gate.wait(MAX_WAIT)
            if s.drop_after is not None and i >= s.drop_after:
                return _abort(h)
            if s.delays.get(i):
                threading.Event().wait(s.delays[i])
            data = ev.encode() if isinstance(ev, str) else ev
            h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            h.wfile.flush()
            s.written[:] = [(s.written[0] if s.written else 0) + len(data)]
        if s.drop_after is not None and s.drop_after >= len(s.events):
            return _abort(h)
        h.wfile.write(b"0\r\n\r\n")
        h.wfile.flush()


def _read_body(h: BaseHTTPRequestHandler) -> bytes:
    if h.headers.get("Transfer-Encoding", "").lower() == "chunked":
        out = b""
        while True:
            size = int(h.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while h.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return out
            out += h.rfile.read(size)
            h.rfile.readline()
    n = int(h.headers.get("Content-Length") or 0)
    return h.rfile.read(n) if n else b""


def _send_reply(h: BaseHTTPRequestHandler, r: Reply) -> None:
    body = r.body
    headers = dict(r.headers)
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    elif isinstance(body, str):
        body = body.encode()
    h.send_response(r.status)
    for k, v in headers.items():
        h.send_header(k, v)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)
    h.wfile.flush()


def _abort(h: BaseHTTPRequestHandler) -> None:
    """Close the TCP connection at once (no terminating chunk, no response)."""
    h.close_connection = True
    try:
        h.wfile.flush()
        h.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
