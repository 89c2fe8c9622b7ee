"""InvokeModel and InvokeModelWithResponseStream: every model family's body, answered in that family's shape by
OpenAI-shaped and Anthropic-shaped upstreams; tools, embeddings, errors, and the seed document's snippets."""
from __future__ import annotations

import base64
import json
import math
import threading

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import EventStreamError

from fakes.anthropic_fake import (anthropic_error, anthropic_message, anthropic_stream, anthropic_stream_error_event,
                                  anthropic_stream_events_for, text_block, tool_use_block)
from fakes.base import Reply, Stream
from fakes.openai_fake import (fake_vector, openai_completion, openai_error, openai_stream, openai_stream_events_for,
                               tool_call)
from helpers import PNG, B64, raises_client_error, text_of

ANTHROPIC_VERSION = "bedrock-2023-05-31"
WEATHER = {"name": "get_weather", "description": "Current weather for a city",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
LLAMA_PROMPT = ("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
                "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")


@pytest.fixture
def rt(invoke_gw):
    return invoke_gw.client()


# ---- calling and reading ------------------------------------------------------------------------------------
def invoke(rt, model: str, body: dict, **kw) -> tuple[dict, dict]:
    resp = rt.invoke_model(modelId=model, body=json.dumps(body), contentType="application/json",
                           accept="application/json", **kw)
    assert resp["contentType"] == "application/json"
    return json.loads(resp["body"].read()), resp["ResponseMetadata"]["HTTPHeaders"]


def invoke_stream(rt, model: str, body: dict) -> list[dict]:
    resp = rt.invoke_model_with_response_stream(modelId=model, body=json.dumps(body), contentType="application/json",
                                                accept="application/json")
    assert resp["contentType"] == "application/json"
    chunks = []
    for event in resp["body"]:
        assert list(event) == ["chunk"], event
        chunks.append(json.loads(event["chunk"]["bytes"]))
    return chunks


def assert_token_headers(headers: dict, input: int, output: int) -> None:
    assert headers["x-amzn-bedrock-input-token-count"] == str(input), headers
    assert headers["x-amzn-bedrock-output-token-count"] == str(output), headers
    assert int(headers["x-amzn-bedrock-invocation-latency"]) >= 0, headers


def assert_metrics(chunk: dict, input: int, output: int) -> None:
    m = chunk["amazon-bedrock-invocationMetrics"]
    assert (m["inputTokenCount"], m["outputTokenCount"]) == (input, output), m
    assert 0 <= m["firstByteLatency"] <= m["invocationLatency"], m


# ---- upstreams ----------------------------------------------------------------------------------------------
IN, OUT = 11, 7


def fake_of(provider: str, openai_fake, anthropic_fake):
    return openai_fake if provider == "openai" else anthropic_fake


def enqueue_answer(provider: str, fake, text: str) -> None:
    if provider == "openai":
        fake.enqueue(Reply(200, openai_completion(text, prompt_tokens=IN, completion_tokens=OUT)))
    else:
        fake.enqueue(Reply(200, anthropic_message(text, input_tokens=IN, output_tokens=OUT)))


def enqueue_stream(provider: str, fake, pieces: list[str]) -> None:
    if provider == "openai":
        fake.enqueue(openai_stream(pieces, prompt_tokens=IN, completion_tokens=OUT))
    else:
        fake.enqueue(anthropic_stream(pieces, input_tokens=IN, output_tokens=OUT))


def conversation(provider: str, body: dict) -> list[tuple[str, str]]:
    """(role, text) of what the upstream was asked, system first, in either upstream's shape."""
    turns = []
    if provider == "anthropic":
        turns += [("system", s["text"]) for s in body.get("system", [])]
    for m in body["messages"]:
        turns.append((m["role"], text_of(m["content"])))
    return turns


def max_tokens_sent(body: dict) -> int:
    return body["max_tokens"]


# ---- every family, both upstreams, invoke and stream ---------------------------------------------------------
# family -> (request body, what the upstream must be asked, the answer's text, its stop word, streamed text + stop)
FAMILIES = {
    "anthropic": {"anthropic_version": ANTHROPIC_VERSION, "max_tokens": 100, "system": "Be brief.",
                  "messages": [{"role": "user", "content": "Hi"}]},
    "nova": {"schemaVersion": "messages-v1", "system": [{"text": "Be brief."}],
             "messages": [{"role": "user", "content": [{"text": "Hi"}]}], "inferenceConfig": {"maxTokens": 100}},
    "titan": {"inputText": "Hi", "textGenerationConfig": {"maxTokenCount": 100}},
    "mistral": {"prompt": "<s>[INST] Hi [/INST]", "max_tokens": 100},
    "mistral-chat": {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
                     "max_tokens": 100},
    "llama": {"prompt": LLAMA_PROMPT, "max_gen_len": 100},
    "cohere": {"prompt": "Hi", "max_tokens": 100},
    "cohere-chat": {"message": "Hi", "preamble": "Be brief.", "max_tokens": 100,
                    "chat_history": [{"role": "USER", "message": "Earlier"}, {"role": "CHATBOT", "message": "Sure"}]},
}
ASKED = {
    "anthropic": [("system", "Be brief."), ("user", "Hi")],
    "nova": [("system", "Be brief."), ("user", "Hi")],
    "titan": [("user", "Hi")],
    "mistral": [("user", "Hi")],
    "mistral-chat": [("system", "Be brief."), ("user", "Hi")],
    "llama": [("system", "Be brief."), ("user", "Hi")],
    "cohere": [("user", "Hi")],
    "cohere-chat": [("system", "Be brief."), ("user", "Earlier"), ("assistant", "Sure"), ("user", "Hi")],
}
# (family, provider) -> (model id the caller uses, model name the upstream sees)
MODELS = {
    ("anthropic", "anthropic"): ("anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku-20240307"),
    ("anthropic", "openai"): ("openai/gpt-4o-mini", "gpt-4o-mini"),
    ("nova", "openai"): ("us.amazon.nova-lite-v1:0", "gpt-4o-mini"),
    ("nova", "anthropic"): ("anthropic/claude-sonnet-4-5", "claude-sonnet-4-5"),
    ("titan", "openai"): ("amazon.titan-text-express-v1", "gpt-4o-mini"),
    ("titan", "anthropic"): ("anthropic/claude-sonnet-4-5", "claude-sonnet-4-5"),
    ("mistral", "openai"): ("mistral.mistral-large-2407", "mistral-large-2407"),
    ("mistral", "anthropic"): ("anthropic/claude-sonnet-4-5", "claude-sonnet-4-5"),
    ("mistral-chat", "openai"): ("mistral.mistral-large-2407", "mistral-large-2407"),
    ("mistral-chat", "anthropic"): ("mistral-large-on-claude", "claude-sonnet-4-5"),
    ("llama", "openai"): ("meta.llama3-1-8b-instruct-v1:0", "llama3.1:8b"),
    ("llama", "anthropic"): ("meta.llama3-70b-instruct-v1:0", "claude-sonnet-4-5"),
    ("cohere", "openai"): ("cohere.command-text-v14", "gpt-4o-mini"),
    ("cohere", "anthropic"): ("cohere.command-light-text-v14", "claude-sonnet-4-5"),
    ("cohere-chat", "openai"): ("cohere.command-r-v1:0", "gpt-4o-mini"),
    ("cohere-chat", "anthropic"): ("cohere.command-r-plus-v1:0", "claude-sonnet-4-5"),
}


def answer_text_and_stop(family: str, a: dict) -> tuple[str, str]:
    if family == "anthropic":
        assert (a["type"], a["role"]) == ("message", "assistant") and a["id"].startswith("msg_bdrk_"), a
        assert a["usage"] == {"input_tokens": IN, "output_tokens": OUT, "cache_read_input_tokens": 0,
                              "cache_creation_input_tokens": 0}, a
        assert a["stop_sequence"] is None
        (block,) = a["content"]
        assert block["type"] == "text"
        return block["text"], a["stop_reason"]
    if family == "nova":
        assert a["usage"]["inputTokens"] == IN and a["usage"]["outputTokens"] == OUT, a
        assert a["usage"]["totalTokens"] == IN + OUT, a
        assert a["output"]["message"]["role"] == "assistant"
        (block,) = a["output"]["message"]["content"]
        return block["text"], a["stopReason"]
    if family == "titan":
        assert a["inputTextTokenCount"] == IN, a
        (result,) = a["results"]
        assert result["tokenCount"] == OUT, a
        return result["outputText"], result["completionReason"]
    if family == "mistral":
        (out,) = a["outputs"]
        return out["text"], out["stop_reason"]
    if family == "mistral-chat":
        (choice,) = a["choices"]
        assert choice["index"] == 0 and choice["message"]["role"] == "assistant"
        assert a["usage"] == {"prompt_tokens": IN, "completion_tokens": OUT, "total_tokens": IN + OUT}, a
        return choice["message"]["content"], choice["stop_reason"]
    if family == "llama":
        assert (a["prompt_token_count"], a["generation_token_count"]) == (IN, OUT), a
        return a["generation"], a["stop_reason"]
    if family == "cohere":
        (gen,) = a["generations"]
        return gen["text"], gen["finish_reason"]
    if family == "cohere-chat":
        assert a["meta"]["billed_units"] == {"input_tokens": IN, "output_tokens": OUT}, a
        return a["text"], a["finish_reason"]
    raise AssertionError(family)


END_WORD = {"anthropic": "end_turn", "nova": "end_turn", "titan": "FINISH", "mistral": "stop", "mistral-chat": "stop",
            "llama": "stop", "cohere": "COMPLETE", "cohere-chat": "COMPLETE"}


def stream_text_and_stop(family: str, chunks: list[dict]) -> tuple[str, str]:
    """Reassembles the text and checks the family's stream framing; returns (text, stop word)."""
    *body, last = chunks
    if family == "anthropic":
        types = [c["type"] for c in chunks]
        assert types[0] == "message_start" and types[-2:] == ["message_delta", "message_stop"], types
        assert chunks[0]["message"]["role"] == "assistant" and chunks[0]["message"]["content"] == []
        assert types[1] == "content_block_start" and chunks[1]["content_block"] == {"type": "text", "text": ""}
        assert types.count("content_block_start") == types.count("content_block_stop") == 1, types
        delta = chunks[-2]
        assert delta["usage"]["output_tokens"] == OUT and delta["usage"]["input_tokens"] == IN, delta
        assert_metrics(last, IN, OUT)
        text = "".join(c["delta"]["text"] for c in chunks if c["type"] == "content_block_delta")
        return text, delta["delta"]["stop_reason"]
    if family == "nova":
        names = [next(iter(c)) for c in chunks]
        assert names[0] == "messageStart" and names[-2:] == ["messageStop", "metadata"], names
        assert names.count("contentBlockStop") == 1
        assert last["metadata"]["usage"]["inputTokens"] == IN and last["metadata"]["usage"]["outputTokens"] == OUT
        assert_metrics(last, IN, OUT)
        text = "".join(c["contentBlockDelta"]["delta"]["text"] for c in chunks if "contentBlockDelta" in c)
        assert all(c["contentBlockDelta"]["contentBlockIndex"] == 0 for c in chunks if "contentBlockDelta" in c)
        return text, chunks[-2]["messageStop"]["stopReason"]
    assert_metrics(last, IN, OUT)
    if family == "titan":
        assert all(c["completionReason"] is None and c["index"] == 0 for c in body), body
        assert (last["inputTextTokenCount"], last["totalOutputTextTokenCount"]) == (IN, OUT), last
        return "".join(c["outputText"] for c in chunks), last["completionReason"]
    if family == "mistral":
        assert all(c["outputs"][0]["stop_reason"] is None for c in body), body
        return "".join(c["outputs"][0]["text"] for c in chunks), last["outputs"][0]["stop_reason"]
    if family == "mistral-chat":
        assert all(c["choices"][0]["stop_reason"] is None for c in body), body
        return "".join(c["choices"][0]["message"]["content"] for c in chunks), last["choices"][0]["stop_reason"]
    if family == "llama":
        assert all(c["stop_reason"] is None for c in body), body
        assert (last["prompt_token_count"], last["generation_token_count"]) == (IN, OUT), last
        return "".join(c["generation"] for c in chunks), last["stop_reason"]
    if family == "cohere":
        assert all(c["is_finished"] is False for c in body) and last["is_finished"] is True, chunks
        return "".join(c["text"] for c in body), last["finish_reason"]
    if family == "cohere-chat":
        assert all(c["event_type"] == "text-generation" for c in body) and last["event_type"] == "stream-end"
        assert last["is_finished"] is True
        return "".join(c["text"] for c in body), last["finish_reason"]
    raise AssertionError(family)


CASES = sorted(MODELS)


def check_upstream_request(provider: str, family: str, req, upstream_model: str, stream: bool) -> None:
    body = req.json
    if provider == "openai":
        assert req.path == "/v1/chat/completions"
        expected_key = {"mistral-large-2407": "Bearer mistral-test-key", "llama3.1:8b": None}.get(upstream_model,
                                                                                                 "Bearer sk-test-one")
        assert req.header("authorization") == expected_key
    else:
        assert req.path == "/v1/messages" and req.header("x-api-key") == "sk-ant-test"
    assert body["model"] == upstream_model
    assert conversation(provider, body) == ASKED[family]
    assert max_tokens_sent(body) == 100
    assert bool(body.get("stream")) is stream
    for foreign in ("anthropic_version", "schemaVersion", "inputText", "prompt", "max_gen_len"):
        assert foreign not in body, body


@pytest.mark.parametrize("family,provider", CASES, ids=[f"{f}-via-{p}" for f, p in CASES])
def test_invoke_family(rt, openai_fake, anthropic_fake, family, provider):
    model, upstream_model = MODELS[(family, provider)]
    fake = fake_of(provider, openai_fake, anthropic_fake)
    enqueue_answer(provider, fake, "Hello there.")
    answer, headers = invoke(rt, model, FAMILIES[family])
    assert answer_text_and_stop(family, answer) == ("Hello there.", END_WORD[family])
    assert_token_headers(headers, IN, OUT)
    assert len(fake.requests) == 1
    check_upstream_request(provider, family, fake.last, upstream_model, stream=False)


@pytest.mark.parametrize("family,provider", CASES, ids=[f"{f}-via-{p}" for f, p in CASES])
def test_invoke_stream_family(rt, openai_fake, anthropic_fake, family, provider):
    model, upstream_model = MODELS[(family, provider)]
    fake = fake_of(provider, openai_fake, anthropic_fake)
    enqueue_stream(provider, fake, ["Hel", "lo", " there."])
    chunks = invoke_stream(rt, model, FAMILIES[family])
    assert stream_text_and_stop(family, chunks) == ("Hello there.", END_WORD[family])
    assert len(fake.requests) == 1
    check_upstream_request(provider, family, fake.last, upstream_model, stream=True)


def test_stop_reasons_in_family_words(rt, openai_fake):
    openai_fake.enqueue(Reply(200, openai_completion("cut", finish_reason="length")),
                        Reply(200, openai_completion("cut", finish_reason="length")),
                        Reply(200, openai_completion("cut", finish_reason="length")))
    assert invoke(rt, "amazon.titan-text-express-v1", FAMILIES["titan"])[0]["results"][0]["completionReason"] == "LENGTH"
    assert invoke(rt, "meta.llama3-1-8b-instruct-v1:0", FAMILIES["llama"])[0]["stop_reason"] == "length"
    assert invoke(rt, "cohere.command-text-v14", FAMILIES["cohere"])[0]["generations"][0]["finish_reason"] == "MAX_TOKENS"
    assert [r.json["max_tokens"] for r in openai_fake.requests] == [100, 100, 100]


def test_stream_is_forwarded_incrementally(rt, anthropic_fake):
    gate = threading.Event()
    frames = anthropic_stream_events_for(["first half", " second half"], ping=False)
    anthropic_fake.enqueue(Stream(frames, gate=gate, gate_before=3))  # hold back from the 2nd text delta on
    resp = rt.invoke_model_with_response_stream(modelId="anthropic.claude-3-haiku-20240307-v1:0",
                                                body=json.dumps(FAMILIES["anthropic"]))
    seen = []
    for event in resp["body"]:
        seen.append(json.loads(event["chunk"]["bytes"]))
        if seen[-1]["type"] == "content_block_delta":
            break
    assert seen[-1]["delta"] == {"type": "text_delta", "text": "first half"}
    assert not gate.is_set()
    gate.set()
    for event in resp["body"]:
        seen.append(json.loads(event["chunk"]["bytes"]))
    assert "".join(c["delta"]["text"] for c in seen if c["type"] == "content_block_delta") == "first half second half"
    assert seen[-1]["type"] == "message_stop"
    assert anthropic_fake.last.json["stream"] is True


# ---- Anthropic family in full: tools, history, images, thinking ----------------------------------------------
ANTHROPIC_TOOL_BODY = {
    "anthropic_version": ANTHROPIC_VERSION, "max_tokens": 300, "tools": [WEATHER], "tool_choice": {"type": "auto"},
    "system": [{"type": "text", "text": "Use tools.", "cache_control": {"type": "ephemeral"}}],
    "messages": [
        {"role": "user", "content": [{"type": "text", "text": "Weather in Paris and Oslo?"},
                                     {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                                  "data": B64(PNG)}}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                           "input": {"city": "Paris"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny, 21"}]},
    ],
}


def test_anthropic_tools_via_anthropic(rt, anthropic_fake):
    anthropic_fake.enqueue(Reply(200, anthropic_message(
        [text_block("Now Oslo."), tool_use_block("toolu_2", "get_weather", {"city": "Oslo"})],
        input_tokens=30, output_tokens=12, cache_read=5)))
    answer, headers = invoke(rt, "us.anthropic.claude-3-haiku-20240307-v1:0", ANTHROPIC_TOOL_BODY)
    assert answer["stop_reason"] == "tool_use"
    assert answer["content"] == [{"type": "text", "text": "Now Oslo."},
                                 {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Oslo"}}]
    assert answer["usage"]["cache_read_input_tokens"] == 5
    assert_token_headers(headers, 35, 12)

    sent = anthropic_fake.last.json
    assert sent["model"] == "claude-3-haiku-20240307"
    assert sent["tools"] == [WEATHER] and sent["tool_choice"] == {"type": "auto"}
    assert sent["system"] == [{"type": "text", "text": "Use tools.", "cache_control": {"type": "ephemeral"}}]
    assert sent["messages"][0]["content"][1] == {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                                           "data": B64(PNG)}}
    assert sent["messages"][1]["content"] == ANTHROPIC_TOOL_BODY["messages"][1]["content"]
    result = sent["messages"][2]["content"][0]
    assert (result["type"], result["tool_use_id"]) == ("tool_result", "toolu_1")
    assert result["content"] == [{"type": "text", "text": "sunny, 21"}]


def test_anthropic_tools_via_openai(rt, openai_fake):
    openai_fake.enqueue(Reply(200, openai_completion(None, tool_calls=[tool_call("call_7", "get_weather", {"city": "Oslo"})],
                                                     prompt_tokens=30, completion_tokens=12)))
    answer, _ = invoke(rt, "openai/gpt-4o-mini", ANTHROPIC_TOOL_BODY)
    assert answer["stop_reason"] == "tool_use"
    assert answer["content"] == [{"type": "tool_use", "id": "call_7", "name": "get_weather", "input": {"city": "Oslo"}}]

    sent = openai_fake.last.json
    assert sent["tools"] == [{"type": "function", "function": {"name": "get_weather", "description": WEATHER["description"],
                                                               "parameters": WEATHER["input_schema"]}}]
    assert sent["tool_choice"] == "auto"
    roles = [m["role"] for m in sent["messages"]]
    assert roles == ["system", "user", "assistant", "tool"], sent["messages"]
    assert sent["messages"][1]["content"][1]["image_url"]["url"] == "data:image/png;base64," + B64(PNG)
    assert sent["messages"][2]["tool_calls"][0]["id"] == "toolu_1"
    assert json.loads(sent["messages"][2]["tool_calls"][0]["function"]["arguments"]) == {"city": "Paris"}
    assert sent["messages"][3] == {"role": "tool", "tool_call_id": "toolu_1", "content": "sunny, 21"}


def anthropic_stream_blocks(chunks: list[dict]) -> list[dict]:
    """Reassembles the streamed blocks by index, checking that each starts once and stops once."""
    blocks: dict[int, dict] = {}
    stopped = set()
    for c in chunks:
        if c["type"] == "content_block_start":
            assert c["index"] not in blocks, chunks
            blocks[c["index"]] = dict(c["content_block"])
        elif c["type"] == "content_block_delta":
            b, d = blocks[c["index"]], c["delta"]
            assert c["index"] not in stopped
            if d["type"] == "text_delta":
                b["text"] += d["text"]
            elif d["type"] == "input_json_delta":
                b["json"] = b.get("json", "") + d["partial_json"]
            elif d["type"] == "thinking_delta":
                b["thinking"] += d["thinking"]
            elif d["type"] == "signature_delta":
                b["signature"] = b.get("signature", "") + d["signature"]
        elif c["type"] == "content_block_stop":
            stopped.add(c["index"])
    assert stopped == set(blocks) and sorted(blocks) == list(range(len(blocks))), chunks
    return [blocks[i] for i in sorted(blocks)]


@pytest.mark.parametrize("provider", ["anthropic", "openai"])
def test_anthropic_tool_stream(rt, openai_fake, anthropic_fake, provider):
    if provider == "anthropic":
        anthropic_fake.enqueue(anthropic_stream("Checking.", tool_use=[("toolu_9", "get_weather", ['{"city":', ' "Oslo"}'])],
                                                input_tokens=40, output_tokens=9))
        model, fake, call_id = "anthropic.claude-3-haiku-20240307-v1:0", anthropic_fake, "toolu_9"
    else:
        openai_fake.enqueue(openai_stream("Checking.", tool_calls=[("call_9", "get_weather", ['{"city":', ' "Oslo"}'])],
                                          prompt_tokens=40, completion_tokens=9))
        model, fake, call_id = "openai/gpt-4o-mini", openai_fake, "call_9"
    chunks = invoke_stream(rt, model, ANTHROPIC_TOOL_BODY)
    text, tool = anthropic_stream_blocks(chunks)
    assert text == {"type": "text", "text": "Checking."}
    assert (tool["type"], tool["id"], tool["name"]) == ("tool_use", call_id, "get_weather")
    assert json.loads(tool["json"]) == {"city": "Oslo"}
    assert chunks[-2]["delta"]["stop_reason"] == "tool_use"
    assert_metrics(chunks[-1], 40, 9)
    assert fake.last.json["stream"] is True
    assert len(fake.last.json["tools"]) == 1


def test_anthropic_thinking_stream(rt, anthropic_fake):
    anthropic_fake.enqueue(anthropic_stream("Answer.", thinking=["Let me", " think."], signature="sig-1"))
    body = dict(FAMILIES["anthropic"], thinking={"type": "enabled", "budget_tokens": 1024}, max_tokens=2048)
    chunks = invoke_stream(rt, "anthropic.claude-3-haiku-20240307-v1:0", body)
    thinking, text = anthropic_stream_blocks(chunks)
    assert thinking == {"type": "thinking", "thinking": "Let me think.", "signature": "sig-1"}
    assert text == {"type": "text", "text": "Answer."}
    assert anthropic_fake.last.json["thinking"] == {"type": "enabled", "budget_tokens": 1024}
    assert anthropic_fake.last.json["max_tokens"] == 2048


def test_anthropic_thinking_answer(rt, anthropic_fake):
    anthropic_fake.enqueue(Reply(200, anthropic_message([{"type": "thinking", "thinking": "Hmm.", "signature": "s1"},
                                                         text_block("Done.")])))
    answer, _ = invoke(rt, "anthropic.claude-3-haiku-20240307-v1:0", FAMILIES["anthropic"])
    assert answer["content"] == [{"type": "thinking", "thinking": "Hmm.", "signature": "s1"},
                                 {"type": "text", "text": "Done."}]


# ---- Nova with tools ----------------------------------------------------------------------------------------
NOVA_TOOL_BODY = {
    "schemaVersion": "messages-v1",
    "messages": [
        {"role": "user", "content": [{"text": "Weather in Paris?"}]},
        {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {"city": "Paris"}}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"json": {"temp": 21}}]}}]},
    ],
    "toolConfig": {"tools": [{"toolSpec": {"name": "get_weather", "description": WEATHER["description"],
                                           "inputSchema": {"json": WEATHER["input_schema"]}}}],
                   "toolChoice": {"auto": {}}},
    "inferenceConfig": {"max_new_tokens": 200, "temperature": 0.3, "top_p": 0.9},
}


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_nova_tools(rt, openai_fake, anthropic_fake, provider):
    if provider == "openai":
        openai_fake.enqueue(Reply(200, openai_completion(None, tool_calls=[tool_call("call_2", "get_weather", {"city": "Oslo"})])))
        model, fake, call_id = "amazon.nova-pro-v1:0", openai_fake, "call_2"
    else:
        anthropic_fake.enqueue(Reply(200, anthropic_message([tool_use_block("toolu_2", "get_weather", {"city": "Oslo"})])))
        model, fake, call_id = "anthropic/claude-sonnet-4-5", anthropic_fake, "toolu_2"
    answer, _ = invoke(rt, model, NOVA_TOOL_BODY)
    assert answer["stopReason"] == "tool_use"
    assert answer["output"]["message"]["content"] == [
        {"toolUse": {"toolUseId": call_id, "name": "get_weather", "input": {"city": "Oslo"}}}]

    sent = fake.last.json
    assert sent["max_tokens"] == 200 and sent["temperature"] == pytest.approx(0.3) and sent["top_p"] == pytest.approx(0.9)
    if provider == "openai":
        assert sent["model"] == "gpt-4o"
        assert sent["tools"][0]["function"]["name"] == "get_weather" and sent["tool_choice"] == "auto"
        assert sent["messages"][2] == {"role": "tool", "tool_call_id": "t1", "content": '{"temp":21}'}
    else:
        assert sent["tools"] == [WEATHER] and sent["tool_choice"] == {"type": "auto"}
        assert sent["messages"][1]["content"] == [{"type": "tool_use", "id": "t1", "name": "get_weather",
                                                   "input": {"city": "Paris"}}]
        assert sent["messages"][2]["content"][0]["tool_use_id"] == "t1"


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
def test_nova_tool_stream(rt, openai_fake, anthropic_fake, provider):
    if provider == "openai":
        openai_fake.enqueue(openai_stream("Checking.", tool_calls=[("call_3", "get_weather", ['{"city":', '"Oslo"}'])],
                                          prompt_tokens=20, completion_tokens=4))
        model, fake, call_id = "amazon.nova-lite-v1:0", openai_fake, "call_3"
    else:
        anthropic_fake.enqueue(anthropic_stream("Checking.", tool_use=[("toolu_3", "get_weather", ['{"city":', '"Oslo"}'])],
                                                input_tokens=20, output_tokens=4))
        model, fake, call_id = "anthropic/claude-sonnet-4-5", anthropic_fake, "toolu_3"
    chunks = invoke_stream(rt, model, NOVA_TOOL_BODY)
    names = [next(iter(c)) for c in chunks]
    assert names[0] == "messageStart" and names[-2:] == ["messageStop", "metadata"], names
    start = next(c["contentBlockStart"] for c in chunks if "contentBlockStart" in c)
    assert start == {"start": {"toolUse": {"toolUseId": call_id, "name": "get_weather"}}, "contentBlockIndex": 1}
    tool_json = "".join(c["contentBlockDelta"]["delta"]["toolUse"]["input"] for c in chunks
                        if "contentBlockDelta" in c and "toolUse" in c["contentBlockDelta"]["delta"])
    assert json.loads(tool_json) == {"city": "Oslo"}
    text = "".join(c["contentBlockDelta"]["delta"]["text"] for c in chunks
                   if "contentBlockDelta" in c and "text" in c["contentBlockDelta"]["delta"])
    assert text == "Checking."
    assert sorted(c["contentBlockStop"]["contentBlockIndex"] for c in chunks if "contentBlockStop" in c) == [0, 1]
    assert chunks[-2]["messageStop"]["stopReason"] == "tool_use"
    assert_metrics(chunks[-1], 20, 4)
    assert fake.last.json["stream"] is True


