#!/usr/bin/env python3
"""What an open ConverseStream costs the gateway in memory, and whether a slow client slows the upstream.

Starts a fake OpenAI-compatible upstream (Chat Completions SSE, chunked, from the OpenAI docs' stream shape) and a
gateway with the request log and metrics on, all on loopback. Two measurements:

  hold   N clients each open a ConverseStream (Converse JSON in, OpenAI SSE upstream, AWS event stream out); the
         upstream sends the first two chunks and then holds every stream open. Once every client has read its first
         event the gateway's RSS is sampled; the upstream then finishes every stream and each client checks it got
         messageStop and metadata. Prints RSS before, with N open, the increase per stream and after.
  slow   one client opens a stream whose upstream has SLOW_MB of text to send as fast as the socket takes it, reads
         the first event and then stops reading for PAUSE seconds. With backpressure end to end the upstream's
         writes stall after the socket buffers and the gateway's bounded buffers are full; without it, the gateway
         reads everything into memory. Prints how many bytes the upstream got out during the pause, the gateway's RSS
         growth, and that the client then reads the whole answer.

usage: SWITCHYARD_BIN=.build/release/switchyard python3 benchmarks/streams.py [--counts 1000,5000] [--skip-slow]
"""
import argparse
import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

SSE_CHUNK = 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":%s,"finish_reason":%s}]%s}\n\n'


def sse(delta, finish="null", usage=""):
    return (SSE_CHUNK % (json.dumps(delta), finish, usage)).encode()


