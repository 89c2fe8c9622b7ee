"""Fake OpenAI Chat Completions upstream (POST {base}/v1/chat/completions) and payload builders.

Shapes follow the OpenAI API reference: `chat.completion` objects, `chat.completion.chunk` SSE frames
(`data: {...}\\n\\n`, terminated by `data: [DONE]\\n\\n`), tool-call deltas carrying `index` (id/type/name only in
the first delta of a call), a final usage-only chunk with `choices: []` when
`stream_options.include_usage` is true, and error bodies `{"error": {"message", "type", "param", "code"}}`.
Also POST {base}/v1/embeddings (`openai_embeddings`; by default deterministic `fake_vector`s).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import time
from typing import Any

from .base import FakeUpstream, Recorded, Reply, Stream

_ids = itertools.count(1)
DEFAULT_TEXT = "Hello from fake OpenAI."


def _usage(prompt_tokens: int, completion_tokens: int, cached_tokens: int | None, reasoning_tokens: int = 0) -> dict:
    u = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "completion_tokens_details": {"reasoning_tokens": reasoning_tokens, "audio_tokens": 0,
                                      "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
    }
    if cached_tokens is not None:
        u["prompt_tokens_details"] = {"cached_tokens": cached_tokens, "audio_tokens": 0}
    return u


def tool_call(call_id: str, name: str, arguments: dict | str) -> dict:
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}


def openai_completion(content: str | None = DEFAULT_TEXT, *, tool_calls: list[dict] | None = None,
                      reasoning: str | None = None, finish_reason: str | None = None,
                      prompt_tokens: int = 10, completion_tokens: int = 5, cached_tokens: int | None = None,
                      model: str = "gpt-4o-mini") -> dict:
    """A non-streaming `chat.completion` object."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if tool_calls:
        message["tool_calls"] = tool_calls
    if reasoning is not None:
        message["reasoning_content"] = reasoning
    return {
        "id": f"chatcmpl-fake{next(_ids)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": None,
                     "finish_reason": finish_reason or ("tool_calls" if tool_calls else "stop")}],
        "usage": _usage(prompt_tokens, completion_tokens, cached_tokens),
        "system_fingerprint": "fp_fake",
    }


def openai_text_completion(text: str = DEFAULT_TEXT, **kw) -> dict:
    return openai_completion(text, **kw)


def sse_data(obj: Any) -> bytes:
    return b"data: " + (obj if isinstance(obj, bytes) else json.dumps(obj).encode()) + b"\n\n"


DONE = b"data: [DONE]\n\n"


def openai_stream_chunks(text: str | list[str] | None = DEFAULT_TEXT, *, reasoning: str | list[str] | None = None,
                         tool_calls: list[tuple[str, str, list[str]]] | None = None,
                         finish_reason: str | None = None, prompt_tokens: int = 10, completion_tokens: int = 5,
                         cached_tokens: int | None = None, include_usage: bool = True,
                         model: str = "gpt-4o-mini") -> list[dict]:
    """`chat.completion.chunk` objects for one streamed answer.

    text / reasoning: the whole string (split into small pieces) or the explicit list of pieces.
    tool_calls: [(id, name, [argument fragments...]), ...] streamed after the text.
    """
    cid, created = f"chatcmpl-fake{next(_ids)}", int(time.time())

    def chunk(delta: dict, finish: str | None = None) -> dict:
        return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                "system_fingerprint": "fp_fake",
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

    out = [chunk({"role": "assistant", "content": "", "refusal": None})]
    for piece in _pieces(reasoning):
        out.append(chunk({"reasoning_content": piece}))
    for piece in _pieces(text):
        out.append(chunk({"content": piece}))
    for i, (call_id, name, fragments) in enumerate(tool_calls or []):
        out.append(chunk({"tool_calls": [{"index": i, "id": call_id, "type": "function",
                                          "function": {"name": name, "arguments": ""}}]}))
        for frag in fragments:
            out.append(chunk({"tool_calls": [{"index": i, "function": {"arguments": frag}}]}))
    out.append(chunk({}, finish_reason or ("tool_calls" if tool_calls else "stop")))
    if include_usage:
        out.append({"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                    "system_fingerprint": "fp_fake", "choices": [],
                    "usage": _usage(prompt_tokens, completion_tokens, cached_tokens)})
    return out


