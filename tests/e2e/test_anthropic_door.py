"""The Anthropic door (/anthropic/v1/...) driven by the official `anthropic` SDK, unmodified except for its base URL,
answered by each of the four providers through its fake (which speaks that provider's real wire format): one suite,
parametrized over OpenAI, Anthropic (same dialect: the body passes through), Gemini and Bedrock (Converse)."""
from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any, Callable

import anthropic
import pytest

from conftest import start_gateway
from fakes.anthropic_fake import (anthropic_message, anthropic_stream, anthropic_token_count, text_block, thinking_block,
                                  tool_use_block)
from fakes.base import Recorded, Reply
from fakes.bedrock_fake import ACCESS_KEY, SECRET_KEY, converse_answer, converse_stream_frames, event_stream
from fakes.gemini_fake import function_call_part, gemini_response, gemini_stream, text_part, thought_part
from fakes.openai_fake import openai_completion, openai_stream, tool_call
from helpers import ADMIN_HEADERS, GEMINI_KEY, PNG, admin_get, default_config, provider, with_admin_token

TOOL = {"name": "get_weather", "description": "Weather for a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
POLLS, POLL = 200, 0.05


@dataclass
class Backend:
    """How one provider's fake is scripted, and where a request's parts land in what it received."""
    name: str
    model: str
    fake: Any
    answer: Callable[[str, int, int], Any]
    stream: Callable[[list[str], int, int], Any]
    tool_use: Callable[[str, str, dict], Any]
    system_of: Callable[[dict], str]
    has_image: Callable[[dict], bool]
    has_tool_result: Callable[[dict, str], bool]


def bedrock_tool_answer(id_: str, name: str, args: dict) -> dict:
    return {"output": {"message": {"role": "assistant", "content": [{"toolUse": {"toolUseId": id_, "name": name,
                                                                                    "input": args}}]}},
            "stopReason": "tool_use", "usage": {"inputTokens": 20, "outputTokens": 8, "totalTokens": 28},
            "metrics": {"latencyMs": 5}}


def backends(openai_fake, anthropic_fake, gemini_fake, bedrock_fake) -> dict[str, Backend]:
    return {
        "openai": Backend(
            "openai", "openai/gpt-4o-mini", openai_fake,
            answer=lambda t, i, o: Reply(200, openai_completion(t, prompt_tokens=i, completion_tokens=o)),
            stream=lambda p, i, o: openai_stream(p, prompt_tokens=i, completion_tokens=o),
            tool_use=lambda id_, n, a: Reply(200, openai_completion(None, tool_calls=[tool_call(id_, n, a)])),
            system_of=lambda b: b["messages"][0]["content"] if b["messages"][0]["role"] == "system" else "",
            has_image=lambda b: any(p.get("type") == "image_url" for m in b["messages"]
                                    if isinstance(m.get("content"), list) for p in m["content"]),
            has_tool_result=lambda b, id_: any(m["role"] == "tool" and m["tool_call_id"] == id_ for m in b["messages"])),
        "anthropic": Backend(
            "anthropic", "anthropic/claude-sonnet-4-5", anthropic_fake,
            answer=lambda t, i, o: Reply(200, anthropic_message(t, input_tokens=i, output_tokens=o)),
            stream=lambda p, i, o: anthropic_stream(p, input_tokens=i, output_tokens=o),
            tool_use=lambda id_, n, a: Reply(200, anthropic_message([tool_use_block(id_, n, a)])),
            system_of=lambda b: b["system"] if isinstance(b["system"], str) else "".join(x["text"] for x in b["system"]),
            has_image=lambda b: any(p.get("type") == "image" for m in b["messages"]
                                    if isinstance(m["content"], list) for p in m["content"]),
            has_tool_result=lambda b, id_: any(p.get("type") == "tool_result" and p["tool_use_id"] == id_
                                               for m in b["messages"] if isinstance(m["content"], list)
                                               for p in m["content"])),
        "gemini": Backend(
            "gemini", "gemini/gemini-2.0-flash", gemini_fake,
            answer=lambda t, i, o: Reply(200, gemini_response(t, prompt_tokens=i, candidates_tokens=o)),
            stream=lambda p, i, o: gemini_stream(p, prompt_tokens=i, candidates_tokens=o),
            tool_use=lambda id_, n, a: Reply(200, gemini_response([function_call_part(n, a)])),
            system_of=lambda b: "".join(p["text"] for p in b["systemInstruction"]["parts"]),
            has_image=lambda b: any("inlineData" in p for c in b["contents"] for p in c["parts"]),
            has_tool_result=lambda b, id_: any("functionResponse" in p for c in b["contents"] for p in c["parts"])),
        "bedrock": Backend(
            "bedrock", "anthropic.claude-3-5-sonnet-20240620-v1:0", bedrock_fake,
            answer=lambda t, i, o: Reply(200, converse_answer(t, input_tokens=i, output_tokens=o)),
            stream=lambda p, i, o: event_stream(converse_stream_frames(p, input_tokens=i, output_tokens=o)),
            tool_use=lambda id_, n, a: Reply(200, bedrock_tool_answer(id_, n, a)),
            system_of=lambda b: "".join(s.get("text", "") for s in b["system"]),
            has_image=lambda b: any("image" in p for m in b["messages"] for p in m["content"]),
            has_tool_result=lambda b, id_: any("toolResult" in p and p["toolResult"]["toolUseId"] == id_
                                               for m in b["messages"] for p in m["content"])),
    }


@pytest.fixture(scope="module")
def door_gw(tmp_path_factory, openai_fake, anthropic_fake, gemini_fake, bedrock_fake):
    gw = start_gateway(tmp_path_factory.mktemp("anthropic-door"), door_config(openai_fake, anthropic_fake, gemini_fake,
                                                                              bedrock_fake))
    yield gw
    gw.stop()


def door_config(openai_fake, anthropic_fake, gemini_fake, bedrock_fake) -> dict:
    config = with_admin_token(default_config(openai_fake, anthropic_fake, gemini_fake=gemini_fake))
    config["providers"]["bedrock"] = provider(bedrock_fake.url, [{"name": "aws1", "access_key_id": ACCESS_KEY,
                                                                  "secret_access_key": SECRET_KEY}], region="us-east-1")
    config["logging"] = {"flush_interval_ms": 50}
    return config


@pytest.fixture(scope="module")
def cache_gw(tmp_path_factory, openai_fake, anthropic_fake, gemini_fake, bedrock_fake):
    workdir = tmp_path_factory.mktemp("anthropic-door-cache")
    config = door_config(openai_fake, anthropic_fake, gemini_fake, bedrock_fake)
    config["server"]["data_dir"] = str(workdir / "data")
    config["cache"] = {"enabled": True, "ttl": "5m"}
    gw = start_gateway(workdir, config)
    yield gw
    gw.stop()


@pytest.fixture(params=["openai", "anthropic", "gemini", "bedrock"])
def backend(request, openai_fake, anthropic_fake, gemini_fake, bedrock_fake) -> Backend:
    gemini_fake.reset()
    bedrock_fake.reset()
    yield backends(openai_fake, anthropic_fake, gemini_fake, bedrock_fake)[request.param]
    gemini_fake.reset()
    bedrock_fake.reset()


def client(gw) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=gw.url + "/anthropic", api_key="sk-caller-key", max_retries=0)


