"""Prints Tests/AWSWireTests/SigV4Vectors.swift: requests exactly as boto3 sends them, signed by botocore with a
fixed clock, with the canonical request botocore computed for each. Run from the repo root:

    python3 tests/vectors/sigv4_vectors.py > Tests/AWSWireTests/SigV4Vectors.swift

Nothing reaches the network: a `before-send` hook records each prepared request and stops it.
"""
from __future__ import annotations

import datetime
import io
import logging
import os
from urllib.parse import urlsplit

import boto3
import botocore
import botocore.auth
from botocore.config import Config

NOW = datetime.datetime(2026, 11, 22, 1, 2, 3)
botocore.auth.get_current_datetime = lambda *a, **k: NOW
# SigV2 presigned URLs (boto3's default for S3 without `signature_version`) take their expiry from time.time().
botocore.auth.time = type("FixedTime", (), {"time": staticmethod(
    lambda: NOW.replace(tzinfo=datetime.timezone.utc).timestamp())})
os.environ.pop("AWS_BEARER_TOKEN_BEDROCK", None)

AKID = "SWYDEXAMPLEKEY234567"
SECRET = "wJalrXUtnFEMI_K7MDENG-bPxRfiCYEXAMPLEKEY"


class Captured(Exception):
    pass


class CanonicalLog(logging.Handler):
    """botocore logs what it signs at DEBUG: SigV4's canonical request, SigV2's string to sign."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.last = None
        self.mode = ""

    def emit(self, record):
        if record.msg.startswith("CanonicalRequest:") or (record.msg.startswith("StringToSign:") and "hmacv1" in self.mode):
            self.last = record.args[0] if isinstance(record.args, tuple) else record.args
        if record.msg.startswith("Calculating signature using"):
            self.mode = record.msg


canonical_log = CanonicalLog()
auth_logger = logging.getLogger("botocore.auth")
auth_logger.setLevel(logging.DEBUG)
auth_logger.addHandler(canonical_log)
auth_logger.propagate = False


def client(service, endpoint, token=None, **config):
    c = boto3.client(service, endpoint_url=endpoint, region_name="us-west-2", aws_access_key_id=AKID,
                     aws_secret_access_key=SECRET, aws_session_token=token,
                     config=Config(retries={"max_attempts": 1}, **config))
    seen = {}

    def stop(request, **kw):
        seen["request"] = request
        raise Captured()

    c.meta.events.register_last("before-send", stop)
    return c, seen


def capture(name, door, call, c, seen):
    try:
        call(c)
    except Captured:
        pass
    req = seen["request"]
    parts = urlsplit(req.url)
    body = req.body or b""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    # The two headers botocore never signs and that change with every run or machine are left out.
    headers = [(k, v.decode() if isinstance(v, bytes) else v) for k, v in req.headers.items()
               if k.lower() not in ("user-agent", "amz-sdk-invocation-id")]
    return dict(name=name, door=door, method=req.method, path=parts.path, query=parts.query, authority=parts.netloc,
                headers=headers, body=body, canonical=canonical_log.last)


def swift_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def swift_bytes(b: bytes) -> str:
    return "Array(" + swift_string(b.decode()) + ".utf8)"


vectors = []
rt, seen = client("bedrock-runtime", "http://localhost:8080/bedrock")
vectors.append(capture("converseColonInModelId", "bedrock", lambda c: c.converse(
    modelId="us.anthropic.claude-3-7-sonnet-20250219-v1:0",
    messages=[{"role": "user", "content": [{"text": "Hello"}]}]), rt, seen))
vectors.append(capture("invokeModelWithARN", "bedrock", lambda c: c.invoke_model(
    modelId="arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0",
    body=b'{"anthropic_version":"bedrock-2023-05-31","max_tokens":16,"messages":[]}'), rt, seen))
rt_token, seen_token = client("bedrock-runtime", "http://localhost:8080/bedrock", token="SESSION/TOKEN+EXAMPLE==")
vectors.append(capture("converseStreamSessionToken", "bedrock", lambda c: c.converse_stream(
    modelId="openai/gpt-4o-mini", messages=[{"role": "user", "content": [{"text": "Hi"}]}]), rt_token, seen_token))
cp, seen_cp = client("bedrock", "http://localhost:8080/bedrock")
vectors.append(capture("listJobsWithQuery", "bedrock", lambda c: c.list_model_invocation_jobs(
    statusEquals="InProgress", nameContains="a b~c", maxResults=5), cp, seen_cp))

s3, seen_s3 = client("s3", "http://localhost:8080/bedrock/files")
vectors.append(capture("putObjectSignedPayload", "s3", lambda c: c.put_object(
    Bucket="batch-in", Key="dir/in put/rec+1.jsonl", Body=b'{"a":1}\n'), s3, seen_s3))
s3u, seen_s3u = client("s3", "http://localhost:8080/bedrock/files", s3={"payload_signing_enabled": False})
vectors.append(capture("putObjectUnsignedPayload", "s3", lambda c: c.put_object(
    Bucket="batch-in", Key="unsigned.jsonl", Body=b'{"b":2}\n'), s3u, seen_s3u))
s3tls, seen_s3tls = client("s3", "https://localhost:8443/bedrock/files")
vectors.append(capture("putObjectAwsChunked", "s3", lambda c: c.put_object(
    Bucket="batch-in", Key="chunked.jsonl", Body=io.BytesIO(b'{"a":1}\n')), s3tls, seen_s3tls))
vectors.append(capture("listObjectsV2WithQuery", "s3", lambda c: c.list_objects_v2(
    Bucket="batch-in", Prefix="dir/in put/", MaxKeys=10, StartAfter="dir/a"), s3, seen_s3))
s3t, seen_s3t = client("s3", "http://localhost:8080/bedrock/files", token="SESSION/TOKEN+EXAMPLE==")
vectors.append(capture("copyObjectSessionToken", "s3", lambda c: c.copy_object(
    Bucket="batch-out", Key="copy.jsonl", CopySource={"Bucket": "batch-in", "Key": "dir/in put/rec+1.jsonl"}), s3t, seen_s3t))

# Presigned GETs: no request is sent, the URL is the whole credential. Without `signature_version` boto3 presigns
# with SigV2 (HMAC-SHA1, `AWSAccessKeyId`/`Signature`/`Expires`); `canonical` is then its string to sign.
def presigned(name, c):
    url = c.generate_presigned_url("get_object", Params={"Bucket": "batch-in", "Key": "dir/in put/rec+1.jsonl"},
                                   ExpiresIn=600)
    parts = urlsplit(url)
    vectors.append(dict(name=name, door="s3", method="GET", path=parts.path, query=parts.query,
                        authority=parts.netloc, headers=[], body=b"", canonical=canonical_log.last))


presigned("presignedGetObjectSigV4", client("s3", "http://localhost:8080/bedrock/files", signature_version="s3v4")[0])
presigned("presignedGetObjectSigV2", s3)
presigned("presignedGetObjectSigV4SessionToken",
          client("s3", "http://localhost:8080/bedrock/files", token="SESSION/TOKEN+EXAMPLE==", signature_version="s3v4")[0])

print("// Generated by tests/vectors/sigv4_vectors.py with botocore " + botocore.__version__ + "; do not edit.")
print("// Each request is what boto3 sent (headers as signed, the Host header as the authority), signed at")
print("// 2026-11-22T01:02:03Z with the access key below; `canonical` is the canonical request botocore signed.")
print("import AWSWire\n")
print("enum SigV4Vectors {")
print(f"    static let accessKeyId = {swift_string(AKID)}")
print(f"    static let secret = {swift_string(SECRET)}")
print("    /// 2026-11-22T01:02:03Z")
print(f"    static let signedAt: Int64 = {int(NOW.replace(tzinfo=datetime.timezone.utc).timestamp())}")
print("    static let all: [SigV4Vector] = [")
for v in vectors:
    print("        SigV4Vector(")
    print(f"            name: {swift_string(v['name'])}, door: .{v['door']}, method: {swift_string(v['method'])},")
    print(f"            path: {swift_string(v['path'])}, query: {swift_string(v['query'])}, authority: {swift_string(v['authority'])},")
    print("            headers: [")
    for k, val in v["headers"]:
        print(f"                ({swift_string(k)}, {swift_string(val)}),")
    print("            ],")
    print(f"            body: {swift_bytes(v['body'])},")
    print(f"            canonical: {swift_string(v['canonical'])}),")
print("    ]")
print("}")