def chunked(data):
    return b"%x\r\n%s\r\n" % (len(data), data)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Upstream:
    """Answers POST /v1/chat/completions with a chunked SSE stream; `mode` picks hold or flood."""

    def __init__(self):
        self.release = asyncio.Event()
        self.mode = "hold"
        self.flood_bytes = 0
        self.sent = 0
        self.open = 0

    async def serve(self, reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
                await reader.readexactly(length)
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n")
                writer.write(chunked(sse({"role": "assistant", "content": ""})) + chunked(sse({"content": "Hello"})))
                await writer.drain()
                self.open += 1
                try:
                    if self.mode == "hold":
                        await self.release.wait()
                        tokens = 1
                    else:
                        piece = chunked(sse({"content": "x" * 1000}))
                        tokens = 0
                        while self.sent < self.flood_bytes:
                            writer.write(piece)
                            self.sent += len(piece)
                            tokens += 1
                            await writer.drain()
                    usage = ',"usage":{"prompt_tokens":5,"completion_tokens":%d,"total_tokens":%d}' % (tokens, tokens + 5)
                    writer.write(chunked(sse({}, '"stop"', usage)) + chunked(b"data: [DONE]\n\n") + b"0\r\n\r\n")
                    await writer.drain()
                finally:
                    self.open -= 1
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


def converse_request(port, model):
    body = json.dumps({"messages": [{"role": "user", "content": [{"text": "Tell me a story."}]}]}).encode()
    return (f"POST /bedrock/model/{model}/converse-stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


async def open_stream(port, request, ready):
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    writer.write(request)
    await writer.drain()
    seen = b""
    while b"contentBlockDelta" not in seen:
        data = await reader.read(65536)
        if not data:
            raise RuntimeError("stream closed before its first delta: %r" % seen[:300])
        seen += data
    ready.append(1)
    return reader, writer, seen


async def finish_stream(reader, writer, seen):
    rest = await reader.read()
    writer.close()
    data = seen + rest
    return b"messageStop" in data and b"metadata" in data, len(data)


async def hold(gateway_pid, gw_port, upstream, count, model):
    upstream.mode = "hold"
    upstream.release = asyncio.Event()
    await asyncio.sleep(1)
    before = rss_mb(gateway_pid)
    ready = []
    request = converse_request(gw_port, model)
    gate = asyncio.Semaphore(200)

    async def one():
        async with gate:
            return await open_stream(gw_port, request, ready)

    t0 = time.monotonic()
    streams = await asyncio.gather(*[one() for _ in range(count)])
    opened = time.monotonic() - t0
    await asyncio.sleep(2)
    held = rss_mb(gateway_pid)
    upstream.release.set()
    results = await asyncio.gather(*[finish_stream(*s) for s in streams])
    complete = sum(1 for ok, _ in results if ok)
    await asyncio.sleep(2)
    after = rss_mb(gateway_pid)
    per = (held - before) * 1024 / count
    print(f"hold  {count:5d} streams: opened in {opened:5.1f} s; gateway RSS {before:6.1f} MB before, {held:6.1f} MB "
          f"with all open ({per:5.1f} KB per stream), {after:6.1f} MB after; {complete}/{count} complete", flush=True)
    return complete == count


async def slow(gateway_pid, gw_port, upstream, flood_mb, pause, model):
    upstream.mode = "flood"
    upstream.sent = 0
    upstream.flood_bytes = flood_mb << 20
    await asyncio.sleep(1)
    before = rss_mb(gateway_pid)
    reader, writer, seen = await open_stream(gw_port, converse_request(gw_port, model), [])
    await asyncio.sleep(pause)
    sent_paused = upstream.sent
    paused = rss_mb(gateway_pid)
    t0 = time.monotonic()
    total = len(seen)
    tail = b""
    while True:
        data = await reader.read(1 << 20)
        if not data:
            break
        total += len(data)
        tail = (tail + data)[-4096:]
    writer.close()
    ok = b"messageStop" in tail and b"metadata" in tail
    print(f"slow  client paused {pause} s: upstream sent {sent_paused / 1048576:6.2f} of {flood_mb} MB meanwhile; "
          f"gateway RSS {before:6.1f} -> {paused:6.1f} MB; then read {total / 1048576:6.1f} MB in "
          f"{time.monotonic() - t0:4.1f} s, {'complete' if ok else 'INCOMPLETE'}", flush=True)
    return ok


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="1000,5000")
    parser.add_argument("--skip-slow", action="store_true")
    parser.add_argument("--slow-mb", type=int, default=int(os.environ.get("SLOW_MB", "64")))
    parser.add_argument("--pause", type=float, default=float(os.environ.get("PAUSE", "5")))
    args = parser.parse_args()
    binary = os.environ.get("SWITCHYARD_BIN", ".build/release/switchyard")
    counts = [int(c) for c in args.counts.split(",") if c]
    need = 2 * max(counts) + 200
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)), hard))

    upstream = Upstream()
    up_port, gw_port = free_port(), free_port()
    server = await asyncio.start_server(upstream.serve, "127.0.0.1", up_port, backlog=4096)
    work = tempfile.mkdtemp(prefix="sy-streams-")
    config = os.path.join(work, "sy.yaml")
    with open(config, "w") as f:
        f.write(f"""server: {{host: 127.0.0.1, port: {gw_port}, max_connections: {need}}}
providers:
  openai:
    keys: [sk-bench]
    base_url: http://127.0.0.1:{up_port}/v1
    max_connections: {need}
    max_retries: 0
    stream_idle_timeout_seconds: 300
""")
    env = dict(os.environ, SWITCHYARD_DATA_DIR=os.path.join(work, "data"))
    log = open(os.path.join(work, "gateway.log"), "w")
    gateway = subprocess.Popen([binary, "serve", "--config", config], stdout=log, stderr=subprocess.STDOUT, env=env)
    ok = True
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", gw_port), timeout=0.2).close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        model = "openai%2Fgpt-4o-mini"
        await hold(gateway.pid, gw_port, upstream, 50, model)  # warm-up: pools, allocator arenas, the log writer
        for count in counts:
            ok &= await hold(gateway.pid, gw_port, upstream, count, model)
        if not args.skip_slow:
            ok &= await slow(gateway.pid, gw_port, upstream, args.slow_mb, args.pause, model)
    finally:
        gateway.send_signal(signal.SIGTERM)
        try:
            gateway.wait(timeout=20)
        except subprocess.TimeoutExpired:
            gateway.kill()
        server.close()
    if not ok:
        print("some streams did not complete; gateway log: " + log.name)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