def last_json(backend: Backend) -> dict:
    return backend.fake.wait_for_requests(1)[-1].json


def test_messages(door_gw, backend):
    backend.fake.enqueue(backend.answer("Bonjour.", 13, 4))
    msg = client(door_gw).messages.create(model=backend.model, max_tokens=64,
                                          messages=[{"role": "user", "content": "Say hello"}])
    assert msg.type == "message" and msg.role == "assistant"
    # A passed-through answer is Anthropic's own, naming its model as Anthropic knows it.
    assert msg.model == ("claude-sonnet-4-5" if backend.name == "anthropic" else backend.model)
    assert [b.type for b in msg.content] == ["text"] and msg.content[0].text == "Bonjour."
    assert msg.stop_reason == "end_turn"
    assert (msg.usage.input_tokens, msg.usage.output_tokens) == (13, 4)
    assert msg._request_id
    if backend.name == "anthropic":
        sent = last_json(backend)
        # Same dialect: the caller's body went up as it was, only the model named as Anthropic knows it.
        assert sent == {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "Say hello"}]}
        assert backend.fake.last.header("x-api-key") == "sk-ant-test"


def test_stream(door_gw, backend):
    backend.fake.enqueue(backend.stream(["Once", " upon", " a time."], 21, 6))
    with client(door_gw).messages.stream(model=backend.model, max_tokens=64,
                                         messages=[{"role": "user", "content": "Tell a story"}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "Once upon a time."
    assert final.stop_reason == "end_turn"
    assert (final.usage.input_tokens, final.usage.output_tokens) == (21, 6)


def test_stream_event_order(door_gw, backend):
    backend.fake.enqueue(backend.stream(["a", "b"], 3, 2))
    events = list(client(door_gw).messages.create(model=backend.model, max_tokens=16, stream=True,
                                                  messages=[{"role": "user", "content": "x"}]))
    types = [e.type for e in events]
    assert types[0] == "message_start" and types[-2:] == ["message_delta", "message_stop"], types
    assert types.count("content_block_start") == types.count("content_block_stop") >= 1, types
    assert events[-2].usage.output_tokens == 2


def test_tools(door_gw, backend):
    backend.fake.enqueue(backend.tool_use("call_1", "get_weather", {"city": "Paris"}))
    sdk = client(door_gw)
    first = sdk.messages.create(model=backend.model, max_tokens=100, tools=[TOOL],
                                messages=[{"role": "user", "content": "Weather in Paris?"}])
    assert first.stop_reason == "tool_use"
    use = next(b for b in first.content if b.type == "tool_use")
    assert (use.name, use.input) == ("get_weather", {"city": "Paris"}) and use.id
    sent = last_json(backend)
    if backend.name == "openai":
        assert sent["tools"][0]["function"]["name"] == "get_weather"

    backend.fake.enqueue(backend.answer("Sunny, 21°C.", 30, 5))
    second = sdk.messages.create(model=backend.model, max_tokens=100, tools=[TOOL], messages=[
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": use.id, "name": use.name, "input": use.input}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id,
                                      "content": [{"type": "text", "text": "sunny, 21"}]}]},
    ])
    assert second.content[0].text == "Sunny, 21°C."
    assert backend.has_tool_result(backend.fake.last.json, use.id), backend.fake.last.json


