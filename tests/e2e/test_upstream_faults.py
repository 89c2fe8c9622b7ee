"""Upstream faults and abuse: pinned keys and their limits, refused connections, Retry-After, unusable answers,
and fields a caller may not override."""
import json
import time
from email.utils import formatdate

import pytest
import requests

from conftest import free_port
from fakes.base import Hangup, Reply
from fakes.openai_fake import openai_completion, openai_error
from helpers import default_config, provider, raises_client_error, user

# Texts of NIO / AsyncHTTPClient / Foundation internals that must never reach a caller.
INTERNALS = ("errno", "descriptor", "NIO", "DecodingError", "Debug description", "HTTPClientError", "Optional(")


def body(text: str = "Hi", **extra) -> dict:
    return {"messages": [user(text)], **extra}


def post(gw, model: str, payload: dict, op: str = "converse", headers: dict | None = None, timeout: float = 90):
    return requests.post(gw.converse_url(model, op), json=payload, headers=headers or {}, timeout=timeout)


def assert_plain(message: str) -> None:
    for internal in INTERNALS:
        assert internal not in message, message


# ---- item 2: a pinned key is held to its allow-list, and weight 0 switches a key off --------------------------
@pytest.fixture
def keyed_gw(gateway, openai_fake, anthropic_fake):
    cfg = default_config(openai_fake, anthropic_fake)
    cfg["providers"]["openai"]["keys"] = [
        {"name": "main", "value": "sk-main", "weight": 1},
        {"name": "cheap", "value": "sk-cheap", "weight": 1, "models": ["gpt-4o-mini"]},
        {"name": "disabled", "value": "sk-disabled", "weight": 0},
    ]
    return gateway(cfg)


COUNT_BODY = {"input": {"converse": body()}}


@pytest.mark.parametrize("op,payload", [("converse", body()), ("converse-stream", body()),
                                        ("invoke", {"inputText": "Hi"}), ("count-tokens", COUNT_BODY)])
def test_pinned_key_must_allow_the_model(keyed_gw, openai_fake, op, payload):
    resp = post(keyed_gw, "openai/o1-pro", payload, op, headers={"x-bf-api-key": "cheap"})
    assert resp.status_code == 404, resp.text
    assert resp.headers["x-amzn-ErrorType"].startswith("ResourceNotFoundException")
    assert "o1-pro" in resp.json()["message"]
    assert openai_fake.requests == []


@pytest.mark.parametrize("op,payload", [("converse", body()), ("converse-stream", body()),
                                        ("invoke", {"inputText": "Hi"}), ("count-tokens", COUNT_BODY)])
def test_pinned_weight_zero_key_is_never_used(keyed_gw, openai_fake, op, payload):
    resp = post(keyed_gw, "openai/gpt-4o-mini", payload, op, headers={"x-bf-api-key": "disabled"})
    assert resp.status_code == 400, resp.text
    assert resp.headers["x-amzn-ErrorType"].startswith("ValidationException")
    assert "disabled" in resp.json()["message"]
    assert openai_fake.requests == []


def test_pinned_key_still_serves_what_it_allows(keyed_gw, openai_fake):
    resp = post(keyed_gw, "openai/gpt-4o-mini", body(), headers={"x-bf-api-key": "cheap"})
    assert resp.status_code == 200, resp.text
    assert openai_fake.last.header("authorization") == "Bearer sk-cheap"
    resp = post(keyed_gw, "openai/o1-pro", body(), headers={"x-bf-api-key": "main"})
    assert resp.status_code == 200, resp.text
    assert (openai_fake.last.json["model"], openai_fake.last.header("authorization")) == ("o1-pro", "Bearer sk-main")


# ---- item 7: a refused connection fails at once ---------------------------------------------------------------
def test_refused_connection_fails_fast_and_falls_back_at_once(gateway, openai_fake, anthropic_fake):
    cfg = default_config(openai_fake, anthropic_fake)
    # Nobody listens on this port; a long timeout and retries, so waiting for a connect timeout would show.
    cfg["providers"]["dead"] = provider(f"http://127.0.0.1:{free_port()}/v1", [{"value": "sk-dead"}], type="openai",
                                        timeout_seconds=60, max_retries=2, retry_backoff_ms=10)
    gw = gateway(cfg)

    started = time.monotonic()
    resp = post(gw, "dead/gpt-4o-mini", body())
    elapsed = time.monotonic() - started
    assert resp.status_code == 503, resp.text
    message = resp.json()["message"]
    assert message == "could not reach provider 'dead': it refused the connection"
    # Retrying until the 10 s connect timeout took over 30 s for the three attempts.
    assert elapsed < 8, elapsed

    started = time.monotonic()
    resp = post(gw, "dead/gpt-4o-mini", body(fallbacks=["openai/gpt-4o-mini"]))
    elapsed = time.monotonic() - started
    assert resp.status_code == 200, resp.text
    assert resp.json()["output"]["message"]["content"] == [{"text": "Hello from fake OpenAI."}]
    assert elapsed < 8, elapsed


# ---- item 8: Retry-After ----------------------------------------------------------------------------------------
@pytest.fixture
def retrying_gw(gateway, openai_fake, anthropic_fake):
    return gateway(default_config(openai_fake, anthropic_fake, max_retries=2, retry_backoff_ms=10, timeout_seconds=5))


