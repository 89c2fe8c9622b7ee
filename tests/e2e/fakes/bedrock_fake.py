"""Fake AWS Bedrock runtime (POST /model/{modelId}/{converse,converse-stream,invoke,invoke-with-response-stream}).

Every request's SigV4 signature is recomputed with botocore's own signer from the secret the fake knows, so a test
proves the gateway signed exactly what it sent (double-encoded canonical path, session token, host with port).
A request with a bad signature gets what AWS answers: 403 with `x-amzn-ErrorType: InvalidSignatureException`.
Streams are `application/vnd.amazon.eventstream` frames (CRC32-checked framing, bedrock-wire.md §3).
"""
from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from dataclasses import dataclass

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .base import FakeUpstream, Recorded, Reply, Stream

ACCESS_KEY = "AKIAFAKEBEDROCK00001"
SECRET_KEY = "fakeSecretKeyForBedrockTests/0123456789"
SESSION_TOKEN = "FakeSessionToken//+="
BEARER = "bedrock-api-key-ABSKfake0123456789"

_AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request, "
                   r"SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$")


@dataclass
class Signature:
    ok: bool
    access_key: str = ""
    region: str = ""
    service: str = ""
    signed_headers: tuple[str, ...] = ()
    reason: str = ""


def verify_sigv4(req: Recorded, secret: str = SECRET_KEY, token: str | None = None) -> Signature:
    m = _AUTH.match(req.header("authorization") or "")
    if not m:
        return Signature(False, reason=f"no SigV4 Authorization header: {req.header('authorization')!r}")
    access_key, _day, region, service, signed, signature = m.groups()
    names = signed.split(";")
    missing = [n for n in names if req.header(n) is None]
    if missing:
        return Signature(False, reason=f"signed headers missing: {missing}")
    aws_req = AWSRequest(method=req.method, url=f"http://{req.header('host')}{req.path}", data=req.body,
                         headers={n: req.header(n) for n in names})
    aws_req.context["timestamp"] = req.header("x-amz-date")
    auth = SigV4Auth(Credentials(access_key, secret, token), service, region)
    expected = auth.signature(auth.string_to_sign(aws_req, auth.canonical_request(aws_req)), aws_req)
    return Signature(expected == signature, access_key, region, service, tuple(names),
                     "" if expected == signature else "signature mismatch")


# ---- event-stream framing -----------------------------------------------------------------------------------
def _header(name: str, value: str) -> bytes:
    n, v = name.encode(), value.encode()
    return struct.pack(">B", len(n)) + n + b"\x07" + struct.pack(">H", len(v)) + v


def frame(headers: dict[str, str], payload: bytes) -> bytes:
    hb = b"".join(_header(k, v) for k, v in headers.items())
    prelude = struct.pack(">II", 12 + len(hb) + len(payload) + 4, len(hb))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    msg = prelude + hb + payload
    return msg + struct.pack(">I", zlib.crc32(msg))


def event(kind: str, body: dict) -> bytes:
    return frame({":event-type": kind, ":content-type": "application/json", ":message-type": "event"},
                 json.dumps(body).encode())


def exception(member: str, message: str, **extra) -> bytes:
    return frame({":exception-type": member, ":content-type": "application/json", ":message-type": "exception"},
                 json.dumps({"message": message, **extra}).encode())


def chunk(model_chunk: dict) -> bytes:
    return event("chunk", {"bytes": base64.b64encode(json.dumps(model_chunk).encode()).decode()})


