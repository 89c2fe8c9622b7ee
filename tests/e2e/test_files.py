"""Files: the S3-compatible API under /bedrock/files with real boto3 `s3` clients, on the gateway's own store.

Covers the documented boto3 snippets (ETag = file id, IfMatch=file_id), conditional requests, ranges, managed
transfers (multipart upload, ranged download), hostile keys, listings, errors, persistence across a restart, and
aws-chunked uploads over TLS through a small TLS-terminating proxy.
"""
from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import re
import socket
import ssl
import threading
import warnings
import zlib
from base64 import b64encode
from pathlib import Path

import boto3
import pytest
import requests
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from helpers import default_config, raises_client_error

MIB = 1024 * 1024
BUCKET = "your-s3-bucket"


# ---- fixtures -----------------------------------------------------------------------------------------------
def files_config(openai_fake, anthropic_fake, data_dir: Path) -> dict:
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(data_dir)
    return config


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def files_gw(gateway, openai_fake, anthropic_fake, data_dir):
    return gateway(files_config(openai_fake, anthropic_fake, data_dir))


def s3_client(endpoint: str, provider: str | None = None, verify: bool = True, **config):
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-west-2", aws_access_key_id="any", aws_secret_access_key="any",
        verify=verify, config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=60, **config))
    if provider is not None:
        def add_provider(request, **_):
            request.headers["x-model-provider"] = provider
        client.meta.events.register("before-send", add_provider)
    return client


def files_url(gw) -> str:
    return gw.url + "/bedrock/files"


@pytest.fixture
def s3(files_gw):
    return s3_client(files_url(files_gw))


def sent_requests(client) -> list:
    """Every request the client sends from now on: (operation name, headers)."""
    seen: list = []

    def record(request, event_name, **_):
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        seen.append((event_name.rsplit(".", 1)[-1], headers))
    client.meta.events.register("before-send.s3.*", record)
    return seen


def crc32_b64(data: bytes) -> str:
    return b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


# ---- the documented snippets --------------------------------------------------------------------------------
def test_seed_snippets_put_head_get_list_delete_by_file_id(s3):
    jsonl = b'{"recordId": "request-1", "modelInput": {"messages": []}}\n{"recordId": "request-2"}'
    key = "bifrost-batch-input/batch_input_1.jsonl"
    response = s3.put_object(Bucket=BUCKET, Key=key, Body=jsonl, ContentType="application/jsonl")
    file_id = response.get("ETag", "").strip('"')
    assert re.fullmatch(r"[0-9a-f]{32}", file_id), response["ETag"]

    head = s3.head_object(Bucket=BUCKET, Key=key, IfMatch=file_id)
    assert head["ContentLength"] == len(jsonl)
    assert head["ContentType"] == "application/jsonl"
    assert head["ETag"] == f'"{file_id}"'

    got = s3.get_object(Bucket=BUCKET, Key=key, IfMatch=file_id)
    assert got["Body"].read() == jsonl
    assert got["ETag"] == f'"{file_id}"'

    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="bifrost-batch-input/")
    (entry,) = listed["Contents"]
    assert entry["Key"] == key and entry["Size"] == len(jsonl) and entry["ETag"] == f'"{file_id}"'
    assert isinstance(entry["LastModified"], datetime.datetime)
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET, Prefix="other/")

    assert s3.delete_object(Bucket=BUCKET, Key=key, IfMatch=file_id)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with raises_client_error("404", 404):
        s3.head_object(Bucket=BUCKET, Key=key)
    with raises_client_error("NoSuchKey", 404):
        s3.get_object(Bucket=BUCKET, Key=key)


