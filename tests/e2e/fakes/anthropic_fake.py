"""Fake Anthropic Messages upstream (POST {base}/v1/messages) and payload builders.

Shapes follow Anthropic's API reference: `message` objects with text / thinking / redacted_thinking / tool_use
content blocks and usage (input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens);
SSE streams of named events (`event: X\\ndata: {...}\\n\\n`): message_start, content_block_start,
content_block_delta (text_delta, input_json_delta, thinking_delta, signature_delta), content_block_stop,
message_delta (stop_reason, usage.output_tokens), message_stop, ping, and `error`; error bodies
`{"type":"error","error":{"type","message"}}` (529 overloaded_error).
Like the real API, it refuses a request without `x-api-key` (401) or `anthropic-version` (400).
Also POST /v1/messages/count_tokens → `{"input_tokens": N}` (`anthropic_token_count` by default), and Message
Batches (`AnthropicBatchState`, per fake as `batch_api`, fresh after every reset).
"""
from __future__ import annotations

import itertools
import json
from typing import Any

from .base import FakeUpstream, Recorded, Reply, Stream

_ids = itertools.count(1)
DEFAULT_TEXT = "Hello from fake Anthropic."


def text_block(text: str) -> dict:
    return {"type": "text", "text": text}


def thinking_block(thinking: str, signature: str) -> dict:
    return {"type": "thinking", "thinking": thinking, "signature": signature}


def redacted_thinking_block(data: str) -> dict:
    return {"type": "redacted_thinking", "data": data}


def tool_use_block(id_: str, name: str, input_: dict) -> dict:
    return {"type": "tool_use", "id": id_, "name": name, "input": input_}


def _usage(input_tokens: int, output_tokens: int, cache_read: int, cache_creation: int) -> dict:
    return {"input_tokens": input_tokens, "cache_creation_input_tokens": cache_creation,
            "cache_read_input_tokens": cache_read, "output_tokens": output_tokens, "service_tier": "standard"}


def anthropic_message(content: str | list[dict] = DEFAULT_TEXT, *, stop_reason: str | None = None,
                      stop_sequence: str | None = None, input_tokens: int = 10, output_tokens: int = 5,
                      cache_read: int = 0, cache_creation: int = 0, model: str = "claude-sonnet-4-5") -> dict:
    blocks = [text_block(content)] if isinstance(content, str) else content
    if stop_reason is None:
        stop_reason = "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"
    return {"id": f"msg_fake{next(_ids):04d}", "type": "message", "role": "assistant", "model": model,
            "content": blocks, "stop_reason": stop_reason, "stop_sequence": stop_sequence,
            "usage": _usage(input_tokens, output_tokens, cache_read, cache_creation)}


