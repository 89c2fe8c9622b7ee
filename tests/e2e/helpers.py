"""Shared assertions and small utilities for the e2e tests."""
from __future__ import annotations

import base64
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable

import pytest
import requests
from botocore.exceptions import ClientError, EventStreamError, ReadTimeoutError

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("SWITCHYARD_BIN") or REPO / ".build" / "debug" / "switchyard")


def require_binary() -> Path:
    if not BIN.is_file() or not os.access(BIN, os.X_OK):
        pytest.fail(f"switchyard binary not found at {BIN}: build it (swift build) or set SWITCHYARD_BIN", pytrace=False)
    return BIN


# ---- admin API ------------------------------------------------------------------------------------------------
# The admin API (/api/...) exists only with an admin token; configs of tests that use it set this one.
ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef"
ADMIN_HEADERS = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def with_admin_token(config: dict) -> dict:
    config.setdefault("server", {})["admin_token"] = ADMIN_TOKEN
    return config


def admin_get(gw, path: str, **params) -> requests.Response:
    """GET an /api path with the admin token."""
    return requests.get(gw.url + path, params=params, headers=ADMIN_HEADERS, timeout=10)


def admin_call(gw, method: str, path: str, json: Any = None) -> requests.Response:
    return requests.request(method, gw.url + path, json=json, headers=ADMIN_HEADERS, timeout=10)


# A tiny valid PNG (1x1) and PDF, so the bytes look like what real clients send.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
B64 = lambda b: base64.b64encode(b).decode()  # noqa: E731

WEATHER_TOOL = {"toolSpec": {"name": "get_weather", "description": "Current weather for a city",
                             "inputSchema": {"json": {"type": "object",
                                                      "properties": {"city": {"type": "string"},
                                                                     "day": {"type": "string"}},
                                                      "required": ["city"]}}}}
STREAM_ERROR_CODES = {"modelStreamErrorException", "serviceUnavailableException", "throttlingException",
                      "internalServerException", "validationException"}


def user(*blocks: Any) -> dict:
    return {"role": "user", "content": [b if isinstance(b, dict) else {"text": b} for b in blocks]}


def assistant(*blocks: Any) -> dict:
    return {"role": "assistant", "content": [b if isinstance(b, dict) else {"text": b} for b in blocks]}


def text_of(content: Any) -> str:
    """Text of an OpenAI/Anthropic message content that is either a plain string or a list of one text part."""
    if isinstance(content, str):
        return content
    assert isinstance(content, list) and len(content) == 1 and content[0].get("type") == "text", content
    return content[0]["text"]


def assert_usage(usage: dict, *, input: int, output: int, cache_read: int = 0, cache_write: int = 0) -> None:
    assert usage["inputTokens"] == input, usage
    assert usage["outputTokens"] == output, usage
    assert usage.get("cacheReadInputTokens", 0) == cache_read, usage
    assert usage.get("cacheWriteInputTokens", 0) == cache_write, usage
    assert usage["totalTokens"] == input + output + cache_read + cache_write, usage


def assert_metrics(metrics: dict) -> None:
    assert isinstance(metrics["latencyMs"], int) and metrics["latencyMs"] >= 0, metrics


@contextmanager
def raises_client_error(code: str, status: int | None = None):
    """Expect a botocore ClientError with Error.Code == code; yields a holder whose .value is the exception."""
    holder = type("Raised", (), {"value": None})()
    with pytest.raises(ClientError) as info:
        yield holder
    holder.value = info.value
    err = info.value.response.get("Error", {})
    assert err.get("Code") == code, f"expected {code}, got {err} ({info.value})"
    if status is not None:
        assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == status, info.value.response


# ---- event streams ------------------------------------------------------------------------------------------
def event_name(ev: dict) -> str:
    (name,) = ev.keys()
    return name