def test_mistral_chat_tool_calls(rt, openai_fake):
    openai_fake.enqueue(Reply(200, openai_completion(None, tool_calls=[tool_call("call_5", "get_weather", {"city": "Rome"})])))
    body = {"messages": [{"role": "user", "content": "Weather in Rome?"}],
            "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": WEATHER["input_schema"]}}],
            "tool_choice": "any"}
    answer, _ = invoke(rt, "mistral.mistral-large-2407", body)
    (choice,) = answer["choices"]
    assert choice["stop_reason"] == "tool_calls"
    (call,) = choice["message"]["tool_calls"]
    assert (call["id"], call["function"]["name"]) == ("call_5", "get_weather")
    assert json.loads(call["function"]["arguments"]) == {"city": "Rome"}
    sent = openai_fake.last.json
    assert sent["tool_choice"] == "required" and sent["tools"][0]["function"]["parameters"] == WEATHER["input_schema"]


# ---- embeddings ---------------------------------------------------------------------------------------------
def norm(v: list[float]) -> float:
    return math.sqrt(sum(x * x for x in v))


def test_titan_v2_embedding(rt, openai_fake):
    answer, headers = invoke(rt, "amazon.titan-embed-text-v2:0",
                             {"inputText": "hello embedding world", "dimensions": 256, "normalize": True})
    assert len(answer["embedding"]) == 256 and norm(answer["embedding"]) == pytest.approx(1.0, abs=1e-6)
    raw = fake_vector("hello embedding world", 256)
    assert answer["embedding"] == pytest.approx([x / norm(raw) for x in raw], abs=1e-9)
    assert answer["embeddingsByType"] == {"float": answer["embedding"]}
    assert answer["inputTextTokenCount"] == 3
    assert_token_headers(headers, 3, 0)

    req = openai_fake.last
    assert req.path == "/v1/embeddings" and req.header("authorization") == "Bearer sk-test-one"
    assert req.json == {"model": "text-embedding-3-small", "input": ["hello embedding world"], "dimensions": 256,
                        "encoding_format": "float"}


