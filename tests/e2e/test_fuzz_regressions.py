"""Defects the decoder fuzz harness (scripts/fuzz.sh) turned up, each shown through the gateway's real interface.

The inputs themselves are also kept in tests/fuzz/corpus/<decoder>/regressions/ and replayed by test_fuzz_corpus.py.
"""
from __future__ import annotations

import json
import socket
import struct
import zlib

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.eventstream import EventStreamBuffer

from fakes.bedrock_fake import (ACCESS_KEY, SECRET_KEY, converse_stream_frames, event_stream, frame)
from fakes.openai_fake import openai_error
from helpers import default_config, provider

CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0"

BUCKET = "fuzz-regressions"


@pytest.fixture
def files_gw(gateway, openai_fake, anthropic_fake, tmp_path):
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(tmp_path / "data")
    return gateway(config)


def s3_client(gw):
    return boto3.client("s3", endpoint_url=gw.url + "/bedrock/files", region_name="us-west-2",
                        aws_access_key_id="any", aws_secret_access_key="any",
                        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30))


def put_in_http_chunks(port: int, key: str, pieces: list[bytes], decoded_length: int) -> bytes:
    """PUTs an aws-chunked body with HTTP/1.1 chunked framing, one HTTP chunk per piece: the HTTP decoder hands each
    HTTP chunk to the gateway as its own body part, so the aws-chunked decoder is fed exactly these pieces.
    Returns the raw answer."""
    head = (f"PUT /bedrock/files/{BUCKET}/{key} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTransfer-Encoding: chunked\r\n"
            f"Content-Encoding: aws-chunked\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n"
            f"x-amz-decoded-content-length: {decoded_length}\r\nConnection: close\r\n\r\n").encode()
    body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_aws_chunked_line_at_the_limit_is_accepted_wherever_the_body_is_cut(files_gw):
    # A chunk header of exactly the 4096-byte line limit (a long extension; the CR is not part of the limit).
    header = b"5;chunk-signature=" + b"a" * (4096 - len(b"5;chunk-signature="))
    assert len(header) == 4096
    body = header + b"\r\nhello\r\n0\r\n\r\n"
    s3 = s3_client(files_gw)

    whole = put_in_http_chunks(files_gw.port, "whole", [body], 5)
    # Cut between the header's CR and LF: the decoder has the CR but not yet the end of the line.
    at = len(header) + 1
    cut = put_in_http_chunks(files_gw.port, "cut", [body[:at], body[at:]], 5)

    assert whole.startswith(b"HTTP/1.1 200"), whole[:300]
    assert s3.get_object(Bucket=BUCKET, Key="whole")["Body"].read() == b"hello"
    assert cut.startswith(b"HTTP/1.1 200"), cut[:300]
    assert s3.get_object(Bucket=BUCKET, Key="cut")["Body"].read() == b"hello"


def test_aws_chunked_overlong_line_is_refused_the_same_wherever_the_body_is_cut(files_gw):
    header = b"5;chunk-signature=" + b"a" * 4096
    body = header + b"\r\nhello\r\n0\r\n\r\n"

    whole = put_in_http_chunks(files_gw.port, "long-whole", [body], 5)
    cut = put_in_http_chunks(files_gw.port, "long-cut", [body[:4200], body[4200:]], 5)

    for answer in (whole, cut):
        assert answer.startswith(b"HTTP/1.1 400"), answer[:300]
        assert b"<Code>" in answer and b"<Error>" in answer, answer[:600]
    # Same S3 error code either way.
    code = lambda a: a.split(b"<Code>", 1)[1].split(b"</Code>", 1)[0]  # noqa: E731
    assert code(whole) == code(cut)


# ---- event stream: duplicate-header check ------------------------------------------------------------------------
def many_headers_frame(kind: str, body: dict, count: int = 26_000) -> bytes:
    """An event whose header section is near the 128 KiB limit, filled with distinct 3-letter boolean headers."""
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    junk = b"".join(b"\x03" + bytes([alphabet[i // 4096], alphabet[i // 64 % 64], alphabet[i % 64]]) + b"\x00"
                    for i in range(count))
    real = frame({":event-type": kind, ":content-type": "application/json", ":message-type": "event"}, b"")
    real_headers = real[12:-4]
    headers = real_headers + junk
    payload = json.dumps(body).encode()
    prelude = struct.pack(">II", 12 + len(headers) + len(payload) + 4, len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + headers + payload
    return message + struct.pack(">I", zlib.crc32(message))


def test_event_with_thousands_of_headers_is_decoded_without_stalling_the_stream(gateway, bedrock_fake, openai_fake):
    # The gateway decodes a Bedrock stream to translate it (here: a fallback from OpenAI). Its duplicate-header check
    # scanned the headers read so far, quadratic in their number: this one event cost ~26 s of CPU in a debug build
    # and the answer did not end within the 60 s bound below; with a set it takes milliseconds.
    bedrock_fake.reset()
    openai_fake.enqueue(openai_error(503, "primary down"))
    frames = converse_stream_frames(["Fall", "back"])
    frames[1] = many_headers_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "Fall"}})
    bedrock_fake.enqueue(event_stream(frames))
    config = {"providers": {
        "bedrock": provider(bedrock_fake.url, [{"name": "aws1", "access_key_id": ACCESS_KEY,
                                                "secret_access_key": SECRET_KEY}],
                            region="eu-central-1"),
        "openai": provider(openai_fake.url + "/v1", [{"value": "sk-test-one"}])}}
    gw = gateway(config)

    r = requests.post(gw.converse_url("openai/gpt-4o-mini", op="converse-stream"),
                      json={"messages": [{"role": "user", "content": [{"text": "Hi"}]}],
                            "fallbacks": [f"bedrock/{CLAUDE}"]}, timeout=60)

    assert r.status_code == 200, r.text[:300]
    buf = EventStreamBuffer()
    buf.add_data(r.content)
    events = [(m.headers.get(":event-type") or m.headers.get(":exception-type"), json.loads(m.payload)) for m in buf]
    assert [name for name, _ in events] == ["messageStart", "contentBlockDelta", "contentBlockDelta",
                                            "contentBlockStop", "messageStop", "metadata"], events
    assert "".join(p["delta"]["text"] for name, p in events if name == "contentBlockDelta") == "Fallback"
