"""Upstream capacity and abuse: many concurrent streams to one server, a trickling or stalled non-stream answer,
SSE events larger than the gateway holds, deltas larger than one event-stream frame, and an oversized frame from a
Bedrock upstream. The upstreams are asyncio servers speaking OpenAI Chat Completions (fakes/async_upstream.py)
and the Bedrock fake."""
from __future__ import annotations

import asyncio
import base64
import json
import re
import resource
import struct
import zlib
from urllib.parse import quote

import pytest
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import EventStreamError

from fakes.async_upstream import (AsyncUpstream, Request, chunked, completion, completion_chunk, sse_chunk, sse_head,
                                  sse_text_answer, usage_chunk)
from fakes.bedrock_fake import ACCESS_KEY, SECRET_KEY, converse_stream_frames, event_stream
from helpers import provider, raises_client_error, text_deltas, user

STREAMS = 1000


@pytest.fixture(scope="module", autouse=True)
def _enough_file_descriptors():
    """1,000 streams hold 4,000 sockets between this process (client and upstream) and the gateway, which
    inherits the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 8192 if hard == resource.RLIM_INFINITY else min(hard, 8192)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def peak_rss(gw) -> int:
    """The gateway's peak resident set so far, in bytes (VmHWM)."""
    status = open(f"/proc/{gw.proc.pid}/status").read()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024


def prompt_of(request: Request) -> str:
    return request.json["messages"][-1]["content"] if isinstance(request.json["messages"][-1]["content"], str) \
        else request.json["messages"][-1]["content"][0]["text"]