def test_titan_v1_embedding_keeps_vectors_as_given(rt, openai_fake):
    answer, _ = invoke(rt, "amazon.titan-embed-text-v1", {"inputText": "plain"})
    assert answer == {"embedding": pytest.approx(fake_vector("plain")), "inputTextTokenCount": 1}
    assert openai_fake.last.json["input"] == ["plain"] and "dimensions" not in openai_fake.last.json


@pytest.mark.parametrize("by_type", [False, True])
def test_cohere_embedding(rt, openai_fake, by_type):
    body = {"texts": ["first text", "second"], "input_type": "search_document"}
    if by_type:
        body["embedding_types"] = ["float"]
    answer, headers = invoke(rt, "cohere.embed-english-v3", body)
    vectors = [pytest.approx(fake_vector("first text")), pytest.approx(fake_vector("second"))]
    assert answer["texts"] == ["first text", "second"] and isinstance(answer["id"], str)
    if by_type:
        assert answer["response_type"] == "embeddings_by_type" and answer["embeddings"] == {"float": vectors}
    else:
        assert answer["response_type"] == "embeddings_floats" and answer["embeddings"] == vectors
    assert_token_headers(headers, 3, 0)
    assert openai_fake.last.json["input"] == ["first text", "second"]
    assert openai_fake.last.json["model"] == "text-embedding-3-small"