def test_if_match_accepts_quoted_etag_and_rejects_a_wrong_one(s3):
    etag = s3.put_object(Bucket=BUCKET, Key="k.jsonl", Body=b"abc")["ETag"]
    assert s3.get_object(Bucket=BUCKET, Key="k.jsonl", IfMatch=etag)["Body"].read() == b"abc"
    assert s3.head_object(Bucket=BUCKET, Key="k.jsonl", IfMatch=f"other, {etag}")["ContentLength"] == 3
    with raises_client_error("PreconditionFailed", 412):
        s3.get_object(Bucket=BUCKET, Key="k.jsonl", IfMatch="0" * 32)
    with raises_client_error("412", 412):
        s3.head_object(Bucket=BUCKET, Key="k.jsonl", IfMatch="0" * 32)
    with raises_client_error("PreconditionFailed", 412):
        s3.delete_object(Bucket=BUCKET, Key="k.jsonl", IfMatch="0" * 32)
    with raises_client_error("PreconditionFailed", 412):
        s3.put_object(Bucket=BUCKET, Key="k.jsonl", Body=b"new", IfMatch="0" * 32)
    with raises_client_error("PreconditionFailed", 412):
        s3.put_object(Bucket=BUCKET, Key="k.jsonl", Body=b"new", IfNoneMatch="*")
    with raises_client_error("304", 304):
        s3.get_object(Bucket=BUCKET, Key="k.jsonl", IfNoneMatch=etag)
    assert s3.get_object(Bucket=BUCKET, Key="k.jsonl")["Body"].read() == b"abc"
    # A conditional overwrite that holds replaces the object, and the ETag (file id) changes with it.
    new = s3.put_object(Bucket=BUCKET, Key="k.jsonl", Body=b"new", IfMatch=etag)["ETag"]
    assert new != etag and s3.get_object(Bucket=BUCKET, Key="k.jsonl")["Body"].read() == b"new"


def test_range_answers_206_with_content_range(s3):
    body = bytes(range(256)) * 4
    s3.put_object(Bucket=BUCKET, Key="r.bin", Body=body)
    part = s3.get_object(Bucket=BUCKET, Key="r.bin", Range="bytes=10-19")
    assert part["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert part["ContentRange"] == f"bytes 10-19/{len(body)}" and part["ContentLength"] == 10
    assert part["Body"].read() == body[10:20]
    assert s3.get_object(Bucket=BUCKET, Key="r.bin", Range="bytes=1000-")["Body"].read() == body[1000:]
    assert s3.get_object(Bucket=BUCKET, Key="r.bin", Range="bytes=-5")["Body"].read() == body[-5:]
    assert s3.get_object(Bucket=BUCKET, Key="r.bin", Range="bytes=1020-5000")["Body"].read() == body[1020:]
    with raises_client_error("InvalidRange", 416):
        s3.get_object(Bucket=BUCKET, Key="r.bin", Range=f"bytes={len(body)}-")


# ---- managed transfers --------------------------------------------------------------------------------------
def test_download_file_uses_ranged_gets(s3, tmp_path):
    data = os.urandom(9 * MIB)
    s3.put_object(Bucket=BUCKET, Key="big/download.bin", Body=data)
    seen = sent_requests(s3)
    target = tmp_path / "downloaded.bin"
    s3.download_file(BUCKET, "big/download.bin", str(target),
                     Config=TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=8 * MIB, max_concurrency=4))
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest()
    ranges = sorted(h.get("Range") for _, h in seen if h.get("Range"))
    assert ranges == [f"bytes=0-{8 * MIB - 1}", f"bytes={8 * MIB}-"], ranges


def test_upload_file_uses_parallel_multipart(s3, tmp_path):
    data = os.urandom(9 * MIB + 123)
    source = tmp_path / "upload.bin"
    source.write_bytes(data)
    seen = sent_requests(s3)
    s3.upload_file(str(source), BUCKET, "big/upload.bin",
                   Config=TransferConfig(multipart_threshold=8 * MIB, multipart_chunksize=5 * MIB, max_concurrency=4))
    ops = [op for op, _ in seen]
    assert ops.count("UploadPart") == 2 and "CompleteMultipartUpload" in ops, ops
    head = s3.head_object(Bucket=BUCKET, Key="big/upload.bin")
    assert head["ContentLength"] == len(data) and re.fullmatch(r'"[0-9a-f]{32}"', head["ETag"])
    got = s3.get_object(Bucket=BUCKET, Key="big/upload.bin", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got["ChecksumCRC32"] == crc32_b64(data)
    # The parts are gone once combined: one blob for the object (plus none left in tmp).
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="big/")["KeyCount"] == 1