# ---- 1,000 concurrent streams to one HTTP/1.1 upstream ------------------------------------------------------
async def raw_converse_stream(port: int, model: str, text: str, connecting: asyncio.Semaphore) -> tuple[str, list[str]]:
    """One ConverseStream over a raw socket: (concatenated text, event types), frames checked by botocore's parser."""
    body = json.dumps({"messages": [{"role": "user", "content": [{"text": text}]}]}).encode()
    async with connecting:  # the gateway's listen backlog is finite; connections then stay open together
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((f"POST /bedrock/model/{quote(model, safe='')}/converse-stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
                 + body)
    await writer.drain()
    status = await reader.readline()
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    raw = await reader.read()
    writer.close()
    if b" 200 " not in status:
        return f"status {status!r}: {raw[-300:]!r}", []
    payload = b""
    if headers.get("transfer-encoding") == "chunked":
        while raw:
            size_line, _, raw = raw.partition(b"\r\n")
            size = int(size_line, 16)
            if size == 0:
                break
            payload, raw = payload + raw[:size], raw[size + 2:]
    else:
        payload = raw
    buf = EventStreamBuffer()
    buf.add_data(payload)
    texts, kinds = [], []
    for message in buf:
        kind = message.headers.get(":event-type") or message.headers.get(":exception-type")
        kinds.append(kind)
        if kind == "contentBlockDelta":
            texts.append(json.loads(message.payload)["delta"]["text"])
    return "".join(texts), kinds


def test_a_thousand_concurrent_streams_to_one_upstream_all_complete(gateway):
    arrived = {"n": 0}
    everyone = asyncio.Event()

    async def handler(request: Request, writer):
        # Every stream stays open until all of them have reached the upstream, so they are truly concurrent: a
        # gateway that cannot hold 1,000 upstream connections never gets them all here (the wait is bounded).
        arrived["n"] += 1
        if arrived["n"] >= STREAMS:
            everyone.set()
        try:
            await asyncio.wait_for(everyone.wait(), 30)
        except asyncio.TimeoutError:
            pass
        sse_head(writer)
        writer.write(sse_text_answer("answer to " + prompt_of(request)))

    upstream = AsyncUpstream(handler)
    try:
        gw = gateway({"providers": {"ollama": provider(upstream.url + "/v1", timeout_seconds=60, stream_idle_timeout_seconds=60,
                                                       max_connections=STREAMS + 100)}})

        async def run():
            connecting = asyncio.Semaphore(200)
            calls = [raw_converse_stream(gw.port, "ollama/llama3", f"q{i}", connecting) for i in range(STREAMS)]
            return await asyncio.wait_for(asyncio.gather(*calls), 90)

        results = asyncio.run(run())
    finally:
        upstream.close()
    failures = [(i, text) for i, (text, kinds) in enumerate(results) if text != f"answer to q{i}"]
    assert not failures, f"{len(failures)} of {STREAMS} streams failed, e.g. {failures[:3]}"
    assert all(kinds[-2:] == ["messageStop", "metadata"] for _, kinds in results)
    assert arrived["n"] == STREAMS and upstream.max_open >= STREAMS


def test_a_call_finding_every_connection_busy_is_throttled_and_says_so(gateway):
    release = asyncio.Event()

    async def handler(request: Request, writer):
        if prompt_of(request).startswith("hold"):
            sse_head(writer)
            writer.write(sse_chunk(completion_chunk({"role": "assistant", "content": ""})))
            await writer.drain()
            await asyncio.wait_for(release.wait(), 30)
            writer.write(sse_chunk(completion_chunk({"content": "held"})) + sse_chunk(completion_chunk({}, "stop"))
                         + sse_chunk(usage_chunk()) + sse_chunk(b"[DONE]") + b"0\r\n\r\n")
        else:
            body = json.dumps(completion("unexpected")).encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

    upstream = AsyncUpstream(handler)
    try:
        gw = gateway({"providers": {"ollama": provider(upstream.url + "/v1", timeout_seconds=30, stream_idle_timeout_seconds=30,
                                                       max_connections=2)}})
        held = [gw.client().converse_stream(modelId="ollama/llama3", messages=[user(f"hold {i}")])["stream"] for i in range(2)]
        # The queued call waits as long as a connect may take (10 s), then is told what happened.
        with raises_client_error("ThrottlingException", 429) as err:
            gw.client().converse(modelId="ollama/llama3", messages=[user("third")])
        assert "provider 'ollama' has all 2 connections busy" in err.value.response["Error"]["Message"]
        upstream.loop.call_soon_threadsafe(release.set)
        assert all(text_deltas(list(stream)) == ["held"] for stream in held)
    finally:
        upstream.close()


# ---- per-call deadlines for non-streaming answers -----------------------------------------------------------
def trickle_handler(seconds_per_byte: float, give_up_after: float):
    """A non-streaming answer whose head comes at once and whose body trickles (then, past `give_up_after`
    seconds, arrives whole, so a gateway without a deadline answers successfully after that long)."""
    async def handler(request: Request, writer):
        body = json.dumps(completion("trickled answer")).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        loop, sent = asyncio.get_running_loop(), 0
        started = loop.time()
        while sent < len(body) and loop.time() - started < give_up_after:
            writer.write(body[sent:sent + 1])
            await writer.drain()
            sent += 1
            await asyncio.sleep(seconds_per_byte)
        writer.write(body[sent:])
    return handler


def stall_handler():
    """A non-streaming answer whose head and first bytes come at once, then nothing (bounded for the fake)."""
    async def handler(request: Request, writer):
        body = json.dumps(completion("stalled answer")).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        writer.write(body[:10])
        await writer.drain()
        await asyncio.sleep(40)
        writer.write(body[10:])
    return handler


def two_provider_config(slow_url: str, **slow_settings) -> dict:
    """`slow` with a 2 s timeout beside `other` with the 120 s defaults."""
    other = provider(slow_url + "/v1")
    del other["timeout_seconds"], other["stream_idle_timeout_seconds"]
    return {"providers": {"slow": provider(slow_url + "/v1", type="openai", timeout_seconds=2, **slow_settings),
                          "other": {**other, "type": "openai"}}}


def test_trickling_answer_is_cut_at_its_timeout_while_another_provider_has_120s(gateway):
    upstream = AsyncUpstream(trickle_handler(seconds_per_byte=0.2, give_up_after=8))
    try:
        gw = gateway(two_provider_config(upstream.url, stream_idle_timeout_seconds=120))
        with raises_client_error("ModelTimeoutException", 408) as err:
            gw.client(read_timeout=30).converse(modelId="slow/llama3", messages=[user("Hi")])
        assert "did not answer within 2 s" in err.value.response["Error"]["Message"]
    finally:
        upstream.close()


def test_stalled_answer_is_cut_by_its_own_providers_read_timeout(gateway):
    upstream = AsyncUpstream(stall_handler())
    try:
        gw = gateway(two_provider_config(upstream.url, stream_idle_timeout_seconds=2))
        with raises_client_error("ModelTimeoutException", 408):
            gw.client(read_timeout=20).converse(modelId="slow/llama3", messages=[user("Hi")])
    finally:
        upstream.close()


# ---- SSE events larger than the gateway holds, deltas larger than a frame -----------------------------------
def huge_event_handler(text_bytes: int):
    """A stream whose second event carries `text_bytes` of text in one `data:` line, written 1 MB at a time."""
    async def handler(request: Request, writer):
        sse_head(writer)
        if prompt_of(request) == "warm up":
            writer.write(sse_text_answer("warm"))
            return
        writer.write(sse_chunk(completion_chunk({"role": "assistant", "content": ""})))
        line = json.dumps(completion_chunk({"content": "x" * text_bytes})).encode()
        data = b"data: " + line + b"\n\n"
        for at in range(0, len(data), 1 << 20):
            writer.write(chunked(data[at:at + (1 << 20)]))
            await writer.drain()
        writer.write(sse_chunk(completion_chunk({}, "stop")) + sse_chunk(usage_chunk()) + sse_chunk(b"[DONE]") + b"0\r\n\r\n")
    return handler


def test_huge_sse_line_ends_the_stream_with_a_readable_error_and_bounded_memory(gateway):
    line_bytes = 40_000_000
    upstream = AsyncUpstream(huge_event_handler(line_bytes))
    try:
        gw = gateway({"providers": {"ollama": provider(upstream.url + "/v1")}})
        list(gw.client().converse_stream(modelId="ollama/llama3", messages=[user("warm up")])["stream"])  # code paths exist
        before = peak_rss(gw)
        events = []
        with pytest.raises(EventStreamError) as err:
            for ev in gw.client(read_timeout=60).converse_stream(modelId="ollama/llama3", messages=[user("Hi")])["stream"]:
                events.append(ev)
        grown = peak_rss(gw) - before
    finally:
        upstream.close()
    assert err.value.response["Error"]["Code"] == "modelStreamErrorException"
    assert "longer than 8388608 bytes" in err.value.response["Error"]["Message"]
    assert "messageStart" in events[0]
    # The gateway never held the line: its peak grew by less than the line's size.
    assert grown < line_bytes, f"peak RSS grew by {grown} bytes"


def big_delta_config(url: str) -> dict:
    return {"providers": {"ollama": provider(url + "/v1", max_stream_event_bytes=64 << 20)}}


def test_large_legal_delta_arrives_in_frames_boto3_accepts(gateway):
    text_bytes = 30_000_000
    upstream = AsyncUpstream(huge_event_handler(text_bytes))
    try:
        gw = gateway(big_delta_config(upstream.url))
        events = list(gw.client(read_timeout=60).converse_stream(modelId="ollama/llama3", messages=[user("Hi")])["stream"])
    finally:
        upstream.close()
    deltas = text_deltas(events)
    assert "".join(deltas) == "x" * text_bytes
    assert len(deltas) > 1
    assert "messageStop" in events[-2] and "metadata" in events[-1]


def test_large_legal_delta_arrives_in_invoke_chunks_boto3_accepts(gateway):
    text_bytes = 30_000_000
    upstream = AsyncUpstream(huge_event_handler(text_bytes))
    try:
        gw = gateway(big_delta_config(upstream.url))
        answer = gw.client(read_timeout=60).invoke_model_with_response_stream(
            modelId="meta.llama3-2-1b-instruct-v1:0", body=json.dumps({"prompt": "Hi", "max_gen_len": 50}))
        chunks = [json.loads(ev["chunk"]["bytes"]) for ev in answer["body"]]
    finally:
        upstream.close()
    assert "".join(c.get("generation", "") for c in chunks) == "x" * text_bytes
    assert len(chunks) > 2


def test_multibyte_delta_is_split_between_characters(gateway):
    text = "é€😀" * 500_000  # 4.5 MB of 2-, 3- and 4-byte characters, cut into 2 MiB pieces that must not cut one
    async def handler(request: Request, writer):
        sse_head(writer)
        writer.write(sse_chunk(completion_chunk({"role": "assistant", "content": ""})))
        writer.write(sse_chunk(json.dumps(completion_chunk({"content": text}), ensure_ascii=False).encode()))
        writer.write(sse_chunk(completion_chunk({}, "stop")) + sse_chunk(usage_chunk()) + sse_chunk(b"[DONE]") + b"0\r\n\r\n")
    upstream = AsyncUpstream(handler)
    try:
        gw = gateway(big_delta_config(upstream.url))
        events = list(gw.client(read_timeout=60).converse_stream(modelId="ollama/llama3", messages=[user("Hi")])["stream"])
    finally:
        upstream.close()
    deltas = text_deltas(events)
    assert "".join(deltas) == text and len(deltas) > 1


# ---- the Bedrock passthrough tap ----------------------------------------------------------------------------
def test_passthrough_stream_with_a_2gb_frame_prefix_ends_with_a_readable_error(gateway, bedrock_fake):
    good = converse_stream_frames(["Hello"])[:2]
    prelude = struct.pack(">II", 2 << 30, 64)
    bad = prelude + struct.pack(">I", zlib.crc32(prelude)) + b"\0" * 4096
    bedrock_fake.enqueue(event_stream(good + [bad]))
    keys = [{"name": "aws1", "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}]
    gw = gateway({"providers": {"bedrock": provider(bedrock_fake.url, keys, region="eu-central-1")}})
    events = []
    with pytest.raises(EventStreamError) as err:
        for ev in gw.client().converse_stream(modelId="anthropic.claude-3-5-sonnet-20240620-v1:0",
                                               messages=[user("Hi")])["stream"]:
            events.append(ev)
    assert err.value.response["Error"]["Code"] == "modelStreamErrorException"
    assert "over the 25165824 bytes a frame may carry" in err.value.response["Error"]["Message"]
    assert text_deltas(events) == ["Hello"]


def test_gateway_raises_its_open_file_limit_to_the_hard_limit(gateway):
    """Each stream holds two sockets: a common soft limit of 1,024 would cap the gateway far under max_connections."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    low = min(1024, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (low, hard))
    try:
        gw = gateway({"providers": {"ollama": provider("http://127.0.0.1:9/v1")}})
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    limits = open(f"/proc/{gw.proc.pid}/limits").read()
    gw_soft, gw_hard = re.search(r"Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)", limits).groups()
    assert gw_soft == gw_hard