def test_embedding_on_a_provider_model_id(rt, openai_fake):
    answer, _ = invoke(rt, "openai/text-embedding-3-large", {"inputText": "x y"})
    assert answer["embedding"] == pytest.approx(fake_vector("x y"))
    assert openai_fake.last.json["model"] == "text-embedding-3-large"


def test_embedding_models_do_not_stream(rt, openai_fake):
    with raises_client_error("ValidationException", 400):
        rt.invoke_model_with_response_stream(modelId="amazon.titan-embed-text-v2:0", body=json.dumps({"inputText": "x"}))
    assert openai_fake.requests == []


def test_embedding_on_a_provider_without_embeddings(rt, anthropic_fake):
    with raises_client_error("ValidationException", 400) as raised:
        invoke(rt, "anthropic/claude-embed-nothing", {"inputText": "x"})
    assert "no embeddings API" in raised.value.response["Error"]["Message"]
    assert anthropic_fake.requests == []


# ---- errors -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("body,words", [
    (b'{"prompt": ', "not valid JSON"),
    (b"[1, 2]", "JSON object"),
    (b'{"foo": 1}', "supported InvokeModel body families"),
    (b'{"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5}', "messages"),
    (b'{"anthropic_version": "x", "messages": [{"role": "user", "content": [{"type": "video"}]}]}', "video"),
    (b'{"prompt": "", "max_tokens": 5}', "prompt"),
    (b'{"inputText": "x", "textGenerationConfig": {"maxTokenCount": 0}}', "maxTokenCount"),
], ids=["truncated", "not-object", "unknown-family", "no-messages", "bad-block", "empty-prompt", "bad-max"])
def test_bad_bodies_are_validation_errors(rt, openai_fake, body, words):
    for call in (rt.invoke_model, rt.invoke_model_with_response_stream):
        with raises_client_error("ValidationException", 400) as raised:
            call(modelId="openai/gpt-4o-mini", body=body)
        assert words in raised.value.response["Error"]["Message"]
    assert openai_fake.requests == []