def test_count_tokens(door_gw, backend):
    messages = [{"role": "user", "content": "How many tokens is this?"}]
    counted = client(door_gw).messages.count_tokens(model=backend.model, messages=messages)
    assert counted.input_tokens > 0
    if backend.name == "anthropic":
        assert counted.input_tokens == anthropic_token_count(backend.fake.last.json)
    elif backend.name == "gemini":
        assert counted.input_tokens == 42
    else:
        # No counting API: the gateway's own estimate, as at the Bedrock door.
        assert backend.fake.requests == []


@pytest.mark.parametrize("system", ["You are terse.", [{"type": "text", "text": "You are terse.",
                                                         "cache_control": {"type": "ephemeral"}}]])
def test_system_prompt(door_gw, backend, system):
    backend.fake.enqueue(backend.answer("Ok.", 5, 1))
    client(door_gw).messages.create(model=backend.model, max_tokens=20, system=system, stop_sequences=["END"],
                                    messages=[{"role": "user", "content": "Hi"}])
    sent = last_json(backend)
    assert backend.system_of(sent) == "You are terse."
    if backend.name == "anthropic":
        assert sent["system"] == system and sent["stop_sequences"] == ["END"]


def test_images(door_gw, backend):
    backend.fake.enqueue(backend.answer("A pixel.", 9, 2))
    msg = client(door_gw).messages.create(model=backend.model, max_tokens=20, messages=[{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(PNG).decode()}},
        {"type": "text", "text": "What is this?"},
    ]}])
    assert msg.content[0].text == "A pixel."
    assert backend.has_image(last_json(backend))


def test_errors(door_gw, backend):
    sdk = client(door_gw)
    with pytest.raises(anthropic.BadRequestError) as bad:
        # max_tokens is required by the Messages API; the SDK sends what it is given.
        sdk.messages.create(model=backend.model, max_tokens=64, messages=[{"role": "user", "content": "x"}],
                            extra_body={"max_tokens": None})
    assert bad.value.status_code == 400
    assert bad.value.body["error"]["type"] == "invalid_request_error"
    assert bad.value.response.headers["request-id"]
    with pytest.raises(anthropic.NotFoundError) as missing:
        sdk.messages.create(model="nobody/knows", max_tokens=8, messages=[{"role": "user", "content": "x"}])
    assert missing.value.body["error"]["type"] == "not_found_error"
    if backend.name != "anthropic":
        assert backend.fake.requests == []


def log_row(gw, request_id: str) -> dict:
    for _ in range(POLLS):
        rows = [r for r in admin_get(gw, "/api/logs", limit=1000).json()["logs"] if r["id"] == request_id]
        if rows:
            return rows[0]
        time.sleep(POLL)
    raise AssertionError(f"no log row {request_id}")


