"""Defects the decoder fuzz harness (scripts/fuzz.sh) turned up, each shown through the gateway's real interface.

The inputs themselves are also kept in tests/fuzz/corpus/<decoder>/regressions/ and replayed by test_fuzz_corpus.py.
"""
from __future__ import annotations

import socket

import boto3
import pytest
from botocore.config import Config

from helpers import default_config

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
