"""Files door hardening: keys that must never merge (NUL, bad escapes, over-long), request framing the client broke
(short bodies, bad chunk sizes, wrong aws-chunked checksums, at the S3 and Bedrock doors), and multipart uploads that
were abandoned (ListMultipartUploads, ListParts, abort cleanup). Real boto3 `s3` clients and raw sockets against the
built gateway; provider-routed uploads go to the OpenAI Files fake.
"""
from __future__ import annotations

import hashlib
import json
import socket
import zlib
from base64 import b64encode
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from helpers import default_config, raises_client_error

BUCKET = "hardening"
MIB = 1024 * 1024


# ---- fixtures -----------------------------------------------------------------------------------------------
@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def files_gw(gateway, openai_fake, anthropic_fake, data_dir):
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(data_dir)
    return gateway(config)


def s3_client(gw, provider: str | None = None):
    client = boto3.client(
        "s3", endpoint_url=gw.url + "/bedrock/files", region_name="us-west-2", aws_access_key_id="any",
        aws_secret_access_key="any", config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30))
    if provider is not None:
        def add_provider(request, **_):
            request.headers["x-model-provider"] = provider
        client.meta.events.register("before-send", add_provider)
    return client


@pytest.fixture
def s3(files_gw):
    client = s3_client(files_gw)
    client.create_bucket(Bucket=BUCKET)
    return client


def blob_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in (data_dir / "objects").rglob("*") if p.is_file())


def tmp_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in (data_dir / "tmp").rglob("*") if p.is_file())


def raw_request(port: int, head: bytes, body: bytes = b"", *, close_write: bool = True) -> bytes:
    """Sends head and body, half-closes (the client has nothing more to send), and reads the whole answer. Returns
    b"" when the gateway closed without answering."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + body)
        if close_write:
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        return answer


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def assert_clean_log(gw):
    log = gw.log_path.read_text(errors="replace")
    assert "InternalError" not in log and "S3 request failed" not in log and " 500" not in log, gw.log_tail()


# ---- item 3: keys ---------------------------------------------------------------------------------------------
def test_a_nul_in_a_key_is_refused_and_never_reaches_another_key(files_gw, s3):
    s3.put_object(Bucket=BUCKET, Key="a", Body=b"original")
    for call in (lambda: s3.put_object(Bucket=BUCKET, Key="a\x00b", Body=b"intruder"),
                 lambda: s3.get_object(Bucket=BUCKET, Key="a\x00zzz"),
                 lambda: s3.delete_object(Bucket=BUCKET, Key="a\x00b"),
                 lambda: s3.create_multipart_upload(Bucket=BUCKET, Key="a\x00b")):
        with raises_client_error("InvalidArgument", 400):
            call()
    with raises_client_error("InvalidArgument", 400):
        s3.copy_object(Bucket=BUCKET, Key="copy", CopySource={"Bucket": BUCKET, "Key": "a\x00b"})
    with raises_client_error("InvalidArgument", 400):
        s3.copy_object(Bucket=BUCKET, Key="copy\x00", CopySource={"Bucket": BUCKET, "Key": "a"})
    with raises_client_error("InvalidArgument", 400):
        s3.list_objects_v2(Bucket=BUCKET, Prefix="a\x00")
    assert s3.get_object(Bucket=BUCKET, Key="a")["Body"].read() == b"original"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]] == ["a"]


def delete_objects_raw(gw, document: bytes) -> bytes:
    md5 = b64encode(hashlib.md5(document).digest()).decode()
    head = (f"POST /bedrock/files/{BUCKET}?delete HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(document)}\r\n"
            f"Content-MD5: {md5}\r\nConnection: close\r\n\r\n").encode()
    return raw_request(gw.port, head, document)


@pytest.mark.parametrize("raw_key", [b"a\x00b", b"\xff"], ids=["nul", "not-utf8"])
def test_delete_objects_refuses_keys_xml_cannot_carry(files_gw, s3, raw_key):
    # "\ufffd" is what a lenient UTF-8 decoder makes of the byte FF; "a" what a C string makes of "a\0b".
    for key in ("a", "\ufffd"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"original")
    document = b'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>' + raw_key + \
        b"</Key></Object></Delete>"
    answer = delete_objects_raw(files_gw, document)
    assert status_of(answer) == 400 and b"<Code>MalformedXML</Code>" in answer, answer
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]) == ["a", "\ufffd"]


def test_keys_with_bad_escapes_or_too_long_are_refused(files_gw, s3):
    answer = raw_request(files_gw.port, (f"PUT /bedrock/files/{BUCKET}/bad%FFkey HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                          f"Content-Length: 1\r\nConnection: close\r\n\r\n").encode(), b"x")
    assert status_of(answer) == 400 and b"<Code>InvalidURI</Code>" in answer, answer
    with raises_client_error("KeyTooLongError", 400):
        s3.copy_object(Bucket=BUCKET, Key="copy", CopySource={"Bucket": BUCKET, "Key": "k" * 1025})
    with raises_client_error("KeyTooLongError", 400):
        s3.create_multipart_upload(Bucket=BUCKET, Key="é" * 513)
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET)
