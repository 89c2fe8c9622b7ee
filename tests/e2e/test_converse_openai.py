"""Converse (non-streaming) through an OpenAI Chat Completions upstream."""
import json

import pytest

from fakes.base import Reply
from fakes.openai_fake import openai_completion, tool_call
from helpers import PDF, PNG, B64, WEATHER_TOOL, assert_metrics, assert_usage, assistant, text_of, user

MODEL = "openai/gpt-4o-mini"


def test_text_with_system_and_inference_config(client, openai_fake):
    openai_fake.enqueue(Reply(200, openai_completion("Hi there!", prompt_tokens=12, completion_tokens=3)))
    resp = client.converse(
        modelId=MODEL,
        system=[{"text": "Be brief."}, {"text": "Answer in English."}],
        messages=[user("Hello")],
        inferenceConfig={"maxTokens": 100, "temperature": 0.5, "topP": 0.9, "stopSequences": ["END"]},
    )
    assert resp["output"]["message"] == {"role": "assistant", "content": [{"text": "Hi there!"}]}
    assert resp["stopReason"] == "end_turn"
    assert_usage(resp["usage"], input=12, output=3)
    assert_metrics(resp["metrics"])

    req = openai_fake.last
    assert (req.method, req.path) == ("POST", "/v1/chat/completions")
    assert req.header("authorization") == "Bearer sk-test-one"
    body = req.json
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == [{"role": "system", "content": "Be brief.\nAnswer in English."},
                                {"role": "user", "content": "Hello"}]
    assert body["max_tokens"] == 100
    assert body["temperature"] == pytest.approx(0.5)
    assert body["top_p"] == pytest.approx(0.9)
    assert body["stop"] == ["END"]
    assert not body.get("stream")
    assert "tools" not in body