def test_unknown_model_is_resource_not_found(rt, openai_fake, anthropic_fake):
    for call in (rt.invoke_model, rt.invoke_model_with_response_stream):
        with raises_client_error("ResourceNotFoundException", 404) as raised:
            call(modelId="nosuch/model-x", body=json.dumps(FAMILIES["mistral"]))
        assert "nosuch/model-x" in raised.value.response["Error"]["Message"]
    assert openai_fake.requests == [] and anthropic_fake.requests == []


def test_non_json_content_type_is_refused(rt, openai_fake):
    with raises_client_error("ValidationException", 400):
        rt.invoke_model(modelId="openai/gpt-4o-mini", body=b"Hi", contentType="text/plain")
    with raises_client_error("ValidationException", 400):
        rt.invoke_model(modelId="openai/gpt-4o-mini", body=json.dumps(FAMILIES["mistral"]), accept="image/png")
    assert openai_fake.requests == []


def test_no_content_type_or_accept_means_json(rt, openai_fake):
    openai_fake.enqueue(Reply(200, openai_completion("ok")))
    resp = rt.invoke_model(modelId="mistral.mistral-large-2407", body=json.dumps(FAMILIES["mistral"]))
    assert resp["contentType"] == "application/json"
    assert json.loads(resp["body"].read())["outputs"][0]["text"] == "ok"
    assert openai_fake.last.json["model"] == "mistral-large-2407"