def test_multipart_errors(s3):
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="mp.bin")["UploadId"]
    small = s3.upload_part(Bucket=BUCKET, Key="mp.bin", UploadId=upload, PartNumber=1, Body=b"x" * 10)["ETag"]
    s3.upload_part(Bucket=BUCKET, Key="mp.bin", UploadId=upload, PartNumber=2, Body=b"y" * 10)
    with raises_client_error("InvalidPart", 400):
        s3.complete_multipart_upload(Bucket=BUCKET, Key="mp.bin", UploadId=upload,
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"' + "0" * 32 + '"'}]})
    with raises_client_error("EntityTooSmall", 400):
        s3.complete_multipart_upload(Bucket=BUCKET, Key="mp.bin", UploadId=upload, MultipartUpload={"Parts": [
            {"PartNumber": 1, "ETag": small},
            {"PartNumber": 2, "ETag": s3.upload_part(Bucket=BUCKET, Key="mp.bin", UploadId=upload, PartNumber=2,
                                                     Body=b"z")["ETag"]}]})
    # A single small part is a valid (last) part.
    done = s3.complete_multipart_upload(Bucket=BUCKET, Key="mp.bin", UploadId=upload,
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": small}]})
    assert s3.get_object(Bucket=BUCKET, Key="mp.bin")["Body"].read() == b"x" * 10
    assert done["ETag"] == s3.head_object(Bucket=BUCKET, Key="mp.bin")["ETag"]
    with raises_client_error("NoSuchUpload", 404):
        s3.upload_part(Bucket=BUCKET, Key="mp.bin", UploadId=upload, PartNumber=3, Body=b"late")
    with raises_client_error("NoSuchUpload", 404):
        s3.abort_multipart_upload(Bucket=BUCKET, Key="mp.bin", UploadId=upload)
    other = s3.create_multipart_upload(Bucket=BUCKET, Key="aborted.bin")["UploadId"]
    s3.upload_part(Bucket=BUCKET, Key="aborted.bin", UploadId=other, PartNumber=1, Body=b"gone")
    assert s3.abort_multipart_upload(Bucket=BUCKET, Key="aborted.bin", UploadId=other)[
        "ResponseMetadata"]["HTTPStatusCode"] == 204
    with raises_client_error("NoSuchKey", 404):
        s3.get_object(Bucket=BUCKET, Key="aborted.bin")


def test_malformed_complete_xml_is_malformed_xml(s3, files_gw):
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="bad.bin")["UploadId"]
    s3.upload_part(Bucket=BUCKET, Key="bad.bin", UploadId=upload, PartNumber=1, Body=b"data")
    url = f"{files_url(files_gw)}/{BUCKET}/bad.bin?uploadId={upload}"
    for body in [b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>",
                 b"not xml at all",
                 b'<!DOCTYPE x [<!ENTITY e "boom">]><CompleteMultipartUpload/>',
                 b"<CompleteMultipartUpload></CompleteMultipartUpload>",
                 b"<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>"]:
        response = requests.post(url, data=body, timeout=10)
        assert response.status_code == 400, (body, response.text)
        assert "<Code>MalformedXML</Code>" in response.text, response.text
    # The upload is untouched by the failed attempts.
    s3.abort_multipart_upload(Bucket=BUCKET, Key="bad.bin", UploadId=upload)


# ---- keys, data dir -----------------------------------------------------------------------------------------
HOSTILE_KEYS = [
    "sp ace.jsonl", "a+b.jsonl", "100%.txt", "100%25.txt", "%2F..%2F", "../escape.txt", "a/../../b.txt", "..",
    "./dot", "/leading", "//double//slash//", "q?x=1&y=2#frag", "ünï~çødé(1)!*'.txt", "emoji😀/😀", "\u00e9",
    "e\u0301", "tab\tand\nnewline", "semi;colon,comma=eq", "<xml>&amp;\"'", "back\\slash", "~tilde", "a" * 1000,
]


def test_hostile_keys_round_trip_and_stay_inside_the_data_dir(s3, files_gw, data_dir, tmp_path):
    for i, key in enumerate(HOSTILE_KEYS):
        s3.put_object(Bucket=BUCKET, Key=key, Body=f"body {i}".encode())
    for i, key in enumerate(HOSTILE_KEYS):
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == f"body {i}".encode(), key
        assert s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"] == len(f"body {i}"), key
    listed = [o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, PaginationConfig={"PageSize": 5})
              for o in page.get("Contents", [])]
    assert listed == sorted(HOSTILE_KEYS, key=lambda k: k.encode()), listed

    # Bytes live only as random hex names under objects/<2 hex>/; nothing else was created anywhere.
    blobs = [p for p in (data_dir / "objects").rglob("*") if p.is_file()]
    assert len(blobs) == len(HOSTILE_KEYS)
    for blob in blobs:
        rel = blob.relative_to(data_dir / "objects").parts
        assert len(rel) == 2 and re.fullmatch(r"[0-9a-f]{64}", rel[1]) and rel[1][:2] == rel[0], blob
    assert sorted(p.name for p in data_dir.iterdir()) <= ["objects", "switchyard.sqlite", "switchyard.sqlite-shm",
                                                          "switchyard.sqlite-wal", "tmp"]
    assert list((data_dir / "tmp").iterdir()) == []
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and data_dir not in p.parents]
    assert sorted(p.name for p in outside) == ["gateway.log", "switchyard.json"], outside

    for key in HOSTILE_KEYS:
        s3.delete_object(Bucket=BUCKET, Key=key)
    assert [p for p in (data_dir / "objects").rglob("*") if p.is_file()] == []