def test_multi_turn_with_tool_use_and_tool_results(client, openai_fake):
    openai_fake.enqueue(Reply(200, openai_completion(
        None, tool_calls=[tool_call("call_2", "get_weather", {"city": "Paris", "day": "tomorrow"})],
        prompt_tokens=80, completion_tokens=20)))
    resp = client.converse(
        modelId=MODEL,
        messages=[
            user("Weather in Paris?"),
            assistant("Let me check.", {"toolUse": {"toolUseId": "call_1", "name": "get_weather",
                                                    "input": {"city": "Paris"}}}),
            user({"toolResult": {"toolUseId": "call_1", "content": [{"json": {"temp": 21, "sky": "clear"}},
                                                                    {"text": "sunny"}]}},
                 "And tomorrow?"),
        ],
        toolConfig={"tools": [WEATHER_TOOL], "toolChoice": {"auto": {}}},
    )
    assert resp["stopReason"] == "tool_use"
    assert resp["output"]["message"]["content"] == [
        {"toolUse": {"toolUseId": "call_2", "name": "get_weather", "input": {"city": "Paris", "day": "tomorrow"}}}]
    assert_usage(resp["usage"], input=80, output=20)

    body = openai_fake.last.json
    msgs = body["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "tool", "user"], msgs
    assert text_of(msgs[0]["content"]) == "Weather in Paris?"
    a = msgs[1]
    assert a["content"] == "Let me check."
    assert len(a["tool_calls"]) == 1
    tc = a["tool_calls"][0]
    assert (tc["id"], tc["type"], tc["function"]["name"]) == ("call_1", "function", "get_weather")
    assert isinstance(tc["function"]["arguments"], str)
    assert json.loads(tc["function"]["arguments"]) == {"city": "Paris"}
    tool_msg = msgs[2]
    assert tool_msg["tool_call_id"] == "call_1"
    json_part, text_part = tool_msg["content"].split("\n")
    assert json.loads(json_part) == {"temp": 21, "sky": "clear"}
    assert text_part == "sunny"
    assert text_of(msgs[3]["content"]) == "And tomorrow?"
    assert body["tools"] == [{"type": "function", "function": {
        "name": "get_weather", "description": "Current weather for a city",
        "parameters": WEATHER_TOOL["toolSpec"]["inputSchema"]["json"]}}]
    assert body["tool_choice"] == "auto"


@pytest.mark.parametrize("choice,expected", [
    ({"any": {}}, "required"),
    ({"tool": {"name": "get_weather"}}, {"type": "function", "function": {"name": "get_weather"}}),
])
def test_tool_choice_and_error_tool_result(client, openai_fake, choice, expected):
    openai_fake.enqueue(Reply(200, openai_completion("Sorry, I could not find that city.")))
    resp = client.converse(
        modelId=MODEL,
        messages=[
            user("Weather in Atlantis?"),
            assistant({"toolUse": {"toolUseId": "call_9", "name": "get_weather", "input": {"city": "Atlantis"}}}),
            user({"toolResult": {"toolUseId": "call_9", "status": "error",
                                 "content": [{"text": "city not found"}]}}),
        ],
        toolConfig={"tools": [WEATHER_TOOL], "toolChoice": choice},
    )
    assert resp["output"]["message"]["content"] == [{"text": "Sorry, I could not find that city."}]
    assert resp["stopReason"] == "end_turn"

    body = openai_fake.last.json
    assert body["tool_choice"] == expected
    msgs = body["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "tool"], msgs
    assert not msgs[1].get("content")  # only a tool call in that turn
    assert json.loads(msgs[1]["tool_calls"][0]["function"]["arguments"]) == {"city": "Atlantis"}
    assert msgs[2] == {"role": "tool", "tool_call_id": "call_9", "content": "Error: city not found"}


def test_image_and_documents(client, openai_fake):
    openai_fake.enqueue(Reply(200, openai_completion("A tiny image, a report and some notes.")))
    resp = client.converse(modelId=MODEL, messages=[user(
        "Describe these.",
        {"image": {"format": "png", "source": {"bytes": PNG}}},
        {"document": {"format": "pdf", "name": "report", "source": {"bytes": PDF}}},
        {"document": {"format": "txt", "name": "notes", "source": {"bytes": b"remember the milk"}}},
    )])
    assert resp["output"]["message"]["content"] == [{"text": "A tiny image, a report and some notes."}]

    parts = openai_fake.last.json["messages"][0]["content"]
    assert isinstance(parts, list) and len(parts) == 4, parts
    assert parts[0] == {"type": "text", "text": "Describe these."}
    assert parts[1]["type"] == "image_url"
    assert parts[1]["image_url"]["url"] == "data:image/png;base64," + B64(PNG)
    assert parts[2] == {"type": "file", "file": {"filename": "report",
                                                 "file_data": "data:application/pdf;base64," + B64(PDF)}}
    assert parts[3]["type"] == "text" and "remember the milk" in parts[3]["text"]


def test_reasoning_content_and_cached_usage(client, openai_fake):
    openai_fake.enqueue(Reply(200, openai_completion("The answer is 4.", reasoning="2+2 is 4.", prompt_tokens=100,
                                                     completion_tokens=20, cached_tokens=40)))
    resp = client.converse(modelId=MODEL, messages=[user("What is 2+2?")])
    assert resp["output"]["message"]["content"] == [
        {"reasoningContent": {"reasoningText": {"text": "2+2 is 4."}}},
        {"text": "The answer is 4."},
    ]
    assert_usage(resp["usage"], input=60, output=20, cache_read=40)
    assert openai_fake.last.json["messages"] == [{"role": "user", "content": "What is 2+2?"}]


@pytest.mark.parametrize("finish,expected", [
    ("stop", "end_turn"), ("length", "max_tokens"), ("content_filter", "content_filtered"), ("tool_calls", "tool_use"),
])
def test_finish_reason_mapping(client, openai_fake, finish, expected):
    calls = [tool_call("call_1", "get_weather", {"city": "Oslo"})] if finish == "tool_calls" else None
    openai_fake.enqueue(Reply(200, openai_completion(None if calls else "partial", tool_calls=calls,
                                                     finish_reason=finish)))
    extra = {"toolConfig": {"tools": [WEATHER_TOOL]}} if calls else {}
    resp = client.converse(modelId=MODEL, messages=[user("Hi")], **extra)
    assert resp["stopReason"] == expected
    if calls:
        assert resp["output"]["message"]["content"][0]["toolUse"]["input"] == {"city": "Oslo"}
    else:
        assert resp["output"]["message"]["content"] == [{"text": "partial"}]
    assert openai_fake.last.json["model"] == "gpt-4o-mini"


def test_additional_model_request_fields_are_merged(client, openai_fake):
    openai_fake.enqueue(Reply(200, openai_completion('{"ok": true}')))
    resp = client.converse(modelId=MODEL, messages=[user("JSON please")], additionalModelRequestFields={
        "seed": 7, "response_format": {"type": "json_object"}, "reasoning_effort": "low",
        "thinking": {"type": "enabled", "budget_tokens": 1024}, "anthropic_beta": ["x-beta"],
        "anthropic_version": "bedrock-2023-05-31"})
    assert resp["output"]["message"]["content"] == [{"text": '{"ok": true}'}]
    body = openai_fake.last.json
    assert body["seed"] == 7
    assert body["response_format"] == {"type": "json_object"}
    assert body["reasoning_effort"] == "low"
    for dropped in ("thinking", "anthropic_beta", "anthropic_version"):
        assert dropped not in body, body
