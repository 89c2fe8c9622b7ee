"""Fake OpenAI Chat Completions upstream (POST {base}/v1/chat/completions) and payload builders.

Shapes follow the OpenAI API reference: `chat.completion` objects, `chat.completion.chunk` SSE frames
(`data: {...}\\n\\n`, terminated by `data: [DONE]\\n\\n`), tool-call deltas carrying `index` (id/type/name only in
the first delta of a call), a final usage-only chunk with `choices: []` when
`stream_options.include_usage` is true, and error bodies `{"error": {"message", "type", "param", "code"}}`.
Also POST {base}/v1/embeddings (`openai_embeddings`; by default deterministic `fake_vector`s), and the Files and
Batch APIs (`OpenAIBatchState`, per fake as `batch_api`, fresh after every reset).
"""
from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
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


# Words that carry no meaning of their own for bag_of_words_vector: a question and its paraphrase differ mostly in these.
BOW_IGNORED = frozenset("a an the of is are what whats which tell me please i would like to know can you s".split())


def bag_of_words_vector(text: str, dimensions: int = 64) -> list[float]:
    """An embedding whose cosine similarity means something, for the semantic cache's tests.

    The text is lower-cased and split into words (letters and digits); the words in BOW_IGNORED are dropped; each
    remaining word adds 1 to the bucket its SHA-256 names (first two bytes, modulo `dimensions`). Two texts with
    the same content words therefore point the same way (cosine 1.0: "What is the capital of France?" and "Tell me
    the capital of France"), and texts sharing fewer content words score lower ("capital of Germany": 0.5).
    Not normalised: the gateway scales vectors itself.
    """
    buckets = [0.0] * dimensions
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if word in BOW_IGNORED:
            continue
        digest = hashlib.sha256(word.encode()).digest()
        buckets[int.from_bytes(digest[:2], "big") % dimensions] += 1.0
    return buckets


def default_embeddings(body: dict) -> Reply:
    """fake_vector of every input (`dimensions` long, default 8); prompt_tokens = the inputs' word count.

    Models whose name starts with `bow-` answer with bag_of_words_vector instead (64 long unless `dimensions`)."""
    inputs = body.get("input", [])
    inputs = [inputs] if isinstance(inputs, str) else inputs
    model = str(body.get("model", ""))
    if model.startswith("bow-"):
        vectors = [bag_of_words_vector(t, body.get("dimensions") or 64) for t in inputs]
    else:
        vectors = [fake_vector(t, body.get("dimensions") or 8) for t in inputs]
    return Reply(200, openai_embeddings(vectors,
                                        prompt_tokens=sum(len(t.split()) for t in inputs),
                                        model=body.get("model", "text-embedding-3-small")))


class OpenAIFake(FakeUpstream):
    def __init__(self) -> None:
        self.batch_api = OpenAIBatchState()
        super().__init__()

    def reset(self) -> None:
        super().reset()
        self.batch_api = OpenAIBatchState()

    def default_action(self, req: Recorded):
        if "/files" in req.path.split("?")[0] or "/batches" in req.path.split("?")[0]:
            return self.batch_api.action(req)
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


