"""ConverseStream through an Anthropic Messages upstream (named SSE events in, AWS event stream out)."""
import json
import threading

import pytest

from fakes.anthropic_fake import anthropic_error, anthropic_stream, anthropic_stream_error_event, \
    anthropic_stream_events_for
from fakes.base import Stream
from helpers import (drop_after_seen, WEATHER_TOOL, assert_usage, blocks_of, check_stream, collect, collect_until_error, event_name,
                     raises_client_error, read_until, stop_reason, text_deltas, usage_of, user)

MODEL = "anthropic/claude-sonnet-4-5"


def assert_stream_request(req):
    assert (req.method, req.path) == ("POST", "/v1/messages")
    assert req.header("x-api-key") == "sk-ant-test"
    assert req.header("anthropic-version") == "2023-06-01"
    assert req.json["model"] == "claude-sonnet-4-5"
    assert req.json["stream"] is True


def test_text_stream_with_pings_and_cache_usage(client, anthropic_fake):
    anthropic_fake.enqueue(anthropic_stream(["Hello", " there", "!"], input_tokens=25, output_tokens=15,
                                            cache_read=10, cache_creation=3))
    resp = client.converse_stream(modelId=MODEL, system=[{"text": "Be brief."}], messages=[user("Hi")],
                                  inferenceConfig={"maxTokens": 64})
    events = collect(resp["stream"])
    check_stream(events)
    assert blocks_of(events) == [{"text": "Hello there!"}]
    assert stop_reason(events) == "end_turn"
    assert_usage(usage_of(events), input=25, output=15, cache_read=10, cache_write=3)

    req = anthropic_fake.last
    assert_stream_request(req)
    assert req.json["system"] == [{"type": "text", "text": "Be brief."}]
    assert req.json["max_tokens"] == 64


def test_thinking_text_and_tool_use_stream(client, anthropic_fake):
    anthropic_fake.enqueue(anthropic_stream(
        "I'll look it up.", thinking=["The user", " wants weather."], signature="sig-stream-1",
        tool_use=[("toolu_1", "get_weather", ['{"city":', ' "Paris"}'])], input_tokens=40, output_tokens=60))
    resp = client.converse_stream(
        modelId=MODEL, messages=[user("Weather in Paris?")],
        toolConfig={"tools": [WEATHER_TOOL], "toolChoice": {"auto": {}}},
        additionalModelRequestFields={"thinking": {"type": "enabled", "budget_tokens": 1024}})
    events = collect(resp["stream"])
    check_stream(events)
    reasoning, text, tool = blocks_of(events)
    assert reasoning == {"reasoning": {"text": "The user wants weather.", "signature": "sig-stream-1"}}
    assert text == {"text": "I'll look it up."}
    assert (tool["toolUse"]["toolUseId"], tool["toolUse"]["name"]) == ("toolu_1", "get_weather")
    assert json.loads(tool["toolUse"]["input"]) == {"city": "Paris"}
    starts = [e["contentBlockStart"] for e in events if "contentBlockStart" in e]
    assert any(s["start"].get("toolUse", {}).get("toolUseId") == "toolu_1" for s in starts), starts
    assert stop_reason(events) == "tool_use"
    assert_usage(usage_of(events), input=40, output=60)

    req = anthropic_fake.last
    assert_stream_request(req)
    assert req.json["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert req.json["max_tokens"] == 1024 + 4096
    assert req.json["tool_choice"] == {"type": "auto"}


def test_stream_is_forwarded_incrementally(client, anthropic_fake):
    gate = threading.Event()
    frames = anthropic_stream_events_for(["first half", " second half"], ping=False)
    # frames: message_start, block_start, delta "first half", delta " second half", ...: hold back from the 2nd delta.
    anthropic_fake.enqueue(Stream(frames, gate=gate, gate_before=3))
    resp = client.converse_stream(modelId=MODEL, messages=[user("Go")])
    it = iter(resp["stream"])
    seen: list[dict] = []
    first = read_until(it, "contentBlockDelta", seen)
    assert first["contentBlockDelta"]["delta"] == {"text": "first half"}
    assert not gate.is_set()
    gate.set()
    events = collect(it, seen)
    check_stream(events)
    assert blocks_of(events) == [{"text": "first half second half"}]
    assert_stream_request(anthropic_fake.last)


@pytest.mark.parametrize("error_type,code", [
    ("overloaded_error", "serviceUnavailableException"),
    ("rate_limit_error", "throttlingException"),
    ("api_error", "internalServerException"),
    ("invalid_request_error", "validationException"),
])
def test_error_event_mid_stream(client, anthropic_fake, error_type, code):
    frames = anthropic_stream_events_for(["partial", " rest"], ping=False)[:3]  # start, block start, 1st delta
    anthropic_fake.enqueue(Stream(frames + [anthropic_stream_error_event(error_type, "upstream trouble")]))
    resp = client.converse_stream(modelId=MODEL, messages=[user("Go")])
    seen, err = collect_until_error(resp["stream"])
    assert err.response["Error"]["Code"] == code, err.response
    assert event_name(seen[0]) == "messageStart"
    assert "".join(text_deltas(seen)) == "partial"
    assert not any("messageStop" in e for e in seen)
    assert len(anthropic_fake.requests) == 1
    assert_stream_request(anthropic_fake.last)


def test_dropped_upstream_connection(client, anthropic_fake):
    frames = anthropic_stream_events_for(["partial", " answer", " lost"], ping=False)
    # through the 2nd text delta, then the socket closes
    seen, err = drop_after_seen(anthropic_fake, frames, 4,
                                lambda: client.converse_stream(modelId=MODEL, messages=[user("Go")])["stream"],
                                "partial answer")
    assert err.response["Error"]["Code"] == "modelStreamErrorException", err.response
    assert "".join(text_deltas(seen)) == "partial answer"
    assert not any("messageStop" in e for e in seen)
    assert len(anthropic_fake.requests) == 1
    assert_stream_request(anthropic_fake.last)


@pytest.mark.parametrize("status,code", [(529, "ServiceUnavailableException"), (429, "ThrottlingException"),
                                         (400, "ValidationException")])
def test_http_error_before_stream_is_a_normal_error(client, anthropic_fake, status, code):
    anthropic_fake.enqueue(anthropic_error(status, "refused before streaming"))
    with raises_client_error(code):
        client.converse_stream(modelId=MODEL, messages=[user("Go")])
    assert len(anthropic_fake.requests) == 1
    assert_stream_request(anthropic_fake.last)
