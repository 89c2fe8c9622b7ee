"""ConverseStream through an OpenAI Chat Completions upstream (SSE in, AWS event stream out)."""
import json
import threading
import time


from fakes.base import Delay, Stream
from fakes.openai_fake import openai_error, openai_stream, openai_stream_error_event, openai_stream_events_for
from helpers import (drop_after_seen, STREAM_ERROR_CODES, WEATHER_TOOL, assert_usage, blocks_of, check_stream, collect,
                     collect_until_error, default_config, event_name, raises_client_error, read_until, stop_reason,
                     text_deltas, usage_of, user)

MODEL = "openai/gpt-4o-mini"


def assert_stream_request(req, model="gpt-4o-mini"):
    assert (req.method, req.path) == ("POST", "/v1/chat/completions")
    assert req.header("authorization") == "Bearer sk-test-one"
    assert req.json["model"] == model
    assert req.json["stream"] is True
    assert req.json["stream_options"] == {"include_usage": True}


def test_text_stream(client, openai_fake):
    openai_fake.enqueue(openai_stream(["Hel", "lo", " wor", "ld!"], prompt_tokens=20, completion_tokens=7,
                                      cached_tokens=5))
    resp = client.converse_stream(modelId=MODEL, system=[{"text": "Be brief."}], messages=[user("Say hello")],
                                  inferenceConfig={"maxTokens": 50})
    events = collect(resp["stream"])
    check_stream(events)
    assert blocks_of(events) == [{"text": "Hello world!"}]
    assert "".join(text_deltas(events)) == "Hello world!"
    assert stop_reason(events) == "end_turn"
    assert_usage(usage_of(events), input=15, output=7, cache_read=5)

    req = openai_fake.last
    assert_stream_request(req)
    assert req.json["messages"] == [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello"}]
    assert req.json["max_tokens"] == 50


def test_text_and_tool_calls_stream(client, openai_fake):
    openai_fake.enqueue(openai_stream(
        "Let me check both.",
        tool_calls=[("call_a", "get_weather", ['{"ci', 'ty": "Par', 'is"}']),
                    ("call_b", "get_weather", ['{"city":', ' "Rome", "day": "today"}'])],
        prompt_tokens=50, completion_tokens=30))
    resp = client.converse_stream(modelId=MODEL, messages=[user("Weather in Paris and Rome?")],
                                  toolConfig={"tools": [WEATHER_TOOL], "toolChoice": {"auto": {}}})
    events = collect(resp["stream"])
    check_stream(events)
    text, call_a, call_b = blocks_of(events)
    assert text == {"text": "Let me check both."}
    assert (call_a["toolUse"]["toolUseId"], call_a["toolUse"]["name"]) == ("call_a", "get_weather")
    assert json.loads(call_a["toolUse"]["input"]) == {"city": "Paris"}
    assert (call_b["toolUse"]["toolUseId"], call_b["toolUse"]["name"]) == ("call_b", "get_weather")
    assert json.loads(call_b["toolUse"]["input"]) == {"city": "Rome", "day": "today"}
    assert stop_reason(events) == "tool_use"
    assert_usage(usage_of(events), input=50, output=30)

    req = openai_fake.last
    assert_stream_request(req)
    assert req.json["tools"][0]["function"]["name"] == "get_weather"
    assert req.json["tool_choice"] == "auto"


def test_reasoning_stream(client, openai_fake):
    openai_fake.enqueue(openai_stream("It is 4.", reasoning=["Two plus", " two."]))
    resp = client.converse_stream(modelId=MODEL, messages=[user("2+2?")])
    events = collect(resp["stream"])
    check_stream(events)
    blocks = blocks_of(events)
    assert blocks[0] == {"reasoning": {"text": "Two plus two."}}
    assert blocks[1] == {"text": "It is 4."}
    assert_stream_request(openai_fake.last)


def test_stream_is_forwarded_incrementally(client, openai_fake):
    gate = threading.Event()
    frames = openai_stream_events_for(["first half", " second half"])
    # frames: [role chunk, "first half", " second half", finish, usage, DONE]: hold back from " second half" on.
    openai_fake.enqueue(Stream(frames, gate=gate, gate_before=2))
    resp = client.converse_stream(modelId=MODEL, messages=[user("Go")])
    it = iter(resp["stream"])
    seen: list[dict] = []
    first = read_until(it, "contentBlockDelta", seen)
    while first["contentBlockDelta"]["delta"] == {"text": ""}:  # tolerate a forwarded empty first chunk
        first = read_until(it, "contentBlockDelta", seen)
    assert first["contentBlockDelta"]["delta"] == {"text": "first half"}
    assert not gate.is_set()
    gate.set()
    events = collect(it, seen)
    check_stream(events)
    assert blocks_of(events) == [{"text": "first half second half"}]
    assert_stream_request(openai_fake.last)


def test_dropped_upstream_connection(client, openai_fake):
    frames = openai_stream_events_for(["partial", " answer", " never", " finished"])
    # role chunk + two text chunks, then the socket closes
    seen, err = drop_after_seen(openai_fake, frames, 3,
                                lambda: client.converse_stream(modelId=MODEL, messages=[user("Go")])["stream"],
                                "partial answer")
    assert err.response["Error"]["Code"] == "modelStreamErrorException", err.response
    assert event_name(seen[0]) == "messageStart"
    assert "".join(text_deltas(seen)) == "partial answer"
    assert not any("messageStop" in e for e in seen)
    assert len(openai_fake.requests) == 1  # nothing is retried once bytes were streamed
    assert_stream_request(openai_fake.last)


def test_error_chunk_mid_stream(client, openai_fake):
    frames = openai_stream_events_for(["partial"], include_usage=False)[:2]
    openai_fake.enqueue(Stream(frames + [openai_stream_error_event("The server had an error.", "server_error")]))
    resp = client.converse_stream(modelId=MODEL, messages=[user("Go")])
    seen, err = collect_until_error(resp["stream"])
    assert err.response["Error"]["Code"] in STREAM_ERROR_CODES, err.response
    assert "".join(text_deltas(seen)) == "partial"
    assert not any("messageStop" in e for e in seen)
    assert_stream_request(openai_fake.last)


def test_http_error_before_stream_is_a_normal_error(client, openai_fake):
    openai_fake.enqueue(openai_error(429, "Rate limit reached for requests"))
    with raises_client_error("ThrottlingException"):
        client.converse_stream(modelId=MODEL, messages=[user("Go")])
    assert len(openai_fake.requests) == 1
    assert_stream_request(openai_fake.last)


def test_stalled_stream_times_out(gateway, openai_fake, anthropic_fake):
    gw = gateway(default_config(openai_fake, anthropic_fake, stream_idle_timeout_seconds=1))
    never = threading.Event()  # released only at teardown
    openai_fake.enqueue(Stream(openai_stream_events_for(["stalls", " here"]), gate=never, gate_before=2))
    resp = gw.client().converse_stream(modelId=MODEL, messages=[user("Go")])
    seen, err = collect_until_error(resp["stream"])
    assert err.response["Error"]["Code"] == "modelStreamErrorException", err.response
    assert "".join(text_deltas(seen)) == "stalls"
    assert_stream_request(openai_fake.last)


def test_slow_response_head_is_a_model_timeout(gateway, openai_fake, anthropic_fake):
    gw = gateway(default_config(openai_fake, anthropic_fake, timeout_seconds=1))
    openai_fake.enqueue(Delay(openai_stream("too late"), seconds=4))
    with raises_client_error("ModelTimeoutException", 408):
        gw.client().converse_stream(modelId=MODEL, messages=[user("Go")])
    assert len(openai_fake.requests) == 1
    assert_stream_request(openai_fake.last)


def _plateau(stream, settle: float = 1.5, limit: float = 60.0) -> int:
    """The bytes the fake's socket has taken once they stop growing for `settle` seconds (or the limit passes)."""
    deadline = time.monotonic() + limit
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now = stream.written[0] if stream.written else 0
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= settle:
            break
        time.sleep(0.1)
    return last


def test_a_client_that_stops_reading_stops_the_upstream_read(client, openai_fake):
    """Backpressure end to end: while the caller reads nothing, the gateway stops reading the upstream, so the
    upstream's writes stall once the sockets' buffers are full instead of the gateway buffering the whole answer."""
    piece = "x" * 32_000
    count = 8_000  # 256 MB, more than every socket buffer on the way can hold (tcp_rmem's max is 32 MB here)
    stream = openai_stream([piece] * count, prompt_tokens=4, completion_tokens=count)
    total = sum(len(e) for e in stream.events)
    openai_fake.enqueue(stream)
    resp = client.converse_stream(modelId=MODEL, messages=[user("flood")])
    events = iter(resp["stream"])
    assert event_name(next(events)) == "messageStart"
    stalled = _plateau(stream)
    assert 0 < stalled < total // 2, f"the upstream wrote {stalled} of {total} bytes while the client read nothing"
    text = 0
    usage = None
    for ev in events:
        if "contentBlockDelta" in ev:
            text += len(ev["contentBlockDelta"]["delta"].get("text", ""))
        if "metadata" in ev:
            usage = ev["metadata"]["usage"]
    assert text == len(piece) * count
    assert usage["outputTokens"] == count
