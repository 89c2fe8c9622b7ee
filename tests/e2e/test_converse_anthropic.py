"""Converse (non-streaming) through an Anthropic Messages upstream."""
import base64
import json

import pytest

from fakes.anthropic_fake import (anthropic_message, redacted_thinking_block, text_block, thinking_block,
                                  tool_use_block)
from fakes.base import Reply
from helpers import PDF, PNG, B64, WEATHER_TOOL, assert_metrics, assert_usage, assistant, text_of, user

MODEL = "anthropic/claude-sonnet-4-5"
EPHEMERAL = {"type": "ephemeral"}


def content_blocks(msg: dict) -> list[dict]:
    """Anthropic message content as a block list (a plain string is one text block)."""
    c = msg["content"]
    return [{"type": "text", "text": c}] if isinstance(c, str) else c


def test_text_with_system_and_inference_config(client, anthropic_fake):
    anthropic_fake.enqueue(Reply(200, anthropic_message("Hi!", input_tokens=10, output_tokens=4)))
    resp = client.converse(
        modelId=MODEL,
        system=[{"text": "Be brief."}],
        messages=[user("Hello")],
        inferenceConfig={"maxTokens": 200, "temperature": 0.3, "topP": 0.8, "stopSequences": ["STOP"]},
        additionalModelRequestFields={"top_k": 5},
    )
    assert resp["output"]["message"] == {"role": "assistant", "content": [{"text": "Hi!"}]}
    assert resp["stopReason"] == "end_turn"
    assert_usage(resp["usage"], input=10, output=4)
    assert_metrics(resp["metrics"])

    req = anthropic_fake.last
    assert (req.method, req.path) == ("POST", "/v1/messages")
    assert req.header("x-api-key") == "sk-ant-test"
    assert req.header("anthropic-version") == "2023-06-01"
    assert req.header("anthropic-beta") is None
    body = req.json
    assert body["model"] == "claude-sonnet-4-5"
    assert body["system"] == [{"type": "text", "text": "Be brief."}]
    assert len(body["messages"]) == 1 and body["messages"][0]["role"] == "user"
    assert text_of(body["messages"][0]["content"]) == "Hello"
    assert body["max_tokens"] == 200
    assert body["temperature"] == pytest.approx(0.3)
    assert body["top_p"] == pytest.approx(0.8)
    assert body["stop_sequences"] == ["STOP"]
    assert body["top_k"] == 5
    assert not body.get("stream")


def test_default_max_tokens(client, anthropic_fake):
    resp = client.converse(modelId=MODEL, messages=[user("Hello")])
    assert resp["output"]["message"]["content"] == [{"text": "Hello from fake Anthropic."}]
    body = anthropic_fake.last.json
    assert body["max_tokens"] == 4096
    assert "system" not in body or body["system"] in ([], None)


def test_thinking_signature_redacted_and_beta_header(client, anthropic_fake):
    redacted = B64(b"opaque-redacted-thinking")
    anthropic_fake.enqueue(Reply(200, anthropic_message(
        [thinking_block("Let me think about it.", "sig-abc123"), redacted_thinking_block(redacted),
         text_block("42")], input_tokens=30, output_tokens=50)))
    resp = client.converse(modelId=MODEL, messages=[user("Meaning of life?")], additionalModelRequestFields={
        "thinking": {"type": "enabled", "budget_tokens": 2048},
        "anthropic_beta": ["interleaved-thinking-2025-05-14", "context-1m-2025-08-07"]})
    content = resp["output"]["message"]["content"]
    assert len(content) == 3, content
    assert content[0] == {"reasoningContent": {"reasoningText": {"text": "Let me think about it.",
                                                                 "signature": "sig-abc123"}}}
    # Anthropic's `data` is an opaque string; accept either raw-string bytes or its base64 decoding.
    assert content[1]["reasoningContent"]["redactedContent"] in (redacted.encode(), base64.b64decode(redacted))
    assert content[2] == {"text": "42"}
    assert_usage(resp["usage"], input=30, output=50)

    req = anthropic_fake.last
    body = req.json
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert body["max_tokens"] == 2048 + 4096
    assert "anthropic_beta" not in body and "anthropic_version" not in body
    beta = [b.strip() for b in (req.header("anthropic-beta") or "").split(",")]
    assert beta == ["interleaved-thinking-2025-05-14", "context-1m-2025-08-07"]


