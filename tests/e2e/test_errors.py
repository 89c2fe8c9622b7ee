"""Error mapping: request validation, upstream HTTP errors, timeouts, body limits, gateway retries."""
import json
import re
import socket

import pytest
import requests

from fakes.anthropic_fake import anthropic_error, anthropic_message
from fakes.base import Delay, Hangup, Reply
from fakes.openai_fake import openai_completion, openai_error, openai_stream
from helpers import default_config, raises_client_error, text_deltas, user

OPENAI = "openai/gpt-4o-mini"
ANTHROPIC = "anthropic/claude-sonnet-4-5"


def fakes_for(model, openai_fake, anthropic_fake):
    return (openai_fake, openai_error) if model == OPENAI else (anthropic_fake, anthropic_error)


def assert_aws_json_error(r: requests.Response, status: int, code: str):
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers.get("x-amzn-ErrorType", "").split(":")[0] == code, dict(r.headers)
    body = r.json()
    assert isinstance(body.get("message") or body.get("Message"), str), body


# ---- requests the gateway must refuse itself --------------------------------------------------------------
@pytest.mark.parametrize("payload", [b'{"messages": [', b"not json at all", b"{}", b'{"messages": "nope"}'],
                         ids=["truncated", "not-json", "no-messages", "messages-not-a-list"])
def test_bad_request_body_is_a_validation_error(gw, openai_fake, payload):
    r = requests.post(gw.converse_url(OPENAI), data=payload, headers={"Content-Type": "application/json"}, timeout=10)
    assert_aws_json_error(r, 400, "ValidationException")
    assert openai_fake.requests == []


@pytest.mark.parametrize("model_id", ["nosuchprovider/some-model", "totally-unknown-model"])
def test_unknown_model_is_resource_not_found(client, openai_fake, anthropic_fake, model_id):
    with raises_client_error("ResourceNotFoundException") as raised:
        client.converse(modelId=model_id, messages=[user("Hi")])
    assert model_id in raised.value.response["Error"]["Message"]
    assert openai_fake.requests == [] and anthropic_fake.requests == []


# ---- upstream HTTP errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("model", [OPENAI, ANTHROPIC])
@pytest.mark.parametrize("status,code", [
    (404, "ResourceNotFoundException"), (429, "ThrottlingException"), (500, "InternalServerException"),
    (502, "ServiceUnavailableException"), (503, "ServiceUnavailableException"), (529, "ServiceUnavailableException"),
])
def test_upstream_status_mapping(client, openai_fake, anthropic_fake, model, status, code):
    fake, error = fakes_for(model, openai_fake, anthropic_fake)
    fake.enqueue(error(status, f"upstream said {status}"))
    with raises_client_error(code):
        client.converse(modelId=model, messages=[user("Hi")])
    assert len(fake.requests) == 1  # max_retries: 0 in the default config


@pytest.mark.parametrize("model", [OPENAI, ANTHROPIC])
def test_upstream_400_carries_upstream_message(client, openai_fake, anthropic_fake, model):
    fake, error = fakes_for(model, openai_fake, anthropic_fake)
    fake.enqueue(error(400, "Invalid 'temperature': must be at most 2, got 7."))
    with raises_client_error("ValidationException") as raised:
        client.converse(modelId=model, messages=[user("Hi")], inferenceConfig={"temperature": 0.2})
    assert "Invalid 'temperature': must be at most 2, got 7." in raised.value.response["Error"]["Message"]
    assert len(fake.requests) == 1


@pytest.mark.parametrize("model,key", [(OPENAI, "sk-test-one"), (ANTHROPIC, "sk-ant-test")])
@pytest.mark.parametrize("status", [401, 403])
def test_upstream_auth_error_does_not_leak_the_key(gw, client, openai_fake, anthropic_fake, model, key, status):
    fake, error = fakes_for(model, openai_fake, anthropic_fake)
    # Real providers echo (parts of) the key in the message; the gateway must not pass it on.
    leaky = f"Incorrect API key provided: {key}. You can find your API key in your account settings."
    fake.enqueue(error(status, leaky), error(status, leaky))
    with raises_client_error("AccessDeniedException") as raised:
        client.converse(modelId=model, messages=[user("Hi")])
    assert key not in json.dumps(raised.value.response, default=str)

    r = requests.post(gw.converse_url(model), json={"messages": [{"role": "user", "content": [{"text": "Hi"}]}]},
                      timeout=10)
    assert_aws_json_error(r, 403, "AccessDeniedException")
    assert key.encode() not in r.content
    assert all(key not in f"{k}: {v}" for k, v in r.headers.items())
    assert len(fake.requests) == 2
    sent = fake.requests[0]
    assert (sent.header("authorization") or sent.header("x-api-key")) in (f"Bearer {key}", key)


# ---- timeouts ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", [OPENAI, ANTHROPIC])
def test_slow_upstream_is_a_model_timeout(gateway, openai_fake, anthropic_fake, model):
    gw = gateway(default_config(openai_fake, anthropic_fake, timeout_seconds=1))
    fake = openai_fake if model == OPENAI else anthropic_fake
    answer = openai_completion("too late") if model == OPENAI else anthropic_message("too late")
    fake.enqueue(Delay(Reply(200, answer), seconds=4))
    with raises_client_error("ModelTimeoutException", 408):
        gw.client().converse(modelId=model, messages=[user("Hi")])
    assert len(fake.requests) == 1