def test_key_too_long_is_refused(s3):
    with raises_client_error("KeyTooLongError", 400):
        s3.put_object(Bucket=BUCKET, Key="k" * 1025, Body=b"x")


# ---- listings -----------------------------------------------------------------------------------------------
def test_list_objects_v2_pagination_delimiter_and_start_after(s3):
    keys = ["a.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "c.txt", "d/4.txt", "e.txt"]
    for key in keys:
        s3.put_object(Bucket="listing", Key=key, Body=key.encode())
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket="listing", PaginationConfig={"PageSize": 2}))
    assert [len(p.get("Contents", [])) for p in pages] == [2, 2, 2, 1]
    assert [o["Key"] for p in pages for o in p.get("Contents", [])] == keys
    assert all(p["IsTruncated"] for p in pages[:-1]) and not pages[-1]["IsTruncated"]

    top = s3.list_objects_v2(Bucket="listing", Delimiter="/")
    assert [o["Key"] for o in top["Contents"]] == ["a.txt", "c.txt", "e.txt"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["b/", "d/"]
    assert top["KeyCount"] == 5

    # One entry per page: each common prefix appears once and the roll-up never splits across pages.
    entries = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket="listing", Delimiter="/",
                                                              PaginationConfig={"PageSize": 1}):
        assert page["KeyCount"] == 1
        entries += [o["Key"] for o in page.get("Contents", [])] + [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    assert entries == ["a.txt", "b/", "c.txt", "d/", "e.txt"]

    nested = s3.list_objects_v2(Bucket="listing", Prefix="b/", Delimiter="/")
    assert [o["Key"] for o in nested["Contents"]] == ["b/1.txt", "b/2.txt"]
    assert [p["Prefix"] for p in nested["CommonPrefixes"]] == ["b/c/"]

    after = s3.list_objects_v2(Bucket="listing", StartAfter="b/2.txt")
    assert [o["Key"] for o in after["Contents"]] == ["b/c/3.txt", "c.txt", "d/4.txt", "e.txt"]
    v1 = list(s3.get_paginator("list_objects").paginate(Bucket="listing", Delimiter="/", PaginationConfig={"PageSize": 2}))
    assert [o["Key"] for p in v1 for o in p.get("Contents", [])] == ["a.txt", "c.txt", "e.txt"]
    assert [c["Prefix"] for p in v1 for c in p.get("CommonPrefixes", [])] == ["b/", "d/"]
    with raises_client_error("InvalidArgument", 400):
        s3.list_objects_v2(Bucket="listing", ContinuationToken="not a token!")


def test_encoding_type_url_round_trips_plus_space_and_percent(s3, files_gw):
    keys = ["dir/a+b c.txt", "dir/100%.txt", "dir/ü.txt"]
    for key in keys:
        s3.put_object(Bucket="enc", Key=key, Body=b"x")
    # boto3 asks for encoding-type=url by itself and decodes with unquote_plus.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="enc", Prefix="dir/")["Contents"]] == sorted(keys, key=str.encode)
    common = s3.list_objects_v2(Bucket="enc", Delimiter="+")["CommonPrefixes"]
    assert [p["Prefix"] for p in common] == ["dir/a+"]

    raw = requests.get(f"{files_url(files_gw)}/enc?list-type=2&prefix=dir%2Fa&encoding-type=url", timeout=10).text
    assert "<EncodingType>url</EncodingType>" in raw and "<Key>dir/a%2Bb%20c.txt</Key>" in raw, raw
    plain = requests.get(f"{files_url(files_gw)}/enc?list-type=2&prefix=dir%2Fa", timeout=10).text
    assert "EncodingType" not in plain and "<Key>dir/a+b c.txt</Key>" in plain, plain


# ---- buckets and errors -------------------------------------------------------------------------------------
def test_buckets_lifecycle_and_missing_bucket(s3):
    s3.create_bucket(Bucket="fresh")
    assert s3.head_bucket(Bucket="fresh")["ResponseMetadata"]["HTTPStatusCode"] == 200
    with raises_client_error("BucketAlreadyOwnedByYou", 409):
        s3.create_bucket(Bucket="fresh")
    s3.put_object(Bucket="fresh", Key="x", Body=b"1")
    assert "fresh" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    with raises_client_error("BucketNotEmpty", 409):
        s3.delete_bucket(Bucket="fresh")
    s3.delete_object(Bucket="fresh", Key="x")
    s3.delete_bucket(Bucket="fresh")
    with raises_client_error("404", 404):
        s3.head_bucket(Bucket="fresh")
    with raises_client_error("NoSuchBucket", 404):
        s3.list_objects_v2(Bucket="fresh")
    with raises_client_error("NoSuchBucket", 404):
        s3.get_object(Bucket="never-made", Key="k")
    with raises_client_error("NoSuchBucket", 404):
        s3.delete_bucket(Bucket="never-made")


def test_head_errors_have_no_body_and_get_errors_are_xml(s3, files_gw):
    s3.put_object(Bucket=BUCKET, Key="present", Body=b"x")
    head = requests.head(f"{files_url(files_gw)}/{BUCKET}/missing", timeout=10)
    assert head.status_code == 404 and head.content == b""
    get = requests.get(f"{files_url(files_gw)}/{BUCKET}/missing", timeout=10)
    assert get.status_code == 404 and get.headers["Content-Type"] == "application/xml"
    assert "<Code>NoSuchKey</Code>" in get.text and "<Key>missing</Key>" in get.text and "<RequestId>" in get.text
    assert get.headers["x-amz-request-id"] in get.text


def test_copy_and_delete_objects(s3):
    s3.put_object(Bucket=BUCKET, Key="src/a b.txt", Body=b"copy me", ContentType="text/plain", Metadata={"team": "x"})
    copied = s3.copy_object(Bucket="dest", Key="dst.txt", CopySource={"Bucket": BUCKET, "Key": "src/a b.txt"})
    got = s3.get_object(Bucket="dest", Key="dst.txt")
    assert got["Body"].read() == b"copy me" and got["ContentType"] == "text/plain" and got["Metadata"] == {"team": "x"}
    assert got["ETag"] == copied["CopyObjectResult"]["ETag"]
    s3.put_object(Bucket=BUCKET, Key="other", Body=b"1")
    result = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "src/a b.txt"}, {"Key": "other"},
                                                                  {"Key": "never-there"}]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["never-there", "other", "src/a b.txt"]
    assert "Contents" not in s3.list_objects_v2(Bucket=BUCKET)