def test_multi_turn_with_thinking_history_tools_and_results(client, anthropic_fake):
    anthropic_fake.enqueue(Reply(200, anthropic_message(
        [text_block("Checking Rome too."), tool_use_block("toolu_3", "get_weather", {"city": "Rome"})],
        input_tokens=200, output_tokens=40)))
    resp = client.converse(
        modelId=MODEL,
        messages=[
            user("Weather in Paris and Berlin?"),
            assistant({"reasoningContent": {"reasoningText": {"text": "Two cities.", "signature": "sig-1"}}},
                      "Checking.",
                      {"toolUse": {"toolUseId": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}},
                      {"toolUse": {"toolUseId": "toolu_2", "name": "get_weather", "input": {"city": "Berlin"}}}),
            user({"toolResult": {"toolUseId": "toolu_1", "content": [{"json": {"temp": 21}}, {"text": "sunny"}]}},
                 {"toolResult": {"toolUseId": "toolu_2", "status": "error", "content": [{"text": "API down"}]}},
                 "Also Rome?"),
        ],
        toolConfig={"tools": [WEATHER_TOOL], "toolChoice": {"any": {}}},
        inferenceConfig={"maxTokens": 1000},
    )
    assert resp["stopReason"] == "tool_use"
    assert resp["output"]["message"]["content"] == [
        {"text": "Checking Rome too."},
        {"toolUse": {"toolUseId": "toolu_3", "name": "get_weather", "input": {"city": "Rome"}}},
    ]

    body = anthropic_fake.last.json
    msgs = body["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
    assert content_blocks(msgs[1]) == [
        {"type": "thinking", "thinking": "Two cities.", "signature": "sig-1"},
        {"type": "text", "text": "Checking."},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Berlin"}},
    ]
    r1, r2, tail = content_blocks(msgs[2])
    assert r1["type"] == "tool_result" and r1["tool_use_id"] == "toolu_1"
    assert not r1.get("is_error")
    assert [p["type"] for p in r1["content"]] == ["text", "text"]
    assert json.loads(r1["content"][0]["text"]) == {"temp": 21}
    assert r1["content"][1]["text"] == "sunny"
    assert r2["type"] == "tool_result" and r2["tool_use_id"] == "toolu_2"
    assert r2["is_error"] is True
    assert r2["content"] == [{"type": "text", "text": "API down"}]
    assert tail == {"type": "text", "text": "Also Rome?"}
    assert body["tools"] == [{"name": "get_weather", "description": "Current weather for a city",
                              "input_schema": WEATHER_TOOL["toolSpec"]["inputSchema"]["json"]}]
    assert body["tool_choice"] == {"type": "any"}
    assert body["max_tokens"] == 1000


@pytest.mark.parametrize("choice,expected", [
    ({"auto": {}}, {"type": "auto"}),
    ({"tool": {"name": "get_weather"}}, {"type": "tool", "name": "get_weather"}),
])
def test_tool_choice(client, anthropic_fake, choice, expected):
    anthropic_fake.enqueue(Reply(200, anthropic_message([tool_use_block("toolu_1", "get_weather", {"city": "Oslo"})])))
    resp = client.converse(modelId=MODEL, messages=[user("Weather in Oslo?")],
                           toolConfig={"tools": [WEATHER_TOOL], "toolChoice": choice})
    assert resp["output"]["message"]["content"] == [
        {"toolUse": {"toolUseId": "toolu_1", "name": "get_weather", "input": {"city": "Oslo"}}}]
    assert resp["stopReason"] == "tool_use"
    assert anthropic_fake.last.json["tool_choice"] == expected


def test_cache_points_and_cache_usage(client, anthropic_fake):
    anthropic_fake.enqueue(Reply(200, anthropic_message("Cached answer.", input_tokens=5, output_tokens=7,
                                                        cache_read=200, cache_creation=1000)))
    second_tool = {"toolSpec": {"name": "get_time", "description": "Current time",
                                "inputSchema": {"json": {"type": "object", "properties": {}}}}}
    resp = client.converse(
        modelId=MODEL,
        system=[{"text": "A long, stable system prompt."}, {"cachePoint": {"type": "default"}}],
        messages=[user("A long document ...", {"cachePoint": {"type": "default"}}, "The question.")],
        toolConfig={"tools": [WEATHER_TOOL, second_tool, {"cachePoint": {"type": "default"}}]},
    )
    assert resp["output"]["message"]["content"] == [{"text": "Cached answer."}]
    assert_usage(resp["usage"], input=5, output=7, cache_read=200, cache_write=1000)

    body = anthropic_fake.last.json
    assert body["system"] == [{"type": "text", "text": "A long, stable system prompt.", "cache_control": EPHEMERAL}]
    parts = content_blocks(body["messages"][0])
    assert parts == [{"type": "text", "text": "A long document ...", "cache_control": EPHEMERAL},
                     {"type": "text", "text": "The question."}]
    assert [t["name"] for t in body["tools"]] == ["get_weather", "get_time"]
    assert "cache_control" not in body["tools"][0]
    assert body["tools"][1]["cache_control"] == EPHEMERAL


def test_image_and_documents(client, anthropic_fake):
    anthropic_fake.enqueue(Reply(200, anthropic_message("Seen them all.")))
    resp = client.converse(modelId=MODEL, messages=[user(
        "Describe these.",
        {"image": {"format": "png", "source": {"bytes": PNG}}},
        {"document": {"format": "pdf", "name": "report", "source": {"bytes": PDF}}},
        {"document": {"format": "txt", "name": "notes", "source": {"bytes": b"remember the milk"}}},
    )])
    assert resp["output"]["message"]["content"] == [{"text": "Seen them all."}]

    parts = content_blocks(anthropic_fake.last.json["messages"][0])
    assert parts == [
        {"type": "text", "text": "Describe these."},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": B64(PNG)}},
        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": B64(PDF)},
         "title": "report"},
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "remember the milk"},
         "title": "notes"},
    ]


@pytest.mark.parametrize("upstream,expected", [
    ("end_turn", "end_turn"), ("max_tokens", "max_tokens"), ("stop_sequence", "stop_sequence"),
    ("refusal", "content_filtered"),
])
def test_stop_reason_mapping(client, anthropic_fake, upstream, expected):
    anthropic_fake.enqueue(Reply(200, anthropic_message(
        "partial", stop_reason=upstream, stop_sequence="STOP" if upstream == "stop_sequence" else None)))
    resp = client.converse(modelId=MODEL, messages=[user("Hi")], inferenceConfig={"stopSequences": ["STOP"]})
    assert resp["stopReason"] == expected
    assert resp["output"]["message"]["content"] == [{"text": "partial"}]
    assert anthropic_fake.last.json["stop_sequences"] == ["STOP"]
