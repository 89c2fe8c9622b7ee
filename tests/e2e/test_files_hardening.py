"""Files door hardening: keys that must never merge (NUL, bad escapes, over-long), request framing the client broke
(short bodies, bad chunk sizes, wrong aws-chunked checksums, at the S3 and Bedrock doors), and multipart uploads that
were abandoned (ListMultipartUploads, ListParts, abort cleanup). Real boto3 `s3` clients and raw sockets against the
built gateway; provider-routed uploads go to the OpenAI Files fake.
"""
from __future__ import annotations

import hashlib
import json
import socket
import sqlite3
import time
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


# ---- item 9: request framing ----------------------------------------------------------------------------------
def put_head(gw, key: str, extra: str) -> bytes:
    return f"PUT /bedrock/files/{BUCKET}/{key} HTTP/1.1\r\nHost: 127.0.0.1:{gw.port}\r\n{extra}\r\n".encode()


def assert_nothing_stored(gw, s3, data_dir, key: str, before: list[Path]):
    with raises_client_error("404"):
        s3.head_object(Bucket=BUCKET, Key=key)
    assert blob_files(data_dir) == before and tmp_files(data_dir) == []
    assert gw.alive()
    assert_clean_log(gw)


def test_a_body_shorter_than_its_content_length_is_incomplete(files_gw, s3, data_dir):
    before = blob_files(data_dir)
    answer = raw_request(files_gw.port, put_head(files_gw, "short", "Content-Length: 100\r\n"), b"only ten b")
    # Half-closed, the client can still read: when the gateway answers, it is S3's IncompleteBody.
    if answer:
        assert status_of(answer) == 400 and b"<Code>IncompleteBody</Code>" in answer, answer
    assert_nothing_stored(files_gw, s3, data_dir, "short", before)


def test_a_bad_chunk_size_is_the_callers_error(files_gw, s3, data_dir):
    before = blob_files(data_dir)
    answer = raw_request(files_gw.port, put_head(files_gw, "chunked", "Transfer-Encoding: chunked\r\n"),
                         b"5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n")
    assert answer, "the gateway closed without answering a request it could still answer"
    assert status_of(answer) == 400 and b"<Code>IncompleteBody</Code>" in answer, answer
    assert_nothing_stored(files_gw, s3, data_dir, "chunked", before)


def aws_chunked(payload: bytes, crc: bytes) -> bytes:
    return (f"{len(payload):x}\r\n".encode() + payload + b"\r\n0\r\n"
            + b"x-amz-checksum-crc32:" + b64encode(crc) + b"\r\n\r\n")


@pytest.mark.parametrize("provider", [None, "openai"])
def test_a_wrong_aws_chunked_crc_is_bad_digest(files_gw, s3, data_dir, openai_fake, provider):
    payload = b'{"custom_id": "r1"}\n'
    wrong = (zlib.crc32(payload) ^ 1).to_bytes(4, "big")
    body = aws_chunked(payload, wrong)
    extra = (f"Content-Encoding: aws-chunked\r\nx-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER\r\n"
             f"x-amz-trailer: x-amz-checksum-crc32\r\nx-amz-decoded-content-length: {len(payload)}\r\n"
             f"Content-Length: {len(body)}\r\n")
    if provider:
        extra += f"x-model-provider: {provider}\r\n"
    before = blob_files(data_dir)
    answer = raw_request(files_gw.port, put_head(files_gw, "in.jsonl", extra), body)
    assert status_of(answer) == 400 and b"<Code>BadDigest</Code>" in answer, answer
    client = s3_client(files_gw, provider)
    with raises_client_error("404"):
        client.head_object(Bucket=BUCKET, Key="in.jsonl")
    assert blob_files(data_dir) == before and tmp_files(data_dir) == []
    # An upload to OpenAI is cut off before its end (shorter than its Content-Length), so no provider takes it as a file.
    for sent in (r for r in openai_fake.requests if r.method == "POST" and r.path.split("?")[0].endswith("/files")):
        assert len(sent.body) < int(sent.headers["content-length"]), sent
    assert_clean_log(files_gw)


def converse_head(gw, extra: str) -> bytes:
    return (f"POST /bedrock/model/openai%2Fgpt-4o-mini/converse HTTP/1.1\r\nHost: 127.0.0.1:{gw.port}\r\n"
            f"Content-Type: application/json\r\n{extra}\r\n").encode()


CONVERSE = json.dumps({"messages": [{"role": "user", "content": [{"text": "hi"}]}]}).encode()