def test_bad_checksum_is_bad_digest_and_stores_nothing(s3):
    with raises_client_error("BadDigest", 400):
        s3.put_object(Bucket=BUCKET, Key="corrupt", Body=b"payload", ChecksumCRC32=crc32_b64(b"other"))
    with raises_client_error("404", 404):
        s3.head_object(Bucket=BUCKET, Key="corrupt")
    assert s3.put_object(Bucket=BUCKET, Key="fine", Body=b"payload", ChecksumCRC32=crc32_b64(b"payload"))[
        "ChecksumCRC32"] == crc32_b64(b"payload")


def test_provider_namespaces(files_gw):
    anthropic = s3_client(files_url(files_gw), provider="anthropic")
    with raises_client_error("NotImplemented", 501) as raised:
        anthropic.put_object(Bucket="b", Key="k", Body=b"x")
    assert "inline" in raised.value.response["Error"]["Message"]
    # `bedrock` without a Bedrock provider is the gateway's own store (test_files_bedrock_namespace.py).
    for provider, missing in [("groq", "OpenAI Files API"), ("gemini", "Gemini Files API")]:
        with raises_client_error("NotImplemented", 501) as raised:
            s3_client(files_url(files_gw), provider=provider).list_objects_v2(Bucket="b")
        assert missing in raised.value.response["Error"]["Message"], raised.value.response
    with raises_client_error("InvalidArgument", 400):
        s3_client(files_url(files_gw), provider="nobody").list_buckets()
    # `gateway` names the gateway's own store, same as no header.
    s3_client(files_url(files_gw), provider="gateway").put_object(Bucket="ns", Key="k", Body=b"mine")
    assert s3_client(files_url(files_gw)).get_object(Bucket="ns", Key="k")["Body"].read() == b"mine"


