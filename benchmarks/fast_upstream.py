#!/usr/bin/env python3
"""A minimal, fast OpenAI-compatible upstream for load tests.

Answers every POST with one fixed, small `chat.completion` JSON (keep-alive HTTP/1.1, Content-Length framed);
GET /health answers {"status":"ok"}. asyncio raw protocol, no per-request allocations beyond parsing, uvloop if
installed. Usage: fast_upstream.py [--host 127.0.0.1] [--port 18181]
"""
import argparse
import asyncio
import json
import os
import signal

BODY = json.dumps({
    "id": "chatcmpl-bench", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello from the benchmark upstream."},
                 "logprobs": None, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20},
}, separators=(",", ":")).encode()
RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(BODY)) + BODY
HEALTH_BODY = b'{"status":"ok"}'
HEALTH = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(HEALTH_BODY)
          + HEALTH_BODY)
BAD = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class Upstream(asyncio.Protocol):
    __slots__ = ("transport", "buf")

    def connection_made(self, transport):
        self.transport = transport
        self.buf = b""

    def data_received(self, data):
        buf = self.buf + data
        out = []
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buf[:end]
            length = 0
            lower = head.lower()
            i = lower.find(b"\r\ncontent-length:")
            if i >= 0:
                j = lower.find(b"\r\n", i + 2)
                length = int(head[i + 17:j if j >= 0 else len(head)])
            elif b"\r\ntransfer-encoding:" in lower:  # not used by the gateway or wrk; refuse rather than misparse
                self.transport.write(BAD)
                self.transport.close()
                return
            total = end + 4 + length
            if len(buf) < total:
                break
            out.append(HEALTH if head.startswith(b"GET /health") else RESPONSE)
            buf = buf[total:]
        self.buf = buf
        if out:
            self.transport.write(b"".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=18181)
    args = ap.parse_args()
    try:
        import uvloop  # optional
        uvloop.install()
    except ImportError:
        pass
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(Upstream, args.host, args.port, backlog=1024,
                                                        reuse_address=True))
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, loop.stop)
    print(f"fast upstream on http://{args.host}:{args.port} (pid {os.getpid()})", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()
        loop.run_until_complete(server.wait_closed())


if __name__ == "__main__":
    main()