def test_request_log_row(door_gw, backend):
    backend.fake.enqueue(backend.answer("Logged.", 7, 3))
    msg = client(door_gw).messages.create(model=backend.model, max_tokens=16, messages=[{"role": "user", "content": "x"}])
    row = log_row(door_gw, msg._request_id)
    assert (row["door"], row["operation"], row["provider"], row["model_requested"], row["stream"]) == \
        ("anthropic", "Messages", backend.name, backend.model, False), row
    assert (row["input_tokens"], row["output_tokens"], row["http_status"]) == (7, 3, 200), row


def test_request_log_row_of_a_stream(door_gw, backend):
    backend.fake.enqueue(backend.stream(["Logged", " too."], 8, 4))
    with client(door_gw).messages.stream(model=backend.model, max_tokens=16,
                                         messages=[{"role": "user", "content": "x"}]) as stream:
        stream.until_done()
        request_id = stream.response.headers["request-id"]
    row = log_row(door_gw, request_id)
    assert (row["door"], row["operation"], row["provider"], row["stream"]) == ("anthropic", "Messages", backend.name, True), row
    assert (row["input_tokens"], row["output_tokens"], row["stop_reason"]) == (8, 4, "end_turn"), row


def test_models_list(door_gw):
    page = client(door_gw).models.list()
    ids = [m.id for m in page.data]
    assert "fast" in ids and all(m.type == "model" for m in page.data)


def test_cache_is_shared_with_the_bedrock_door(cache_gw, backend):
    """The same question is the same canonical request at every door: one upstream call answers all three."""
    question = f"What is the capital of France? ({backend.name})"
    backend.fake.enqueue(backend.answer("Paris.", 10, 2))
    sdk = client(cache_gw)
    first = sdk.messages.with_raw_response.create(model=backend.model, max_tokens=64,
                                                  messages=[{"role": "user", "content": question}])
    assert first.headers["x-swyd-cache"] == "miss"
    second = sdk.messages.with_raw_response.create(model=backend.model, max_tokens=64,
                                                   messages=[{"role": "user", "content": question}])
    assert second.headers["x-swyd-cache"] == "hit"
    assert second.parse().content[0].text == "Paris."
    converse = cache_gw.client().converse(modelId=backend.model, inferenceConfig={"maxTokens": 64},
                                          messages=[{"role": "user", "content": [{"text": question}]}])
    assert converse["output"]["message"]["content"] == [{"text": "Paris."}]
    assert converse["ResponseMetadata"]["HTTPHeaders"]["x-swyd-cache"] == "hit"
    assert len(backend.fake.requests) == 1


THOUGHT, SIGNATURE = "Let me think.", "sig-1"
THINKING_ANSWERS = {
    "openai": lambda: Reply(200, openai_completion("Answer.", reasoning=THOUGHT)),
    "anthropic": lambda: Reply(200, anthropic_message([thinking_block(THOUGHT, SIGNATURE), text_block("Answer.")])),
    "gemini": lambda: Reply(200, gemini_response([thought_part(THOUGHT, SIGNATURE), text_part("Answer.")])),
    "bedrock": lambda: Reply(200, {"output": {"message": {"role": "assistant", "content": [
        {"reasoningContent": {"reasoningText": {"text": THOUGHT, "signature": SIGNATURE}}}, {"text": "Answer."}]}},
        "stopReason": "end_turn", "usage": {"inputTokens": 9, "outputTokens": 6, "totalTokens": 15}, "metrics": {"latencyMs": 5}}),
}


def test_thinking(door_gw, backend):
    backend.fake.enqueue(THINKING_ANSWERS[backend.name]())
    msg = client(door_gw).messages.create(model=backend.model, max_tokens=2048,
                                          thinking={"type": "enabled", "budget_tokens": 1024},
                                          messages=[{"role": "user", "content": "Think first."}])
    assert [b.type for b in msg.content] == ["thinking", "text"]
    assert msg.content[0].thinking == THOUGHT and msg.content[1].text == "Answer."
    if backend.name != "openai":  # OpenAI's reasoning text comes unsigned
        assert msg.content[0].signature == SIGNATURE
    sent = last_json(backend)
    budget = {"openai": lambda b: None,
              "anthropic": lambda b: b["thinking"]["budget_tokens"],
              "gemini": lambda b: b["generationConfig"]["thinkingConfig"]["thinkingBudget"],
              "bedrock": lambda b: b["additionalModelRequestFields"]["thinking"]["budget_tokens"]}[backend.name](sent)
    assert budget in (None, 1024) and (backend.name == "openai") == (budget is None)