@pytest.mark.parametrize("provider", ["openai", "anthropic"])
@pytest.mark.parametrize("status,code", [(429, "ThrottlingException"), (503, "ServiceUnavailableException"),
                                         (500, "InternalServerException"), (404, "ResourceNotFoundException"),
                                         (400, "ValidationException"), (401, "AccessDeniedException")])
def test_upstream_errors(rt, openai_fake, anthropic_fake, provider, status, code):
    fake = fake_of(provider, openai_fake, anthropic_fake)
    error = openai_error if provider == "openai" else anthropic_error
    model = "openai/gpt-4o-mini" if provider == "openai" else "anthropic/claude-sonnet-4-5"
    fake.enqueue(error(status, f"upstream said {status}"), error(status, f"upstream said {status}"))
    with raises_client_error(code):
        invoke(rt, model, FAMILIES["anthropic"])
    with raises_client_error(code):  # before the stream began: a plain error, not an exception frame
        invoke_stream(rt, model, FAMILIES["anthropic"])
    assert len(fake.requests) == 2


@pytest.mark.parametrize("error_type,code", [("overloaded_error", "serviceUnavailableException"),
                                             ("rate_limit_error", "throttlingException"),
                                             ("api_error", "internalServerException")])
def test_error_mid_stream_is_an_exception_frame(rt, anthropic_fake, error_type, code):
    frames = anthropic_stream_events_for(["partial", " rest"], ping=False)[:3]
    anthropic_fake.enqueue(Stream(frames + [anthropic_stream_error_event(error_type, "upstream trouble")]))
    resp = rt.invoke_model_with_response_stream(modelId="anthropic.claude-3-haiku-20240307-v1:0",
                                                body=json.dumps(FAMILIES["anthropic"]))
    seen = []
    with pytest.raises(EventStreamError) as info:
        for event in resp["body"]:
            seen.append(json.loads(event["chunk"]["bytes"]))
    assert info.value.response["Error"]["Code"] == code
    assert "upstream trouble" in info.value.response["Error"]["Message"]
    assert [c["type"] for c in seen][:2] == ["message_start", "content_block_start"]
    assert "".join(c["delta"]["text"] for c in seen if c["type"] == "content_block_delta") == "partial"
    assert len(anthropic_fake.requests) == 1


