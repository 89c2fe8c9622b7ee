"""CountTokens: Anthropic's own count (POST /v1/messages/count_tokens) when the model routes there, the gateway's
documented estimate (README, "InvokeModel") for providers without a counting API."""
from __future__ import annotations

import base64
import json
import math

import pytest
import requests

from fakes.anthropic_fake import anthropic_error, anthropic_token_count
from fakes.base import Reply
from helpers import PNG, WEATHER_TOOL, raises_client_error, user

CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
OPENAI = "openai/gpt-4o-mini"
CONVERSE = {
    "system": [{"text": "Be brief."}],
    "messages": [user("What is the weather in Paris?"),
                 {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "get_weather",
                                                                "input": {"city": "Paris"}}}]},
                 {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "sunny"}]}}]}],
    "toolConfig": {"tools": [WEATHER_TOOL]},
}
ANTHROPIC_BODY = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100, "system": "Be brief.",
                  "messages": [{"role": "user", "content": "Count me, please."}]}


@pytest.fixture
def rt(invoke_gw):
    return invoke_gw.client()


def compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def estimate(texts: list[str], json_docs: list, messages: int, tools: int = 0, images: int = 0) -> int:
    """The README's formula: ceil(UTF-8 bytes / 4) + 4 per message + 8 per tool + 1600 per image."""
    size = sum(len(t.encode()) for t in texts) + sum(len(compact(d).encode()) for d in json_docs)
    return math.ceil(size / 4) + 4 * messages + 8 * tools + 1600 * images


# ---- Anthropic counts -------------------------------------------------------------------------------------------
def test_converse_input_counted_by_anthropic(rt, anthropic_fake):
    anthropic_fake.enqueue(Reply(200, {"input_tokens": 42}))
    resp = rt.count_tokens(modelId=CLAUDE, input={"converse": CONVERSE})
    assert resp["inputTokens"] == 42

    req = anthropic_fake.last
    assert (req.method, req.path) == ("POST", "/v1/messages/count_tokens")
    assert req.header("x-api-key") == "sk-ant-test" and req.header("anthropic-version") == "2023-06-01"
    body = req.json
    assert set(body) == {"model", "messages", "system", "tools"}, body
    assert body["model"] == "claude-3-haiku-20240307"
    assert body["system"] == [{"type": "text", "text": "Be brief."}]
    assert body["tools"][0]["name"] == "get_weather"
    assert body["messages"][1]["content"] == [{"type": "tool_use", "id": "t1", "name": "get_weather",
                                               "input": {"city": "Paris"}}]
    assert body["messages"][2]["content"][0]["tool_use_id"] == "t1"


def test_invoke_model_input_counted_by_anthropic(rt, anthropic_fake):
    resp = rt.count_tokens(modelId=CLAUDE, input={"invokeModel": {"body": json.dumps(ANTHROPIC_BODY).encode()}})
    body = anthropic_fake.last.json
    assert resp["inputTokens"] == anthropic_token_count(body)
    assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "Count me, please."}]}]
    assert body["system"] == [{"type": "text", "text": "Be brief."}]
    assert "max_tokens" not in body and "anthropic_version" not in body


def test_thinking_is_sent_to_the_counter(rt, anthropic_fake):
    anthropic_fake.enqueue(Reply(200, {"input_tokens": 9}))
    converse = dict(CONVERSE, additionalModelRequestFields={"thinking": {"type": "enabled", "budget_tokens": 2048},
                                                             "top_k": 5})
    assert rt.count_tokens(modelId="anthropic/claude-sonnet-4-5", input={"converse": converse})["inputTokens"] == 9
    body = anthropic_fake.last.json
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert "top_k" not in body and body["model"] == "claude-sonnet-4-5"


@pytest.mark.parametrize("status,code", [(429, "ThrottlingException"), (400, "ValidationException"),
                                         (529, "ServiceUnavailableException")])
def test_anthropic_count_errors(rt, anthropic_fake, status, code):
    anthropic_fake.enqueue(anthropic_error(status, "count refused"))
    with raises_client_error(code) as raised:
        rt.count_tokens(modelId=CLAUDE, input={"converse": CONVERSE})
    assert "count refused" in raised.value.response["Error"]["Message"]
    assert len(anthropic_fake.requests) == 1


# ---- estimates for providers without a counting API ----------------------------------------------------------------
def test_converse_input_estimated_for_openai(rt, openai_fake):
    resp = rt.count_tokens(modelId=OPENAI, input={"converse": CONVERSE})
    spec = WEATHER_TOOL["toolSpec"]
    expected = estimate(["Be brief.", "What is the weather in Paris?", "get_weather", "sunny", spec["name"],
                         spec["description"]], [{"city": "Paris"}, spec["inputSchema"]["json"]], messages=3, tools=1)
    assert resp["inputTokens"] == expected
    assert openai_fake.requests == []