def openai_stream_events_for(text: str | list[str] | None = DEFAULT_TEXT, **kw) -> list[bytes]:
    """SSE frames (bytes) for one streamed answer, `data: [DONE]` included."""
    return [sse_data(c) for c in openai_stream_chunks(text, **kw)] + [DONE]


def openai_stream(text: str | list[str] | None = DEFAULT_TEXT, *, stream_kw: dict | None = None, **kw) -> Stream:
    return Stream(openai_stream_events_for(text, **kw), **(stream_kw or {}))


def _pieces(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    words = value.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


_ERROR_TYPES = {400: ("invalid_request_error", None), 401: ("invalid_request_error", "invalid_api_key"),
                403: ("invalid_request_error", "unsupported_country_region_territory"),
                404: ("invalid_request_error", "model_not_found"), 429: ("requests", "rate_limit_exceeded"),
                500: ("server_error", None), 502: ("server_error", None), 503: ("server_error", None),
                529: ("server_error", None)}


def openai_error_body(message: str, type_: str = "invalid_request_error", code: str | None = None,
                      param: str | None = None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def openai_error(status: int, message: str = "fake upstream error", **kw) -> Reply:
    type_, code = _ERROR_TYPES.get(status, ("server_error", None))
    body = openai_error_body(message, kw.pop("type_", type_), kw.pop("code", code), kw.pop("param", None))
    headers = {"x-request-id": f"req_fake{next(_ids)}"}
    if status == 429:
        headers["retry-after"] = "0"
    return Reply(status, body, headers)


def openai_stream_error_event(message: str = "The server had an error while processing your request.",
                              type_: str = "server_error") -> bytes:
    """An error delivered inside an already-started SSE stream."""
    return sse_data(openai_error_body(message, type_))


def fake_vector(text: str, dimensions: int = 8) -> list[float]:
    """A deterministic pseudo-embedding of `text` (values in [-1, 1], six decimals)."""
    digest = hashlib.sha256(text.encode()).digest()
    return [round((digest[i % len(digest)] - 127.5) / 127.5, 6) for i in range(dimensions)]


def openai_embeddings(vectors: list[list[float]], *, prompt_tokens: int = 5,
                      model: str = "text-embedding-3-small") -> dict:
    """A `/v1/embeddings` answer (`object: list` of `embedding` objects in input order)."""
    return {"object": "list",
            "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
            "model": model, "usage": {"prompt_tokens": prompt_tokens, "total_tokens": prompt_tokens}}


def default_embeddings(body: dict) -> Reply:
    """fake_vector of every input (`dimensions` long, default 8); prompt_tokens = the inputs' word count."""
    inputs = body.get("input", [])
    inputs = [inputs] if isinstance(inputs, str) else inputs
    dims = body.get("dimensions") or 8
    return Reply(200, openai_embeddings([fake_vector(t, dims) for t in inputs],
                                        prompt_tokens=sum(len(t.split()) for t in inputs),
                                        model=body.get("model", "text-embedding-3-small")))


class OpenAIFake(FakeUpstream):
    def default_action(self, req: Recorded):
        if req.path.split("?")[0].endswith("/embeddings"):
            return default_embeddings(req.json if isinstance(req.json, dict) else {})
        if not req.path.split("?")[0].endswith("/chat/completions"):
            return Reply(404, openai_error_body(f"Invalid URL ({req.method} {req.path})", "invalid_request_error"))
        body = req.json if isinstance(req.json, dict) else {}
        model = body.get("model", "gpt-4o-mini")
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return Stream(openai_stream_events_for(DEFAULT_TEXT, model=model, include_usage=include_usage))
        return Reply(200, openai_text_completion(DEFAULT_TEXT, model=model))