# ---- body size limit --------------------------------------------------------------------------------------
def read_http_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Read one HTTP response (Content-Length framed); tolerate a reset after the answer was sent."""
    data = b""
    try:
        while True:
            head, sep, body = data.partition(b"\r\n\r\n")
            if sep:
                m = re.search(rb"(?im)^content-length:\s*(\d+)", head)
                if len(body) >= (int(m.group(1)) if m else 0):
                    break
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        pass
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        pytest.fail(f"no complete HTTP answer to the oversized request before the connection ended (got {data!r}); "
                    "the gateway must answer 413 without waiting for the announced body", pytrace=False)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:] if ":" in ln)}
    return int(lines[0].split()[1]), headers, body


def test_oversized_body_is_refused_before_it_is_read(gateway, openai_fake, anthropic_fake):
    gw = gateway(default_config(openai_fake, anthropic_fake, max_body_bytes=1000))
    # A small request still works.
    ok = gw.client().converse(modelId=OPENAI, messages=[user("Hi")])
    assert ok["output"]["message"]["content"] == [{"text": "Hello from fake OpenAI."}]
    assert len(openai_fake.requests) == 1

    # Announce 50 MB, send a few bytes, and expect the answer without sending the rest.
    with socket.create_connection(("127.0.0.1", gw.port), timeout=10) as s:
        s.sendall((f"POST /bedrock/model/openai%2Fgpt-4o-mini/converse HTTP/1.1\r\nHost: 127.0.0.1:{gw.port}\r\n"
                   "Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n").encode()
                  + b'{"messages":[{"role":"user","content":[{"text":"')
        try:
            status, headers, body = read_http_response(s)
        except socket.timeout:
            pytest.fail("no answer while the oversized body was still being announced; the gateway waits for "
                        "the whole body instead of refusing it", pytrace=False)
    assert status == 413, (status, headers, body)
    assert headers.get("x-amzn-errortype", "").split(":")[0] == "ValidationException", headers
    assert "message" in json.loads(body) or "Message" in json.loads(body)

    # boto3 sends the whole (too large) body: still a ValidationException, nothing forwarded.
    with raises_client_error("ValidationException"):
        gw.client().converse(modelId=OPENAI, messages=[user("x" * 5000)])
    assert len(openai_fake.requests) == 1


# ---- gateway retries --------------------------------------------------------------------------------------
@pytest.fixture
def retrying(gateway, openai_fake, anthropic_fake):
    return gateway(default_config(openai_fake, anthropic_fake, max_retries=2, retry_backoff_ms=10))


@pytest.mark.parametrize("model", [OPENAI, ANTHROPIC])
def test_retry_after_500_then_success(retrying, openai_fake, anthropic_fake, model):
    fake, error = fakes_for(model, openai_fake, anthropic_fake)
    answer = openai_completion("second time lucky") if model == OPENAI else anthropic_message("second time lucky")
    fake.enqueue(error(500, "transient"), Reply(200, answer))
    resp = retrying.client().converse(modelId=model, messages=[user("Hi")])
    assert resp["output"]["message"]["content"] == [{"text": "second time lucky"}]
    assert len(fake.requests) == 2
    assert fake.requests[0].json == fake.requests[1].json


def test_retry_on_429_and_connection_error(retrying, openai_fake):
    openai_fake.enqueue(openai_error(429, "slow down"), Hangup(), Reply(200, openai_completion("finally")))
    resp = retrying.client().converse(modelId=OPENAI, messages=[user("Hi")])
    assert resp["output"]["message"]["content"] == [{"text": "finally"}]
    assert len(openai_fake.requests) == 3


def test_retries_are_bounded(retrying, openai_fake):
    openai_fake.enqueue(*[openai_error(503, "down") for _ in range(5)])
    with raises_client_error("ServiceUnavailableException"):
        retrying.client().converse(modelId=OPENAI, messages=[user("Hi")])
    assert len(openai_fake.requests) == 3  # 1 + max_retries


@pytest.mark.parametrize("model", [OPENAI, ANTHROPIC])
def test_400_is_never_retried(retrying, openai_fake, anthropic_fake, model):
    fake, error = fakes_for(model, openai_fake, anthropic_fake)
    fake.enqueue(error(400, "bad request"), error(400, "bad request"), error(400, "bad request"))
    with raises_client_error("ValidationException"):
        retrying.client().converse(modelId=model, messages=[user("Hi")])
    assert len(fake.requests) == 1


def test_stream_retried_before_first_byte(retrying, openai_fake):
    openai_fake.enqueue(openai_error(503, "warming up"), openai_stream(["streamed", " after retry"]))
    resp = retrying.client().converse_stream(modelId=OPENAI, messages=[user("Hi")])
    text = "".join(text_deltas(list(resp["stream"])))
    assert text == "streamed after retry"
    assert len(openai_fake.requests) == 2
    assert all(r.json["stream"] is True for r in openai_fake.requests)


@pytest.mark.parametrize("method,path", [("GET", "/bedrock/nothing/here"), ("POST", "/bedrock/model/openai%2Fx/unknown-op")])
def test_unknown_operation_is_answered_in_the_bedrock_dialect(gw, openai_fake, method, path):
    r = requests.request(method, gw.url + path, data=b"{}", timeout=10)
    assert_aws_json_error(r, 404, "UnknownOperationException")
    assert path.split("?")[0] in r.json()["message"]
    assert openai_fake.requests == []