def assert_validation_exception(answer: bytes):
    head, _, body = answer.partition(b"\r\n\r\n")
    assert status_of(answer) == 400, answer
    assert b"validationexception" in head.lower() or b"ValidationException" in body, answer


def test_bedrock_body_shorter_than_its_content_length(files_gw, openai_fake):
    answer = raw_request(files_gw.port, converse_head(files_gw, f"Content-Length: {len(CONVERSE) + 50}\r\n"), CONVERSE)
    if answer:
        assert_validation_exception(answer)
    assert openai_fake.requests == [] and files_gw.alive()
    assert_clean_log(files_gw)


def test_bedrock_bad_chunk_size(files_gw, openai_fake):
    body = f"{len(CONVERSE):x}\r\n".encode() + CONVERSE + b"\r\nnot-hex\r\n\r\n"
    answer = raw_request(files_gw.port, converse_head(files_gw, "Transfer-Encoding: chunked\r\n"), body)
    assert answer, "the gateway closed without answering a request it could still answer"
    assert_validation_exception(answer)
    assert openai_fake.requests == [] and files_gw.alive()
    assert_clean_log(files_gw)


# ---- item 11: abandoned multipart uploads ---------------------------------------------------------------------
def start_upload(s3, key: str, parts: int = 1) -> str:
    upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    for number in range(1, parts + 1):
        s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload_id, PartNumber=number, Body=f"{key} part {number}".encode())
    return upload_id


def listed(pages, field: str = "Uploads") -> list:
    return [item for page in pages for item in page.get(field, [])]


def test_abandoned_uploads_are_listed_paged_and_aborted_with_their_bytes(files_gw, s3, data_dir):
    ids = {key: start_upload(s3, key, parts=3) for key in ("dir/a", "dir/b", "top")}
    assert len(blob_files(data_dir)) == 9

    everything = s3.list_multipart_uploads(Bucket=BUCKET)
    assert [(u["Key"], u["UploadId"]) for u in everything["Uploads"]] == sorted(ids.items())
    assert everything["IsTruncated"] is False and everything["MaxUploads"] == 1000
    assert all(u["Initiated"].tzinfo is not None and u["StorageClass"] == "STANDARD" for u in everything["Uploads"])

    rolled = s3.list_multipart_uploads(Bucket=BUCKET, Delimiter="/")
    assert [u["Key"] for u in rolled["Uploads"]] == ["top"]
    assert rolled["CommonPrefixes"] == [{"Prefix": "dir/"}]
    assert [u["Key"] for u in s3.list_multipart_uploads(Bucket=BUCKET, Prefix="dir/")["Uploads"]] == ["dir/a", "dir/b"]

    # One per page, through boto3's own paginator (KeyMarker/UploadIdMarker from NextKeyMarker/NextUploadIdMarker).
    pages = list(s3.get_paginator("list_multipart_uploads").paginate(Bucket=BUCKET, PaginationConfig={"PageSize": 1}))
    assert len(pages) == 3 and [p["IsTruncated"] for p in pages] == [True, True, False]
    assert [u["Key"] for u in listed(pages)] == ["dir/a", "dir/b", "top"]
    grouped = list(s3.get_paginator("list_multipart_uploads").paginate(
        Bucket=BUCKET, Delimiter="/", PaginationConfig={"PageSize": 1}))
    assert [p.get("CommonPrefixes", []) for p in grouped] == [[{"Prefix": "dir/"}], []]
    assert [u["Key"] for u in listed(grouped)] == ["top"]

    parts = s3.list_parts(Bucket=BUCKET, Key="top", UploadId=ids["top"])
    assert [(p["PartNumber"], p["Size"]) for p in parts["Parts"]] == [(n, len(f"top part {n}")) for n in (1, 2, 3)]
    assert parts["IsTruncated"] is False and parts["NextPartNumberMarker"] == 3 and parts["UploadId"] == ids["top"]
    part_pages = list(s3.get_paginator("list_parts").paginate(
        Bucket=BUCKET, Key="top", UploadId=ids["top"], PaginationConfig={"PageSize": 2}))
    assert [[p["PartNumber"] for p in page["Parts"]] for page in part_pages] == [[1, 2], [3]]
    assert s3.list_parts(Bucket=BUCKET, Key="top", UploadId=ids["top"], PartNumberMarker=3).get("Parts", []) == []
    with raises_client_error("NoSuchUpload", 404):
        s3.list_parts(Bucket=BUCKET, Key="dir/a", UploadId=ids["top"])

    for key, upload_id in ids.items():
        s3.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id)
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=BUCKET)
    assert blob_files(data_dir) == []
    with raises_client_error("NoSuchUpload", 404):
        s3.list_parts(Bucket=BUCKET, Key="top", UploadId=ids["top"])
    with raises_client_error("NoSuchBucket", 404):
        s3.list_multipart_uploads(Bucket="no-such-bucket")
    assert_clean_log(files_gw)