# ---- Files and Batch API (POST /v1/files, GET /v1/files/{id}[/content], DELETE /v1/files/{id}, /v1/batches) ------
# Shapes follow the OpenAI API reference: `file` objects, `batch` objects (status validating → in_progress →
# finalizing → completed, or cancelling → cancelled), output/error files of JSON lines
# `{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}`. A batch advances one status per
# GET; `hold_batches = True` keeps batches in_progress. A request whose last message text starts with "fail" gets
# a 400 line in the error file.
class OpenAIBatchState:
    def __init__(self) -> None:
        self.files: dict[str, dict] = {}
        self.batches: dict[str, dict] = {}
        self.hold_batches = False
        self.answered: list[str] = []  # custom_ids, in the order the fake "ran" them
        self.deleted: list[str] = []  # file ids, in the order DELETE /files/{id} removed them
        self.create_gate: threading.Event | None = None  # when set: a created batch's answer waits for it

    def add_file(self, content: bytes, purpose: str = "batch", filename: str = "input.jsonl") -> str:
        file_id = f"file-fake{next(_ids)}"
        self.files[file_id] = {"id": file_id, "object": "file", "bytes": len(content), "created_at": int(time.time()),
                               "filename": filename, "purpose": purpose, "content": content}
        return file_id

    def action(self, req: Recorded):
        path = req.path.split("?")[0]
        if not (req.header("authorization") or "").startswith("Bearer "):
            return openai_error(401, "You didn't provide an API key.")
        parts = [p for p in path.split("/") if p]
        if parts[-1] == "files" and req.method == "POST":
            purpose, filename, content = _multipart(req)
            if purpose != "batch":
                return openai_error(400, f"purpose must be batch, not {purpose!r}")
            file_id = self.add_file(content, purpose, filename)
            return Reply(200, {k: v for k, v in self.files[file_id].items() if k != "content"})
        if len(parts) >= 2 and parts[-2] == "files" and req.method in ("GET", "DELETE"):
            f = self.files.get(parts[-1])
            if f is None:
                return openai_error(404, f"No such File object: {parts[-1]}")
            if req.method == "DELETE":
                del self.files[parts[-1]]
                self.deleted.append(parts[-1])
                return Reply(200, {"id": parts[-1], "object": "file", "deleted": True})
            return Reply(200, {k: v for k, v in f.items() if k != "content"})
        if len(parts) >= 3 and parts[-3] == "files" and parts[-1] == "content" and req.method == "GET":
            f = self.files.get(parts[-2])
            if f is None:
                return openai_error(404, f"No such File object: {parts[-2]}")
            return Reply(200, f["content"], {"Content-Type": "application/octet-stream"})
        if parts[-1] == "batches" and req.method == "POST":
            body = req.json or {}
            if body.get("input_file_id") not in self.files:
                return openai_error(400, f"input_file_id {body.get('input_file_id')!r} does not exist")
            batch_id = f"batch_fake{next(_ids)}"
            lines = [json.loads(line) for line in self.files[body["input_file_id"]]["content"].decode().splitlines() if line.strip()]
            self.batches[batch_id] = {
                "id": batch_id, "object": "batch", "endpoint": body.get("endpoint"), "errors": None,
                "input_file_id": body["input_file_id"], "completion_window": body.get("completion_window"),
                "status": "validating", "output_file_id": None, "error_file_id": None, "created_at": int(time.time()),
                "request_counts": {"total": len(lines), "completed": 0, "failed": 0}, "metadata": body.get("metadata"),
                "_lines": lines,
            }
            if self.create_gate is not None:  # the batch exists upstream, but its creator hears nothing yet
                self.create_gate.wait(60)
            return Reply(200, self._public(batch_id))
        if parts[-1] == "batches" and req.method == "GET":
            newest_first = sorted(self.batches, key=lambda b: self.batches[b]["created_at"], reverse=True)
            return Reply(200, {"object": "list", "data": [self._public(b) for b in newest_first], "has_more": False})
        if len(parts) >= 2 and parts[-2] == "batches" and req.method == "GET":
            if parts[-1] not in self.batches:
                return openai_error(404, f"No batch found with id '{parts[-1]}'.")
            self._advance(parts[-1])
            return Reply(200, self._public(parts[-1]))
        if len(parts) >= 3 and parts[-3] == "batches" and parts[-1] == "cancel" and req.method == "POST":
            batch = self.batches.get(parts[-2])
            if batch is None:
                return openai_error(404, f"No batch found with id '{parts[-2]}'.")
            if batch["status"] in ("validating", "in_progress"):
                batch["status"] = "cancelling"
            return Reply(200, self._public(parts[-2]))
        return openai_error(404, f"Invalid URL ({req.method} {req.path})")

    def _public(self, batch_id: str) -> dict:
        return {k: v for k, v in self.batches[batch_id].items() if not k.startswith("_")}

    def _advance(self, batch_id: str) -> None:
        batch = self.batches[batch_id]
        if batch["status"] == "validating":
            batch["status"] = "in_progress"
        elif batch["status"] == "in_progress" and not self.hold_batches:
            batch["status"] = "finalizing"
        elif batch["status"] == "finalizing":
            self._finish(batch, "completed")
        elif batch["status"] == "cancelling":
            self._finish(batch, "cancelled", run=False)

    def _finish(self, batch: dict, status: str, run: bool = True) -> None:
        out, err = [], []
        for line in batch["_lines"] if run else []:
            body = line.get("body") or {}
            messages = body.get("messages") or [{}]
            text = messages[-1].get("content")
            text = text if isinstance(text, str) else json.dumps(text)
            self.answered.append(line.get("custom_id"))
            rid = f"req_fake{next(_ids)}"
            if text.startswith("fail"):
                err.append({"id": f"batch_req_{next(_ids)}", "custom_id": line.get("custom_id"),
                            "response": {"status_code": 400, "request_id": rid,
                                         "body": openai_error_body("fake refusal of " + text)}, "error": None})
            else:
                out.append({"id": f"batch_req_{next(_ids)}", "custom_id": line.get("custom_id"),
                            "response": {"status_code": 200, "request_id": rid,
                                         "body": openai_text_completion(f"batch answer to {text}", model=body.get("model", "gpt-4o-mini"))},
                            "error": None})
        for rows, key in ((out, "output_file_id"), (err, "error_file_id")):
            if rows:
                batch[key] = self.add_file("".join(json.dumps(r) + "\n" for r in rows).encode(), "batch_output")
        batch["status"] = status
        batch["request_counts"] = {"total": len(batch["_lines"]), "completed": len(out), "failed": len(err)}


def _multipart(req: Recorded) -> tuple[str, str, bytes]:
    """(purpose, filename, file bytes) of a multipart/form-data upload."""
    from email.parser import BytesParser
    from email.policy import default as default_policy
    head = f"Content-Type: {req.header('content-type')}\r\n\r\n".encode()
    message = BytesParser(policy=default_policy).parsebytes(head + req.body)
    purpose, filename, content = "", "", b""
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name == "purpose":
            purpose = part.get_content().strip()
        elif name == "file":
            filename = part.get_filename() or ""
            content = part.get_payload(decode=True) or b""
    return purpose, filename, content