def test_image_is_estimated_at_a_fixed_cost(rt, openai_fake):
    converse = {"messages": [user("Describe", {"image": {"format": "png", "source": {"bytes": PNG}}})]}
    assert rt.count_tokens(modelId=OPENAI, input={"converse": converse})["inputTokens"] == estimate(
        ["Describe"], [], messages=1, images=1)
    assert openai_fake.requests == []


@pytest.mark.parametrize("model,body,texts,messages", [
    ("amazon.titan-text-express-v1", {"inputText": "Tell me a story about a brave knight."},
     ["Tell me a story about a brave knight."], 1),
    ("mistral.mistral-large-2407", {"prompt": "<s>[INST] Hi there [/INST]", "max_tokens": 5}, ["Hi there"], 1),
    ("us.amazon.nova-lite-v1:0", {"schemaVersion": "messages-v1", "system": [{"text": "Be brief."}],
                                  "messages": [{"role": "user", "content": [{"text": "Hello Nova"}]}]},
     ["Be brief.", "Hello Nova"], 1),
    ("cohere.embed-english-v3", {"texts": ["one two", "three"], "input_type": "search_query"}, ["one two", "three"], 1),
], ids=["titan", "mistral", "nova", "cohere-embed"])
def test_invoke_model_input_estimated(rt, openai_fake, model, body, texts, messages):
    resp = rt.count_tokens(modelId=model, input={"invokeModel": {"body": json.dumps(body).encode()}})
    assert resp["inputTokens"] == estimate(texts, [], messages=messages)
    assert openai_fake.requests == []


def test_raw_json_body_string_is_accepted(invoke_gw, openai_fake):
    # The service model makes `body` a blob (base64 on the wire); a client sending the JSON text itself is served too.
    payload = {"input": {"invokeModel": {"body": json.dumps({"inputText": "abcdefgh"})}}}
    r = requests.post(invoke_gw.converse_url("amazon.titan-text-express-v1", "count-tokens"), json=payload, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json() == {"inputTokens": estimate(["abcdefgh"], [], messages=1)}
    assert openai_fake.requests == []


# ---- errors -------------------------------------------------------------------------------------------------
def test_unknown_model(rt, openai_fake, anthropic_fake):
    with raises_client_error("ResourceNotFoundException", 404):
        rt.count_tokens(modelId="nosuch/model", input={"converse": CONVERSE})
    assert openai_fake.requests == [] and anthropic_fake.requests == []


@pytest.mark.parametrize("invoke_body,words", [
    (b'{"prompt": ', "input.invokeModel.body"),
    (b'{"foo": 1}', "supported InvokeModel body families"),
    (b"not json", "neither base64 nor a JSON object"),
])
def test_bad_invoke_model_body(rt, anthropic_fake, invoke_body, words):
    with raises_client_error("ValidationException", 400) as raised:
        rt.count_tokens(modelId=CLAUDE if invoke_body != b'{"foo": 1}' else OPENAI,
                        input={"invokeModel": {"body": invoke_body}})
    assert words in raised.value.response["Error"]["Message"]
    assert anthropic_fake.requests == []


def test_bad_converse_input_names_the_path(rt, anthropic_fake):
    with raises_client_error("ValidationException", 400) as raised:
        rt.count_tokens(modelId=CLAUDE, input={"converse": {"messages": [{"role": "robot", "content": [{"text": "x"}]}]}})
    assert "input.converse.messages[0].role" in raised.value.response["Error"]["Message"]
    assert anthropic_fake.requests == []


def test_raw_body_errors(invoke_gw, anthropic_fake):
    url = invoke_gw.converse_url(CLAUDE, "count-tokens")
    for payload in (b"", b"{}", b'{"input": {}}', b'{"input": {"converse": {"messages": []}, "invokeModel": {}}}'):
        r = requests.post(url, data=payload, headers={"Content-Type": "application/json"}, timeout=10)
        assert r.status_code == 400, (payload, r.text)
        assert r.headers["x-amzn-ErrorType"] == "ValidationException"
        assert r.json()["message"]
    assert anthropic_fake.requests == []


def test_base64_of_body_is_what_boto3_sends(invoke_gw, anthropic_fake):
    # Pinned so that a change in botocore's blob handling would show here, not as a miscount.
    anthropic_fake.enqueue(Reply(200, {"input_tokens": 5}))
    encoded = base64.b64encode(json.dumps(ANTHROPIC_BODY).encode()).decode()
    r = requests.post(invoke_gw.converse_url(CLAUDE, "count-tokens"),
                      json={"input": {"invokeModel": {"body": encoded}}}, timeout=10)
    assert r.json() == {"inputTokens": 5}
    assert anthropic_fake.last.json["messages"][0]["content"][0]["text"] == "Count me, please."