def converse_stream_frames(text_parts: list[str], *, input_tokens: int = 12, output_tokens: int = 7) -> list[bytes]:
    frames = [event("messageStart", {"role": "assistant", "p": "abcdefgh"})]
    frames += [event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": t}, "p": "abc"}) for t in text_parts]
    frames += [event("contentBlockStop", {"contentBlockIndex": 0}),
               event("messageStop", {"stopReason": "end_turn"}),
               event("metadata", {"usage": {"inputTokens": input_tokens, "outputTokens": output_tokens,
                                            "totalTokens": input_tokens + output_tokens},
                                  "metrics": {"latencyMs": 321}})]
    return frames


def event_stream(frames: list[bytes], **kw) -> Stream:
    s = Stream(frames, **kw)
    s.headers = {"Content-Type": "application/vnd.amazon.eventstream", "x-amzn-RequestId": "fake-request-id",
                 **s.headers}
    return s


def converse_answer(text: str = "Hello from fake Bedrock.", *, stop: str = "end_turn", input_tokens: int = 12,
                    output_tokens: int = 7) -> dict:
    return {"output": {"message": {"role": "assistant", "content": [{"text": text}]}}, "stopReason": stop,
            "usage": {"inputTokens": input_tokens, "outputTokens": output_tokens,
                      "totalTokens": input_tokens + output_tokens},
            "metrics": {"latencyMs": 111}}


def aws_error(status: int, code: str, message: str, *, via: str = "header", **extra) -> Reply:
    """An AWS rest-json error; the code travels in x-amzn-ErrorType (`via="header"`) or in `__type`."""
    body = {"message": message, **extra}
    headers = {"x-amzn-RequestId": "fake-request-id"}
    if via == "header":
        headers["x-amzn-ErrorType"] = f"{code}:http://internal.amazon.com/coral/com.amazon.bedrock/"
    else:
        body["__type"] = f"com.amazon.bedrock#{code}"
    return Reply(status, body, headers)


class BedrockFake(FakeUpstream):
    """Checks every request's credentials like AWS does, then answers from the queue (default: a Converse answer)."""

    def __init__(self) -> None:
        super().__init__()
        self.session_token: str | None = None
        self.signatures: list[Signature] = []
        # Other accounts' credentials the fake knows (a caller's direct keys): access key id -> (secret, token).
        self.accounts: dict[str, tuple[str, str | None]] = {}
        self.bearers: set[str] = {BEARER}

    def reset(self) -> None:
        super().reset()
        self.signatures = []
        self.session_token = None
        self.accounts = {}
        self.bearers = {BEARER}

    def _perform(self, h, req: Recorded, action) -> None:
        if getattr(req, "checked", False):  # a Delay performs its inner action through here again
            return super()._perform(h, req, action)
        req.checked = True
        authorization = req.header("authorization") or ""
        if authorization.startswith("Bearer "):
            ok = authorization.removeprefix("Bearer ") in self.bearers
            sig = Signature(ok, reason="" if ok else "unknown bearer token")
        else:
            m = _AUTH.match(authorization)
            secret, token = self.accounts.get(m.group(1), (SECRET_KEY, self.session_token)) if m else (SECRET_KEY, None)
            sig = verify_sigv4(req, secret=secret, token=token)
            if sig.ok and token and req.header("x-amz-security-token") != token:
                sig = Signature(False, reason="missing or wrong x-amz-security-token")
        self.signatures.append(sig)
        if not sig.ok:
            action = aws_error(403, "InvalidSignatureException", f"The request signature we calculated does not match "
                                                                  f"the signature you provided ({sig.reason})")
        super()._perform(h, req, action)

    def default_action(self, req: Recorded):
        if "/model-invocation-job" in req.path:
            return control_plane_answer(req)
        if req.path.endswith("/converse"):
            return Reply(200, converse_answer(), {"x-amzn-RequestId": "fake-request-id"})
        if req.path.endswith("/converse-stream"):
            return event_stream(converse_stream_frames(["Hello", " from", " Bedrock."]))
        return aws_error(400, "ValidationException", f"fake Bedrock has no default answer for {req.path}")


# ---- control plane: model invocation jobs (bedrock-wire.md §5) ---------------------------------------------------
AWS_JOB_ARN = "arn:aws:bedrock:eu-central-1:123456789012:model-invocation-job/awsjob000001"


def aws_job(name: str = "aws-side-job") -> dict:
    return {"jobArn": AWS_JOB_ARN, "jobName": name, "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
            "roleArn": "arn:aws:iam::123456789012:role/BedrockBatch", "status": "InProgress",
            "submitTime": "2026-01-01T00:00:00.000Z",
            "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://aws-bucket/in.jsonl"}},
            "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://aws-bucket/out/"}}}


def control_plane_answer(req: Recorded) -> Reply:
    """What AWS answers to CreateModelInvocationJob / Get / List / Stop, for a signed request."""
    path = req.path.split("?")[0]
    headers = {"x-amzn-RequestId": "fake-control-plane-request"}
    if req.method == "POST" and path.endswith("/model-invocation-job"):
        return Reply(200, {"jobArn": AWS_JOB_ARN}, headers)
    if req.method == "POST" and path.endswith("/stop"):
        return Reply(200, {}, headers)
    if req.method == "GET" and path.endswith("/model-invocation-jobs"):
        return Reply(200, {"invocationJobSummaries": [aws_job()]}, headers)
    if req.method == "GET" and (path.endswith("/awsjob000001") or path.endswith("%2Fawsjob000001")):
        return Reply(200, aws_job(), headers)
    return aws_error(404, "ResourceNotFoundException", f"Could not find job for {path}")