def read_until(it, name: str, seen: list[dict]) -> dict:
    """Advance the boto3 event iterator until an event `name`, appending everything read to `seen`."""
    try:
        for ev in it:
            seen.append(ev)
            if event_name(ev) == name:
                return ev
    except (ReadTimeoutError, EventStreamError) as e:
        pytest.fail(f"no {name} event arrived while the upstream held back the rest of its stream "
                    f"(events so far: {seen}; then {e!r}): the gateway does not forward the stream incrementally",
                    pytrace=False)
    pytest.fail(f"stream ended before any {name} event: {seen}", pytrace=False)


def read_text_until(it, text: str, seen: list[dict]) -> None:
    """Advance the boto3 event iterator until the streamed text deltas add up to `text`."""
    for ev in it:
        seen.append(ev)
        if "".join(text_deltas(seen)) == text:
            return
    pytest.fail(f"stream ended before its text reached {text!r}: {seen}", pytrace=False)


def drop_after_seen(fake, frames: list, drop_after: int, it_factory, text: str) -> tuple[list[dict], EventStreamError]:
    """Streams `frames[:drop_after]`, waits until the caller has received `text`, then drops the connection:
    a dropped upstream without racing the gateway's reads of what came before the drop."""
    import threading
    from fakes.base import Stream
    gate = threading.Event()
    fake.enqueue(Stream(frames, drop_after=drop_after, gate=gate, gate_before=drop_after))
    it = iter(it_factory())
    seen: list[dict] = []
    read_text_until(it, text, seen)
    gate.set()
    rest, err = collect_until_error(it)
    return seen + rest, err


def collect(stream: Iterable[dict], seen: list[dict] | None = None) -> list[dict]:
    seen = [] if seen is None else seen
    for ev in stream:
        seen.append(ev)
    return seen


def collect_until_error(stream: Iterable[dict]) -> tuple[list[dict], EventStreamError]:
    seen: list[dict] = []
    with pytest.raises(EventStreamError) as info:
        collect(stream, seen)
    return seen, info.value


def check_stream(events: list[dict]) -> None:
    """The ConverseStream invariants of the contract."""
    names = [event_name(e) for e in events]
    assert names and names[0] == "messageStart", names
    assert events[0]["messageStart"]["role"] == "assistant", events[0]
    assert names.count("messageStop") == 1, names
    assert names[-1] == "metadata" and names.count("metadata") == 1, names
    assert names.index("messageStop") < names.index("metadata"), names
    first_seen: list[int] = []
    stopped: set[int] = set()
    for i, (name, ev) in enumerate(zip(names, events)):
        if name not in ("contentBlockStart", "contentBlockDelta", "contentBlockStop"):
            continue
        idx = ev[name]["contentBlockIndex"]
        assert idx not in stopped, f"event for block {idx} after its contentBlockStop: {names}"
        if idx not in first_seen:
            first_seen.append(idx)
        elif name == "contentBlockStart":
            raise AssertionError(f"contentBlockStart for block {idx} after other events of that block: {events}")
        if name == "contentBlockStop":
            stopped.add(idx)
        assert i < names.index("messageStop"), f"block event after messageStop: {names}"
    assert first_seen == sorted(first_seen) and (not first_seen or first_seen[0] == 0), \
        f"block indexes must start at 0 and increase: {first_seen}"
    assert len(set(first_seen)) == len(first_seen)
    assert stopped == set(first_seen), f"blocks without contentBlockStop: {set(first_seen) - stopped}"
    assert_metrics(events[-1]["metadata"]["metrics"])


def blocks_of(events: list[dict]) -> list[dict]:
    """Reassemble blocks in index order: {"text"} | {"toolUse": {id, name, input(str)}} | {"reasoning": {...}}."""
    blocks: dict[int, dict] = {}
    for ev in events:
        if "contentBlockStart" in ev:
            e = ev["contentBlockStart"]
            tu = e["start"].get("toolUse")
            if tu:
                blocks[e["contentBlockIndex"]] = {"toolUse": {"toolUseId": tu["toolUseId"], "name": tu["name"],
                                                              "input": ""}}
        elif "contentBlockDelta" in ev:
            e = ev["contentBlockDelta"]
            d, b = e["delta"], blocks.setdefault(e["contentBlockIndex"], {})
            if "text" in d:
                b["text"] = b.get("text", "") + d["text"]
            elif "toolUse" in d:
                assert "toolUse" in b, f"toolUse delta without contentBlockStart: {events}"
                b["toolUse"]["input"] += d["toolUse"]["input"]
            elif "reasoningContent" in d:
                r = b.setdefault("reasoning", {})
                for k, v in d["reasoningContent"].items():
                    r[k] = r.get(k, b"" if isinstance(v, bytes) else "") + v
            else:
                raise AssertionError(f"unexpected delta {d}")
    # An empty text block (e.g. from OpenAI's initial `"content": ""` chunk) carries nothing; ignore it.
    return [blocks[i] for i in sorted(blocks) if blocks[i] != {"text": ""}]


