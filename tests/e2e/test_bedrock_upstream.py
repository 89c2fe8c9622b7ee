"""Bedrock as the upstream: byte-for-byte passthrough, SigV4 signing (verified by the fake with botocore's signer),
Bedrock API keys, AWS errors kept as they are, and Bedrock-shaped model ids."""
import json

import pytest
from botocore.exceptions import EventStreamError

from fakes.bedrock_fake import (ACCESS_KEY, BEARER, SECRET_KEY, SESSION_TOKEN, aws_error,
                                converse_answer, converse_stream_frames, event, event_stream, exception)
from fakes.base import Reply
from helpers import blocks_of, check_stream, collect, provider, raises_client_error, user

CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0"


@pytest.fixture(autouse=True)
def _fresh_bedrock(bedrock_fake):
    bedrock_fake.reset()
    yield
    bedrock_fake.reset()


def bedrock_config(bedrock_fake, openai_fake, *, keys=None, aliases=None, **settings) -> dict:
    keys = keys or [{"name": "aws1", "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}]
    return {
        "providers": {
            "bedrock": provider(bedrock_fake.url, keys, region="eu-central-1", **settings),
            "openai": provider(openai_fake.url + "/v1", [{"value": "sk-test-one"}]),
        },
        "aliases": aliases or {},
    }


@pytest.fixture
def bedrock_gw(gateway, bedrock_fake, openai_fake):
    return gateway(bedrock_config(bedrock_fake, openai_fake))


def test_converse_passes_through_signed(bedrock_gw, bedrock_fake, openai_fake):
    bedrock_fake.enqueue(Reply(200, converse_answer("Bonjour", input_tokens=3, output_tokens=2),
                               {"x-amzn-RequestId": "req-123"}))
    messages = [user("Hello!")]
    resp = bedrock_gw.client().converse(modelId=CLAUDE, messages=messages, inferenceConfig={"maxTokens": 50},
                                        additionalModelRequestFields={"top_k": 3})
    assert resp["output"]["message"]["content"] == [{"text": "Bonjour"}]
    assert resp["usage"] == {"inputTokens": 3, "outputTokens": 2, "totalTokens": 5}
    assert resp["metrics"] == {"latencyMs": 111}  # Bedrock's own answer, untouched
    assert resp["ResponseMetadata"]["RequestId"] == "req-123"

    sent = bedrock_fake.last
    assert sent.path == "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"
    assert sent.json == {"messages": messages, "inferenceConfig": {"maxTokens": 50},
                         "additionalModelRequestFields": {"top_k": 3}}
    sig = bedrock_fake.signatures[-1]
    assert sig.ok, sig.reason
    assert (sig.access_key, sig.region, sig.service) == (ACCESS_KEY, "eu-central-1", "bedrock")
    assert "host" in sig.signed_headers and "x-amz-date" in sig.signed_headers
    assert "any" not in (sent.header("authorization") or "")  # the caller's dummy credentials never go up
    assert openai_fake.requests == []


@pytest.mark.parametrize("model_id,wire", [
    ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "us.anthropic.claude-3-7-sonnet-20250219-v1%3A0"),
    ("bedrock/mistral.mistral-large-2407-v1:0", "mistral.mistral-large-2407-v1%3A0"),
    ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0",
     "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-3-7-sonnet-20250219-v1%3A0"),
])
def test_bedrock_ids_profiles_and_arns_are_signed_exactly(bedrock_gw, bedrock_fake, model_id, wire):
    resp = bedrock_gw.client().converse(modelId=model_id, messages=[user("Hi")])
    assert resp["output"]["message"]["content"] == [{"text": "Hello from fake Bedrock."}]
    assert bedrock_fake.last.path == f"/model/{wire}/converse"
    assert bedrock_fake.signatures[-1].ok, bedrock_fake.signatures[-1].reason