def test_dropped_upstream_is_a_model_stream_error(rt, openai_fake):
    # The client reads what arrived before the upstream drops: the drop waits for it (a TCP reset may otherwise
    # discard bytes the gateway had not read yet).
    gate = threading.Event()
    openai_fake.enqueue(Stream(openai_stream_events_for(["one", " two", " three", " four"]), gate=gate, gate_before=3,
                               drop_after=4))
    resp = rt.invoke_model_with_response_stream(modelId="mistral.mistral-large-2407", body=json.dumps(FAMILIES["mistral"]))
    it = iter(resp["body"])
    seen = [json.loads(next(it)["chunk"]["bytes"]) for _ in range(2)]
    assert [c["outputs"][0]["text"] for c in seen] == ["one", " two"]
    gate.set()
    with pytest.raises(EventStreamError) as info:
        for event in it:
            seen.append(json.loads(event["chunk"]["bytes"]))
    assert info.value.response["Error"]["Code"] == "modelStreamErrorException"
    assert "".join(c["outputs"][0]["text"] for c in seen) in ("one two", "one two three")
    assert all(c["outputs"][0]["stop_reason"] is None for c in seen)
    assert openai_fake.last.json["stream"] is True


# ---- the seed document's snippets (000), unchanged but for the endpoint ----------------------------------------
def seed_client(gw):
    return boto3.client(
        service_name="bedrock-runtime",
        endpoint_url=gw.bedrock_url,
        region_name="us-west-2",
        aws_access_key_id="bifrost-dummy-key",
        aws_secret_access_key="bifrost-dummy-secret",
        config=Config(retries={"total_max_attempts": 1}),
    )