def throttled(headers: dict) -> Reply:
    reply = openai_error(429, "Rate limit reached")
    reply.headers = {k: v for k, v in reply.headers.items() if k != "retry-after"} | headers
    return reply


def test_retry_after_within_the_budget_is_waited_for(retrying_gw, openai_fake):
    openai_fake.enqueue(throttled({"retry-after": "1"}))
    started = time.monotonic()
    resp = retrying_gw.client().converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    elapsed = time.monotonic() - started
    assert resp["output"]["message"]["content"] == [{"text": "Hello from fake OpenAI."}]
    assert len(openai_fake.requests) == 2
    # A lower bound only: the retry may not come before the upstream allowed it (the backoff alone is 10 ms).
    assert elapsed >= 1.0, elapsed


@pytest.mark.parametrize("headers,expected", [
    ({"retry-after": "30"}, 30),
    ({"retry-after-ms": "20000", "retry-after": "20"}, 20),
    ({"retry-after-ms": "12500"}, 13),
])
def test_retry_after_beyond_the_budget_fails_at_once_and_is_passed_on(retrying_gw, openai_fake, headers, expected):
    openai_fake.enqueue(*[throttled(headers)] * 3)
    with raises_client_error("ThrottlingException", 429) as raised:
        retrying_gw.client().converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert raised.value.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == str(expected)
    assert len(openai_fake.requests) == 1  # no retry that the upstream said would fail


def test_retry_after_as_an_http_date(retrying_gw, openai_fake):
    openai_fake.enqueue(*[throttled({"retry-after": formatdate(time.time() + 60, usegmt=True)})] * 3)
    resp = post(retrying_gw, "openai/gpt-4o-mini", body())
    assert resp.status_code == 429, resp.text
    assert 55 <= int(resp.headers["Retry-After"]) <= 61
    assert len(openai_fake.requests) == 1


def test_retry_after_on_the_stream_route(retrying_gw, openai_fake):
    openai_fake.enqueue(*[throttled({"retry-after": "30"})] * 3)
    resp = post(retrying_gw, "openai/gpt-4o-mini", body(), "converse-stream")
    assert resp.status_code == 429, resp.text
    assert resp.headers["Retry-After"] == "30"
    assert len(openai_fake.requests) == 1


# ---- item 12: unusable answers are reported plainly and not fetched again ---------------------------------------
def test_invalid_json_is_a_model_error_and_not_retried(retrying_gw, openai_fake):
    openai_fake.enqueue(Reply(200, b"<html>upstream proxy error</html>", {"Content-Type": "application/json"}))
    with raises_client_error("ModelErrorException", 424) as raised:
        retrying_gw.client().converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    message = raised.value.response["Error"]["Message"]
    assert message == "provider 'openai' sent an answer that is not valid JSON"
    assert len(openai_fake.requests) == 1


def test_answer_of_the_wrong_shape_names_what_is_missing(retrying_gw, openai_fake):
    openai_fake.enqueue(Reply(200, {"id": "chatcmpl-x", "object": "chat.completion"}))
    resp = post(retrying_gw, "openai/gpt-4o-mini", body())
    assert resp.status_code == 424, resp.text
    message = resp.json()["message"]
    assert message.startswith("provider 'openai' sent an answer without `"), message
    assert_plain(message)
    assert len(openai_fake.requests) == 1


def test_oversized_answer_is_refused_once(retrying_gw, openai_fake):
    filler = "x" * ((64 << 20) + 1024)
    big = json.dumps(openai_completion(filler)).encode()
    openai_fake.enqueue(Reply(200, big, {"Content-Type": "application/json"}))
    resp = post(retrying_gw, "openai/gpt-4o-mini", body())
    assert resp.status_code == 424, resp.text[:300]
    assert resp.json()["message"] == "provider 'openai' sent an answer larger than 64 MiB"
    assert len(openai_fake.requests) == 1  # the default answer would have come on a retry


def test_closed_connection_is_said_plainly(gateway, openai_fake, anthropic_fake):
    gw = gateway(default_config(openai_fake, anthropic_fake))
    openai_fake.enqueue(Hangup())
    resp = post(gw, "openai/gpt-4o-mini", body())
    assert resp.status_code == 503, resp.text
    assert resp.json()["message"] == "provider 'openai' closed the connection before answering"


@pytest.mark.parametrize("field,value", [("stream", True), ("stream_options", {"include_usage": True}),
                                         ("messages", []), ("model", "gpt-4o"), ("n", 3)])
def test_gateway_fields_cannot_be_overridden(client, openai_fake, field, value):
    with raises_client_error("ValidationException", 400) as raised:
        client.converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")],
                        additionalModelRequestFields={field: value})
    assert f"'{field}'" in raised.value.response["Error"]["Message"]
    assert openai_fake.requests == []


def test_other_additional_fields_still_reach_openai(client, openai_fake):
    client.converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")],
                    additionalModelRequestFields={"seed": 7, "n": 1})
    assert openai_fake.last.json["seed"] == 7
    assert "stream" not in openai_fake.last.json