def test_converse_stream_passes_frames_through(bedrock_gw, bedrock_fake):
    frames = converse_stream_frames(["Once", " upon", " a time."])
    frames.insert(2, event("someFutureEvent", {"x": 1}))
    bedrock_fake.enqueue(event_stream(frames))
    resp = bedrock_gw.client().converse_stream(modelId=CLAUDE, messages=[user("Story")])
    events = collect(resp["stream"])
    check_stream(events)
    assert blocks_of(events) == [{"text": "Once upon a time."}]
    assert events[-1]["metadata"]["usage"] == {"inputTokens": 12, "outputTokens": 7, "totalTokens": 19}
    assert events[0]["messageStart"] == {"role": "assistant"}
    assert bedrock_fake.last.path.endswith("/converse-stream")
    assert bedrock_fake.signatures[-1].ok


def test_stream_exception_from_bedrock_reaches_the_caller(bedrock_gw, bedrock_fake):
    frames = converse_stream_frames(["partial"])[:2] + [exception("throttlingException", "Too many tokens, slow down")]
    bedrock_fake.enqueue(event_stream(frames))
    resp = bedrock_gw.client().converse_stream(modelId=CLAUDE, messages=[user("Story")])
    with pytest.raises(EventStreamError) as raised:
        collect(resp["stream"])
    assert raised.value.response["Error"]["Code"] == "throttlingException"
    assert "slow down" in raised.value.response["Error"]["Message"]


@pytest.mark.parametrize("status,code,via", [
    (400, "ValidationException", "type"), (403, "AccessDeniedException", "header"),
    (404, "ResourceNotFoundException", "header"), (429, "ThrottlingException", "header"),
    (429, "ModelNotReadyException", "type"), (424, "ModelErrorException", "type"),
    (408, "ModelTimeoutException", "header"), (503, "ServiceUnavailableException", "header"),
])
def test_aws_errors_keep_their_code_and_status(bedrock_gw, bedrock_fake, status, code, via):
    bedrock_fake.enqueue(aws_error(status, code, f"upstream says {code}", via=via, originalStatusCode=500))
    with raises_client_error(code, status) as raised:
        bedrock_gw.client().converse(modelId=CLAUDE, messages=[user("Hi")])
    assert raised.value.response["Error"]["Message"] == f"upstream says {code}"
    assert len(bedrock_fake.requests) == 1


def test_retryable_aws_error_is_retried_then_succeeds(gateway, bedrock_fake, openai_fake):
    gw = gateway(bedrock_config(bedrock_fake, openai_fake, max_retries=2, retry_backoff_ms=10))
    bedrock_fake.enqueue(aws_error(503, "ServiceUnavailableException", "busy"), Reply(200, converse_answer("ok now")))
    resp = gw.client().converse(modelId=CLAUDE, messages=[user("Hi")])
    assert resp["output"]["message"]["content"] == [{"text": "ok now"}]
    assert len(bedrock_fake.requests) == 2 and all(s.ok for s in bedrock_fake.signatures)