def sse_event(name: str, data: dict) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def anthropic_stream_events_for(text: str | list[str] | None = DEFAULT_TEXT, *,
                                thinking: str | list[str] | None = None, signature: str | None = None,
                                redacted_thinking: str | None = None,
                                tool_use: list[tuple[str, str, list[str]]] | None = None,
                                stop_reason: str | None = None, input_tokens: int = 10, output_tokens: int = 5,
                                cache_read: int = 0, cache_creation: int = 0, ping: bool = True,
                                model: str = "claude-sonnet-4-5") -> list[bytes]:
    """SSE frames for one streamed message: [thinking block] [redacted block] [text block] [tool_use blocks...].

    text / thinking: the whole string (split into pieces) or the explicit list of pieces.
    tool_use: [(id, name, [partial_json fragments...]), ...].
    """
    if stop_reason is None:
        stop_reason = "tool_use" if tool_use else "end_turn"
    msg = {"id": f"msg_fake{next(_ids):04d}", "type": "message", "role": "assistant", "model": model,
           "content": [], "stop_reason": None, "stop_sequence": None,
           "usage": _usage(input_tokens, 1, cache_read, cache_creation)}
    out = [sse_event("message_start", {"type": "message_start", "message": msg})]
    idx = 0

    def block(start: dict, deltas: list[dict]) -> None:
        nonlocal idx
        out.append(sse_event("content_block_start", {"type": "content_block_start", "index": idx,
                                                     "content_block": start}))
        for d in deltas:
            out.append(sse_event("content_block_delta", {"type": "content_block_delta", "index": idx, "delta": d}))
        out.append(sse_event("content_block_stop", {"type": "content_block_stop", "index": idx}))
        idx += 1

    if thinking is not None:
        deltas = [{"type": "thinking_delta", "thinking": p} for p in _pieces(thinking)]
        if signature is not None:
            deltas.append({"type": "signature_delta", "signature": signature})
        block({"type": "thinking", "thinking": "", "signature": ""}, deltas)
    if redacted_thinking is not None:
        block({"type": "redacted_thinking", "data": redacted_thinking}, [])
    if ping:
        out.insert(2 if len(out) > 1 else 1, sse_event("ping", {"type": "ping"}))
    if text is not None:
        block({"type": "text", "text": ""}, [{"type": "text_delta", "text": p} for p in _pieces(text)])
    for id_, name, fragments in tool_use or []:
        block({"type": "tool_use", "id": id_, "name": name, "input": {}},
              [{"type": "input_json_delta", "partial_json": f} for f in ["", *fragments]])
    out.append(sse_event("message_delta", {"type": "message_delta",
                                           "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                                           "usage": {"output_tokens": output_tokens}}))
    out.append(sse_event("message_stop", {"type": "message_stop"}))
    return out


def anthropic_stream(text: str | list[str] | None = DEFAULT_TEXT, *, stream_kw: dict | None = None, **kw) -> Stream:
    return Stream(anthropic_stream_events_for(text, **kw), **(stream_kw or {}))


def _pieces(value: str | list[str]) -> list[str]:
    if isinstance(value, list):
        return value
    words = value.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 413: "request_too_large", 429: "rate_limit_error", 500: "api_error",
               502: "api_error", 503: "api_error", 529: "overloaded_error"}


def anthropic_error_body(type_: str, message: str) -> dict:
    return {"type": "error", "error": {"type": type_, "message": message}}


def anthropic_error(status: int, message: str = "fake upstream error", type_: str | None = None) -> Reply:
    headers = {"request-id": f"req_fake{next(_ids)}"}
    if status == 429:
        headers["retry-after"] = "0"
    return Reply(status, anthropic_error_body(type_ or ERROR_TYPES.get(status, "api_error"), message), headers)


def anthropic_stream_error_event(type_: str = "overloaded_error", message: str = "Overloaded") -> bytes:
    """An `event: error` delivered inside an already-started stream."""
    return sse_event("error", anthropic_error_body(type_, message))


def anthropic_token_count(body: dict) -> int:
    """What the fake's /v1/messages/count_tokens answers by default: a deterministic function of the body."""
    return 7 + len(json.dumps(body.get("messages", []))) // 4


class AnthropicFake(FakeUpstream):
    def __init__(self) -> None:
        self.batch_api = AnthropicBatchState(self)
        super().__init__()

    def reset(self) -> None:
        super().reset()
        self.batch_api = AnthropicBatchState(self)

    def default_action(self, req: Recorded):
        if req.path.split("?")[0].startswith("/v1/messages/batches"):
            return self.batch_api.action(req)
        if req.path.split("?")[0] == "/v1/messages/count_tokens":
            if not req.header("x-api-key"):
                return anthropic_error(401, "x-api-key header is required")
            body = req.json if isinstance(req.json, dict) else {}
            return Reply(200, {"input_tokens": anthropic_token_count(body)})
        if req.path.split("?")[0] != "/v1/messages":
            return anthropic_error(404, f"Not found: {req.method} {req.path}")
        if not req.header("x-api-key"):
            return anthropic_error(401, "x-api-key header is required")
        if not req.header("anthropic-version"):
            return anthropic_error(400, "anthropic-version: header is required")
        body: dict[str, Any] = req.json if isinstance(req.json, dict) else {}
        model = body.get("model", "claude-sonnet-4-5")
        if body.get("stream"):
            return Stream(anthropic_stream_events_for(DEFAULT_TEXT, model=model))
        return Reply(200, anthropic_message(DEFAULT_TEXT, model=model))


# ---- Message Batches (POST /v1/messages/batches, GET …/{id}, GET …/{id}/results, POST …/{id}/cancel) ---------------
# Shapes follow Anthropic's API reference: `message_batch` objects (processing_status in_progress → ended, or
# canceling after a cancel), request_counts {processing, succeeded, errored, canceled, expired}, and a results_url
# serving JSON lines `{"custom_id", "result": {"type": "succeeded", "message"} | {"type": "errored", "error"} |
# {"type": "canceled"}}`. A batch ends at its first GET unless `hold_batches`; a request whose last user text starts
# with "fail" errors with invalid_request_error.
class AnthropicBatchState:
    def __init__(self, fake: "AnthropicFake") -> None:
        self.fake = fake
        self.batches: dict[str, dict] = {}
        self.hold_batches = False

    def action(self, req: Recorded):
        if not req.header("x-api-key"):
            return anthropic_error(401, "x-api-key header is required")
        if not req.header("anthropic-version"):
            return anthropic_error(400, "anthropic-version: header is required")
        parts = [p for p in req.path.split("?")[0].split("/") if p][3:]  # after v1/messages/batches
        if not parts and req.method == "POST":
            requests = (req.json or {}).get("requests") or []
            if not requests:
                return anthropic_error(400, "requests: at least one request is required")
            batch_id = f"msgbatch_fake{next(_ids):04d}"
            self.batches[batch_id] = {
                "id": batch_id, "type": "message_batch", "processing_status": "in_progress",
                "request_counts": {"processing": len(requests), "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0},
                "ended_at": None, "created_at": "2026-01-01T00:00:00Z", "expires_at": "2026-01-02T00:00:00Z",
                "archived_at": None, "cancel_initiated_at": None, "results_url": None, "_requests": requests, "_results": [],
            }
            return Reply(200, self._public(batch_id))
        batch = self.batches.get(parts[0]) if parts else None
        if batch is None:
            return anthropic_error(404, f"Not found: {req.method} {req.path}")
        if len(parts) == 1 and req.method == "GET":
            if batch["processing_status"] == "canceling":
                self._end(batch, run=False)
            elif batch["processing_status"] == "in_progress" and not self.hold_batches:
                self._end(batch, run=True)
            return Reply(200, self._public(parts[0]))
        if len(parts) == 2 and parts[1] == "results" and req.method == "GET":
            if batch["processing_status"] != "ended":
                return anthropic_error(400, "the batch is still processing")
            return Reply(200, "".join(json.dumps(r) + "\n" for r in batch["_results"]),
                         {"Content-Type": "application/x-jsonl"})
        if len(parts) == 2 and parts[1] == "cancel" and req.method == "POST":
            if batch["processing_status"] == "in_progress":
                batch["processing_status"] = "canceling"
                batch["cancel_initiated_at"] = "2026-01-01T00:00:01Z"
            return Reply(200, self._public(parts[0]))
        return anthropic_error(404, f"Not found: {req.method} {req.path}")

    def _public(self, batch_id: str) -> dict:
        return {k: v for k, v in self.batches[batch_id].items() if not k.startswith("_")}

    def _end(self, batch: dict, run: bool) -> None:
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        for item in batch["_requests"]:
            params = item.get("params") or {}
            content = (params.get("messages") or [{}])[-1].get("content")
            text = content if isinstance(content, str) else " ".join(
                b.get("text", "") for b in content or [] if isinstance(b, dict))
            if not run:
                result = {"type": "canceled"}
            elif text.startswith("fail"):
                result = {"type": "errored", "error": {"type": "error", "error": {
                    "type": "invalid_request_error", "message": "fake refusal of " + text}}}
            else:
                result = {"type": "succeeded", "message": anthropic_message(
                    f"batch answer to {text}", model=params.get("model", "claude-sonnet-4-5"))}
            counts[{"canceled": "canceled", "errored": "errored", "succeeded": "succeeded"}[result["type"]]] += 1
            batch["_results"].append({"custom_id": item.get("custom_id"), "result": result})
        batch["processing_status"] = "ended"
        batch["ended_at"] = "2026-01-01T00:00:02Z"
        batch["request_counts"] = counts
        batch["results_url"] = f"{self.fake.url}/v1/messages/batches/{batch['id']}/results"