# ---- HTTP framing -------------------------------------------------------------------------------------------
def raw_exchange(port: int, head: bytes, body: bytes | None = None, *, wait_continue: bool) -> tuple[bytes, bytes]:
    """Sends a request head; if wait_continue, reads the interim answer before sending the body. Returns (interim,
    final) raw responses."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head)
        interim = b""
        if wait_continue:
            while b"\r\n\r\n" not in interim:
                chunk = sock.recv(4096)
                assert chunk, f"connection closed before any answer: {interim!r}"
                interim += chunk
        if body is not None:
            sock.sendall(body)
        final = interim.split(b"\r\n\r\n", 1)[1] if wait_continue else b""
        while b"\r\n\r\n" not in final:
            chunk = sock.recv(4096)
            if not chunk:
                break
            final += chunk
        return interim, final


def test_expect_100_continue_is_answered_before_the_body(files_gw, s3):
    body = b'{"a":1}\n'
    head = (f"PUT /bedrock/files/{BUCKET}/expect.jsonl HTTP/1.1\r\nHost: 127.0.0.1:{files_gw.port}\r\n"
            f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\n\r\n").encode()
    # The body is sent only after the interim answer arrives; were none sent, this would wait for the socket timeout
    # and fail, not merely be slow.
    interim, final = raw_exchange(files_gw.port, head, body, wait_continue=True)
    assert interim.startswith(b"HTTP/1.1 100 Continue\r\n"), interim
    assert final.startswith(b"HTTP/1.1 200"), final
    assert s3.get_object(Bucket=BUCKET, Key="expect.jsonl")["Body"].read() == body


def test_declared_oversize_upload_is_refused_before_its_body(files_gw):
    head = (f"PUT /bedrock/files/{BUCKET}/huge HTTP/1.1\r\nHost: 127.0.0.1:{files_gw.port}\r\n"
            f"Content-Length: {6 * 1024 ** 3}\r\n\r\n").encode()
    _, final = raw_exchange(files_gw.port, head, None, wait_continue=False)
    assert final.startswith(b"HTTP/1.1 400"), final


# ---- persistence --------------------------------------------------------------------------------------------
def test_objects_survive_a_restart(gateway, openai_fake, anthropic_fake, data_dir, tmp_path):
    first = gateway(files_config(openai_fake, anthropic_fake, data_dir))
    s3 = s3_client(files_url(first))
    etag = s3.put_object(Bucket=BUCKET, Key="keep/me.jsonl", Body=b"durable", ContentType="application/jsonl")["ETag"]
    source = tmp_path / "mp.bin"
    data = os.urandom(9 * MIB)
    source.write_bytes(data)
    s3.upload_file(str(source), BUCKET, "keep/multipart.bin", Config=TransferConfig(multipart_threshold=8 * MIB))
    pending = s3.create_multipart_upload(Bucket=BUCKET, Key="keep/pending.bin")["UploadId"]
    part = s3.upload_part(Bucket=BUCKET, Key="keep/pending.bin", UploadId=pending, PartNumber=1, Body=b"later")["ETag"]
    assert first.stop() == 0

    second = gateway(files_config(openai_fake, anthropic_fake, data_dir))
    s3 = s3_client(files_url(second))
    got = s3.get_object(Bucket=BUCKET, Key="keep/me.jsonl", IfMatch=etag)
    assert got["Body"].read() == b"durable" and got["ContentType"] == "application/jsonl"
    assert s3.get_object(Bucket=BUCKET, Key="keep/multipart.bin")["Body"].read() == data
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="keep/")["Contents"]] == \
        ["keep/me.jsonl", "keep/multipart.bin"]
    s3.complete_multipart_upload(Bucket=BUCKET, Key="keep/pending.bin", UploadId=pending,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part}]})
    assert s3.get_object(Bucket=BUCKET, Key="keep/pending.bin")["Body"].read() == b"later"


# ---- aws-chunked over TLS -----------------------------------------------------------------------------------
def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class TLSProxy:
    """Terminates TLS and relays bytes to the gateway's plain port. `corrupt_trailer` rewrites the value of an
    aws-chunked `x-amz-checksum-crc32:` trailer on the way in; `seen` keeps what clients sent (for assertions)."""

    TRAILER = re.compile(rb"(\r\nx-amz-checksum-crc32:)([A-Za-z0-9+/=]{8})(\r\n)")

    def __init__(self, upstream_port: int, cert: Path, key: Path):
        self.upstream_port = upstream_port
        self.corrupt_trailer = False
        self.seen = bytearray()
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, raw):
        try:
            client = self.context.wrap_socket(raw, server_side=True)
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        except OSError:
            raw.close()
            return
        threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()
        self._pipe(client, upstream, True)

    def _pipe(self, source, sink, inbound: bool):
        try:
            while data := source.recv(65536):
                if inbound:
                    with self.lock:
                        self.seen += data
                    if self.corrupt_trailer:
                        data = self.TRAILER.sub(lambda m: m[1] + (b"AAAAAA==" if m[2] != b"AAAAAA==" else b"AQIDBA==")
                                                + m[3], data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()

    def close(self):
        self.listener.close()


@pytest.fixture
def tls_proxy(files_gw, tmp_path):
    certs = tmp_path / "certs"
    certs.mkdir()
    proxy = TLSProxy(files_gw.port, *self_signed_cert(certs))
    yield proxy
    proxy.close()


@pytest.fixture
def tls_s3(tls_proxy):
    warnings.filterwarnings("ignore", message="Unverified HTTPS request")
    return s3_client(f"https://127.0.0.1:{tls_proxy.port}/bedrock/files", verify=False)


def test_aws_chunked_over_tls_stores_exact_bytes(tls_s3, tls_proxy, s3, tmp_path):
    small = b'{"a":1}\n'
    large = os.urandom(3 * MIB + 17)
    tls_s3.put_object(Bucket=BUCKET, Key="tls/small.jsonl", Body=small, ContentType="application/jsonl")
    tls_s3.put_object(Bucket=BUCKET, Key="tls/large.bin", Body=large)
    tls_s3.put_object(Bucket=BUCKET, Key="tls/empty", Body=b"")
    sent = bytes(tls_proxy.seen).lower()
    assert b"content-encoding: aws-chunked" in sent and b"x-amz-trailer: x-amz-checksum-crc32" in sent, \
        "boto3 did not frame the upload as aws-chunked: the test would prove nothing"
    assert s3.get_object(Bucket=BUCKET, Key="tls/small.jsonl")["Body"].read() == small
    assert s3.get_object(Bucket=BUCKET, Key="tls/large.bin")["Body"].read() == large
    assert s3.get_object(Bucket=BUCKET, Key="tls/empty")["Body"].read() == b""
    head = s3.head_object(Bucket=BUCKET, Key="tls/small.jsonl")
    assert head["ContentType"] == "application/jsonl" and "ContentEncoding" not in head

    # Multipart over TLS too: every part aws-chunked.
    source = tmp_path / "tls-upload.bin"
    data = os.urandom(9 * MIB)
    source.write_bytes(data)
    tls_s3.upload_file(str(source), BUCKET, "tls/multipart.bin", Config=TransferConfig(multipart_threshold=8 * MIB))
    assert s3.get_object(Bucket=BUCKET, Key="tls/multipart.bin")["Body"].read() == data
    assert tls_s3.get_object(Bucket=BUCKET, Key="tls/multipart.bin", Range="bytes=5-9")["Body"].read() == data[5:10]


def test_aws_chunked_corrupted_trailer_is_bad_digest(tls_s3, tls_proxy, s3):
    tls_proxy.corrupt_trailer = True
    with raises_client_error("BadDigest", 400):
        tls_s3.put_object(Bucket=BUCKET, Key="tls/corrupt.jsonl", Body=b'{"a":1}\n')
    assert b"x-amz-checksum-crc32:" in bytes(tls_proxy.seen)
    with raises_client_error("404", 404):
        s3.head_object(Bucket=BUCKET, Key="tls/corrupt.jsonl")
    tls_proxy.corrupt_trailer = False
    tls_s3.put_object(Bucket=BUCKET, Key="tls/fine.jsonl", Body=b'{"a":1}\n')
    assert s3.get_object(Bucket=BUCKET, Key="tls/fine.jsonl")["Body"].read() == b'{"a":1}\n'