def text_deltas(events: list[dict]) -> list[str]:
    """The non-empty text deltas, in order."""
    return [e["contentBlockDelta"]["delta"]["text"] for e in events
            if "contentBlockDelta" in e and e["contentBlockDelta"]["delta"].get("text")]


def stop_reason(events: list[dict]) -> str:
    return next(e["messageStop"]["stopReason"] for e in events if "messageStop" in e)


def usage_of(events: list[dict]) -> dict:
    return events[-1]["metadata"]["usage"]


# ---- gateway configuration --------------------------------------------------------------------------------
def provider(base_url: str, keys: list[dict] | None = None, **settings) -> dict:
    p = {"base_url": base_url, "timeout_seconds": 10, "stream_idle_timeout_seconds": 10, "max_retries": 0,
         "retry_backoff_ms": 10, **settings}
    if keys is not None:
        p["keys"] = keys
    return p


# Shaped like a real Gemini key (AIza + 35 characters), so redaction of key-shaped strings is exercised too.
GEMINI_KEY = "AIzaSyFakeGeminiTestKey0123456789abcdef"


def default_config(openai_fake, anthropic_fake, *, max_body_bytes: int = 25_000_000, gemini_fake=None,
                   **provider_settings) -> dict:
    """openai, anthropic, groq (custom openai-type name), ollama (keyless); no gateway retries by default.

    gemini_fake: also a `gemini` provider (key GEMINI_KEY) answered by that fake.
    """
    oa = openai_fake.url + "/v1"
    config = {
        "server": {"max_body_bytes": max_body_bytes},
        "providers": {
            "openai": provider(oa, [{"name": "k1", "value": "sk-test-one", "weight": 1, "models": []}],
                               **provider_settings),
            "anthropic": provider(anthropic_fake.url, [{"name": "a1", "value": "sk-ant-test"}], **provider_settings),
            "groq": provider(oa, [{"value": "gsk-test"}], type="openai", **provider_settings),
            "ollama": provider(oa, **provider_settings),
        },
        "aliases": {"fast": "openai/gpt-4o-mini"},
    }
    if gemini_fake is not None:
        config["providers"]["gemini"] = provider(gemini_fake.url, [{"name": "g1", "value": GEMINI_KEY}],
                                                 **provider_settings)
    return config


# Bedrock ids (and one family-naming alias) that the built-in first-party map does not send where a test wants.
INVOKE_ALIASES = {
    "meta.llama3-70b-instruct-v1:0": "anthropic/claude-sonnet-4-5",
    "cohere.command-text-v14": "openai/gpt-4o-mini",
    "cohere.command-light-text-v14": "anthropic/claude-sonnet-4-5",
    "cohere.command-r-v1:0": "openai/gpt-4o-mini",
    "cohere.command-r-plus-v1:0": "anthropic/claude-sonnet-4-5",
    "mistral-large-on-claude": "anthropic/claude-sonnet-4-5",
}


def invoke_config(openai_fake, anthropic_fake, **provider_settings) -> dict:
    """default_config plus a `mistral` provider on the OpenAI fake (so Bedrock `mistral.*` ids have a home) and
    INVOKE_ALIASES."""
    config = default_config(openai_fake, anthropic_fake, **provider_settings)
    config["providers"]["mistral"] = provider(openai_fake.url + "/v1", [{"value": "mistral-test-key"}],
                                              type="openai", **provider_settings)
    config["aliases"].update(INVOKE_ALIASES)
    return config