def test_uploads_of_one_key_page_by_upload_id_marker(files_gw, s3):
    first, second, third = (start_upload(s3, "same", parts=0) for _ in range(3))
    page = s3.list_multipart_uploads(Bucket=BUCKET, MaxUploads=2)
    # Initiation order, as S3 lists the uploads of one key.
    assert [u["UploadId"] for u in page["Uploads"]] == [first, second]
    assert page["IsTruncated"] and page["NextKeyMarker"] == "same" and page["NextUploadIdMarker"] == second
    rest = s3.list_multipart_uploads(Bucket=BUCKET, KeyMarker="same", UploadIdMarker=second)
    assert [u["UploadId"] for u in rest["Uploads"]] == [third] and rest["IsTruncated"] is False
    # Without an upload-id-marker, key-marker skips every upload of that key.
    assert "Uploads" not in s3.list_multipart_uploads(Bucket=BUCKET, KeyMarker="same")


def test_provider_namespace_lists_and_aborts_its_own_uploads(files_gw, openai_fake, data_dir):
    openai = s3_client(files_gw, "openai")
    upload_id = openai.create_multipart_upload(Bucket=BUCKET, Key="big.jsonl")["UploadId"]
    openai.upload_part(Bucket=BUCKET, Key="big.jsonl", UploadId=upload_id, PartNumber=1, Body=b'{"a": 1}\n')
    assert [u["UploadId"] for u in openai.list_multipart_uploads(Bucket=BUCKET)["Uploads"]] == [upload_id]
    assert [p["PartNumber"] for p in openai.list_parts(Bucket=BUCKET, Key="big.jsonl", UploadId=upload_id)["Parts"]] == [1]
    # Namespaces are apart: the gateway's own store has no such bucket.
    with raises_client_error("NoSuchBucket", 404):
        s3_client(files_gw).list_multipart_uploads(Bucket=BUCKET)
    openai.abort_multipart_upload(Bucket=BUCKET, Key="big.jsonl", UploadId=upload_id)
    assert "Uploads" not in openai.list_multipart_uploads(Bucket=BUCKET)
    assert blob_files(data_dir) == []
    assert openai_fake.requests == []


def test_uploads_abandoned_longer_than_the_expiry_are_swept_at_start(gateway, openai_fake, anthropic_fake, data_dir):
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(data_dir)
    first = gateway(config)
    s3 = s3_client(first)
    old = start_upload(s3, "killed/upload_file.bin", parts=2)
    recent = start_upload(s3, "still/going.bin", parts=1)
    assert first.stop() == 0
    # Eight days ago, past the default expiry of seven: what a killed upload_file looks like a week later.
    with sqlite3.connect(data_dir / "switchyard.sqlite") as db:
        db.execute("UPDATE multipart_uploads SET initiated = initiated - 8 * 86400 WHERE uploadId = ?", (old,))
    db.close()
    assert len(blob_files(data_dir)) == 3

    second = gateway(config)
    s3 = s3_client(second)
    # The sweep at start runs beside the server; wait (bounded) for it to have removed the old upload.
    deadline = time.monotonic() + 10
    while [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])] != [recent]:
        assert time.monotonic() < deadline, s3.list_multipart_uploads(Bucket=BUCKET)
        time.sleep(0.05)
    assert len(blob_files(data_dir)) == 1
    with raises_client_error("NoSuchUpload", 404):
        s3.list_parts(Bucket=BUCKET, Key="killed/upload_file.bin", UploadId=old)
    assert "expired multipart uploads removed" in second.log_path.read_text()


def test_multipart_expiry_hours_is_configurable(gateway, openai_fake, anthropic_fake, data_dir):
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(data_dir)
    config["server"]["multipart_expiry_hours"] = 48
    first = gateway(config)
    upload = start_upload(s3_client(first), "two-days", parts=1)
    assert first.stop() == 0
    with sqlite3.connect(data_dir / "switchyard.sqlite") as db:
        db.execute("UPDATE multipart_uploads SET initiated = initiated - 3 * 86400 WHERE uploadId = ?", (upload,))
    db.close()
    s3 = s3_client(gateway(config))
    deadline = time.monotonic() + 10
    while s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert blob_files(data_dir) == []