def test_seed_mistral_invoke(invoke_gw, openai_fake):
    openai_fake.enqueue(Reply(200, openai_completion("Hello from Mistral!")))
    client = seed_client(invoke_gw)
    mistral_invoke_response = client.invoke_model(
        modelId="mistral.mistral-large-2407",
        contentType="application/json",
        accept="application/json",
        body=json.dumps({
            "prompt": "Say hello from Mistral using Invoke API.",
            "max_tokens": 50,
            "temperature": 0.7
        }),
    )
    answer = json.loads(mistral_invoke_response["body"].read())
    assert answer == {"outputs": [{"text": "Hello from Mistral!", "stop_reason": "stop"}]}
    sent = openai_fake.last
    assert sent.header("authorization") == "Bearer mistral-test-key"
    assert sent.json["model"] == "mistral-large-2407"
    assert sent.json["messages"] == [{"role": "user", "content": "Say hello from Mistral using Invoke API."}]
    assert (sent.json["max_tokens"], sent.json["temperature"]) == (50, pytest.approx(0.7))


def test_seed_claude_invoke_stream(invoke_gw, anthropic_fake, capsys):
    anthropic_fake.enqueue(anthropic_stream(["Code flows", " like rain,", " bugs hide."]))
    client = seed_client(invoke_gw)

    # Example for Claude 3 (Messages API format)
    body = json.dumps({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 1024,
        "messages": [
            {"role": "user", "content": "Write a haiku about coding."}
        ]
    })

    response = client.invoke_model_with_response_stream(
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        body=body,
        contentType="application/json",
        accept="application/json"
    )

    print("Response:")
    for event in response.get("body"):
        if "chunk" in event:
            chunk = event["chunk"]
            if "bytes" in chunk:
                # The chunk bytes contain the model-specific JSON response
                result = json.loads(chunk["bytes"].decode("utf-8"))

                # Extract content based on model (e.g., Claude)
                if "delta" in result and "text" in result["delta"]:
                    print(result["delta"]["text"], end="", flush=True)
                elif "completion" in result:
                    print(result["completion"], end="", flush=True)

    assert capsys.readouterr().out == "Response:\nCode flows like rain, bugs hide."
    sent = anthropic_fake.last.json
    assert sent["model"] == "claude-3-haiku-20240307" and sent["max_tokens"] == 1024 and sent["stream"] is True
    assert sent["messages"] == [{"role": "user", "content": [{"type": "text", "text": "Write a haiku about coding."}]}]
    assert "anthropic_version" not in sent