def test_session_token_is_sent_and_signed(gateway, bedrock_fake, openai_fake):
    gw = gateway(bedrock_config(bedrock_fake, openai_fake, keys=[
        {"access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY, "session_token": SESSION_TOKEN}]))
    bedrock_fake.session_token = SESSION_TOKEN
    gw.client().converse(modelId=CLAUDE, messages=[user("Hi")])
    sig = bedrock_fake.signatures[-1]
    assert sig.ok, sig.reason
    assert "x-amz-security-token" in sig.signed_headers
    assert bedrock_fake.last.header("x-amz-security-token") == SESSION_TOKEN


def test_wrong_secret_is_refused_by_the_upstream(gateway, bedrock_fake, openai_fake):
    gw = gateway(bedrock_config(bedrock_fake, openai_fake, keys=[
        {"access_key_id": ACCESS_KEY, "secret_access_key": "not-the-secret"}]))
    with raises_client_error("InvalidSignatureException", 403) as raised:
        gw.client().converse(modelId=CLAUDE, messages=[user("Hi")])
    assert "not-the-secret" not in json.dumps(raised.value.response, default=str)
    assert not bedrock_fake.signatures[-1].ok


def test_environment_credentials_region_and_endpoint(gateway, bedrock_fake):
    gw = gateway(None, env={"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                            "AWS_REGION": "ap-southeast-2", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock_fake.url})
    resp = gw.client().converse(modelId=CLAUDE, messages=[user("Hi")])
    assert resp["stopReason"] == "end_turn"
    sig = bedrock_fake.signatures[-1]
    assert sig.ok and sig.region == "ap-southeast-2"


def test_bedrock_api_key_is_a_bearer_token(gateway, bedrock_fake):
    gw = gateway(None, env={"AWS_BEARER_TOKEN_BEDROCK": BEARER, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": bedrock_fake.url})
    gw.client().converse(modelId=CLAUDE, messages=[user("Hi")])
    assert bedrock_fake.last.header("authorization") == f"Bearer {BEARER}"
    assert bedrock_fake.last.header("x-amz-date") is None
    assert bedrock_fake.signatures[-1].ok


def test_alias_to_an_inference_profile_arn(gateway, bedrock_fake, openai_fake):
    arn = "arn:aws:bedrock:eu-central-1:123456789012:application-inference-profile/abc123"
    gw = gateway(bedrock_config(bedrock_fake, openai_fake, aliases={"team-claude": arn, "cheap": "openai/gpt-4o-mini"}))
    gw.client().converse(modelId="team-claude", messages=[user("Hi")])
    assert bedrock_fake.last.path == ("/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3A"
                                      "application-inference-profile%2Fabc123/converse")
    cheap = gw.client().converse(modelId="cheap", messages=[user("Hi")])
    assert cheap["output"]["message"]["content"] == [{"text": "Hello from fake OpenAI."}]
    assert openai_fake.last.json["model"] == "gpt-4o-mini"


def test_without_a_bedrock_provider_bedrock_ids_run_first_party(gw, anthropic_fake):
    """The seed documents' Bedrock ids on a first-party Anthropic key (built-in table)."""
    resp = gw.client().converse(modelId=CLAUDE, messages=[user("Hello!")])
    assert resp["stopReason"] == "end_turn"
    assert anthropic_fake.last.json["model"] == "claude-3-5-sonnet-20240620"
    resp = gw.client().converse(modelId="anthropic.claude-3-sonnet-20240229", messages=[user("Hello from Claude!")])
    assert anthropic_fake.last.json["model"] == "claude-3-sonnet-20240229"


def test_fallback_to_bedrock_goes_up_as_converse(bedrock_gw, bedrock_fake, openai_fake):
    """A request that arrived for another provider and falls back to Bedrock is re-encoded as Converse and signed."""
    import requests
    from fakes.openai_fake import openai_error
    openai_fake.enqueue(openai_error(500, "primary down"))
    body = {"messages": [user("Hi"), {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "f", "input": {"a": 1}}}]},
                         {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"json": {"ok": True}}], "status": "error"}}]}],
            "system": [{"text": "Be brief."}], "inferenceConfig": {"maxTokens": 20},
            "toolConfig": {"tools": [{"toolSpec": {"name": "f", "inputSchema": {"json": {"type": "object"}}}}], "toolChoice": {"any": {}}},
            "fallbacks": [f"bedrock/{CLAUDE}"]}
    r = requests.post(bedrock_gw.converse_url("openai/gpt-4o-mini"), json=body, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["output"]["message"]["content"] == [{"text": "Hello from fake Bedrock."}]
    assert len(openai_fake.requests) == 1
    sent = bedrock_fake.last
    assert sent.path == "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"
    assert bedrock_fake.signatures[-1].ok
    assert sent.json == {k: v for k, v in body.items() if k != "fallbacks"}


def test_fallback_stream_to_bedrock_is_decoded_and_reencoded(bedrock_gw, bedrock_fake, openai_fake):
    import requests
    from botocore.eventstream import EventStreamBuffer
    from fakes.openai_fake import openai_error
    openai_fake.enqueue(openai_error(503, "primary down"))
    bedrock_fake.enqueue(event_stream(converse_stream_frames(["Fall", "back"])))
    r = requests.post(bedrock_gw.converse_url("openai/gpt-4o-mini", op="converse-stream"),
                      json={"messages": [user("Hi")], "fallbacks": [f"bedrock/{CLAUDE}"]}, timeout=10)
    assert r.status_code == 200
    buf = EventStreamBuffer()
    buf.add_data(r.content)
    names = [(m.headers[":event-type"], json.loads(m.payload)) for m in buf]
    assert [n for n, _ in names] == ["messageStart", "contentBlockDelta", "contentBlockDelta", "contentBlockStop",
                                     "messageStop", "metadata"]
    assert "".join(p["delta"]["text"] for n, p in names if n == "contentBlockDelta") == "Fallback"
    assert names[-1][1]["usage"]["inputTokens"] == 12
    assert bedrock_fake.last.path.endswith("/converse-stream") and bedrock_fake.signatures[-1].ok


def test_invoke_passes_bytes_and_headers_through(bedrock_gw, bedrock_fake):
    from fakes.bedrock_fake import chunk  # noqa: F401 (kept next to its use below)
    answer = {"id": "msg_1", "type": "message", "role": "assistant", "content": [{"type": "text", "text": "hi"}],
              "stop_reason": "end_turn", "usage": {"input_tokens": 4, "output_tokens": 1}}
    bedrock_fake.enqueue(Reply(200, answer, {"X-Amzn-Bedrock-Input-Token-Count": "4",
                                             "X-Amzn-Bedrock-Output-Token-Count": "1",
                                             "X-Amzn-Bedrock-Invocation-Latency": "77"}))
    body = b'{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10,  "messages": [{"role": "user", "content": "Hi"}]}'
    resp = bedrock_gw.client().invoke_model(modelId=CLAUDE, body=body, contentType="application/json",
                                            accept="application/json", trace="ENABLED")
    assert json.loads(resp["body"].read()) == answer
    headers = resp["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amzn-bedrock-invocation-latency"] == "77"
    sent = bedrock_fake.last
    assert sent.path == "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke"
    assert sent.body == body  # byte for byte, odd spacing included
    assert sent.header("x-amzn-bedrock-trace") == "ENABLED" and sent.header("accept") == "application/json"
    assert bedrock_fake.signatures[-1].ok


def test_invoke_stream_passes_chunks_through(bedrock_gw, bedrock_fake):
    from fakes.bedrock_fake import chunk
    chunks = [{"type": "message_start", "message": {"role": "assistant"}},
              {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Haiku"}},
              {"type": "message_stop", "amazon-bedrock-invocationMetrics": {"inputTokenCount": 5, "outputTokenCount": 1,
                                                                           "invocationLatency": 9, "firstByteLatency": 3}}]
    bedrock_fake.enqueue(event_stream([chunk(c) for c in chunks], headers={"X-Amzn-Bedrock-Content-Type": "application/json"}))
    resp = bedrock_gw.client().invoke_model_with_response_stream(
        modelId=CLAUDE, body=json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 9,
                                         "messages": [{"role": "user", "content": "Haiku"}]}))
    got = [json.loads(e["chunk"]["bytes"]) for e in resp["body"]]
    assert got == chunks
    assert resp["contentType"] == "application/json"
    assert bedrock_fake.last.path.endswith("/invoke-with-response-stream") and bedrock_fake.signatures[-1].ok


def test_count_tokens_passes_through(bedrock_gw, bedrock_fake):
    bedrock_fake.enqueue(Reply(200, {"inputTokens": 42}))
    resp = bedrock_gw.client().count_tokens(modelId=CLAUDE, input={"converse": {"messages": [user("Count me")]}})
    assert resp["inputTokens"] == 42
    assert bedrock_fake.last.path == "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/count-tokens"
    assert bedrock_fake.last.json == {"input": {"converse": {"messages": [user("Count me")]}}}
    assert bedrock_fake.signatures[-1].ok
