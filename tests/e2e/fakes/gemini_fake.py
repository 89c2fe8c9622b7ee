"""Fake Gemini API upstream (POST {base}/v1beta/models/{model}:{method}) and payload builders.

Shapes follow the Gemini API reference: `GenerateContentResponse` objects (`candidates[].content.parts[]` with
`text`, `thought: true` thought summaries, `thoughtSignature`, `functionCall {name, args}`; `finishReason`;
`usageMetadata {promptTokenCount, candidatesTokenCount, cachedContentTokenCount, thoughtsTokenCount,
totalTokenCount}`; `promptFeedback.blockReason` when the prompt itself is blocked), `:streamGenerateContent?alt=sse`
as `data: {GenerateContentResponse}\\r\\n\\r\\n` frames with no terminator (usage on every chunk, the finish reason on
the last), `:countTokens` → `{"totalTokens"}`, `:batchEmbedContents` → `{"embeddings": [{"values"}]}`, and error
bodies `{"error": {"code", "message", "status"}}` (also written into a started stream).
Like the real API it refuses a request without a key (403 PERMISSION_DENIED); the key travels in `x-goog-api-key`.
Batch mode (`GeminiBatchState`, per fake as `batch_api`): `:batchGenerateContent` with inline requests, the
`batches/{id}` operation, and `batches/{id}:cancel`. Files (`GeminiFilesState`, per fake as `files_api`): the
resumable upload protocol, `files/{id}` metadata and delete.
"""
from __future__ import annotations

import itertools
import json
import re
from typing import Any

from .base import FakeUpstream, Recorded, Reply, Stream

_ids = itertools.count(1)
DEFAULT_TEXT = "Hello from fake Gemini."
PATH = re.compile(r"^/v1beta/models/(?P<model>[^/:?]+):(?P<method>[A-Za-z]+)(?:\?(?P<query>.*))?$")
STATUSES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
            429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}


def text_part(text: str, signature: str | None = None) -> dict:
    part: dict[str, Any] = {"text": text}
    if signature is not None:
        part["thoughtSignature"] = signature
    return part


def thought_part(text: str, signature: str | None = None) -> dict:
    return {**text_part(text, signature), "thought": True}


def function_call_part(name: str, args: dict | None = None, signature: str | None = None) -> dict:
    part: dict[str, Any] = {"functionCall": {"name": name, "args": args or {}}}
    if signature is not None:
        part["thoughtSignature"] = signature
    return part


def usage_metadata(prompt_tokens: int = 10, candidates_tokens: int | None = 5, cached_tokens: int | None = None,
                   thoughts_tokens: int | None = None) -> dict:
    u: dict[str, Any] = {"promptTokenCount": prompt_tokens}
    if candidates_tokens is not None:
        u["candidatesTokenCount"] = candidates_tokens
    if cached_tokens is not None:
        u["cachedContentTokenCount"] = cached_tokens
    if thoughts_tokens is not None:
        u["thoughtsTokenCount"] = thoughts_tokens
    u["totalTokenCount"] = prompt_tokens + (candidates_tokens or 0) + (thoughts_tokens or 0)
    u["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt_tokens}]
    return u


def gemini_response(content: str | list[dict] | None = DEFAULT_TEXT, *, finish_reason: str | None = "STOP",
                    prompt_tokens: int = 10, candidates_tokens: int = 5, cached_tokens: int | None = None,
                    thoughts_tokens: int | None = None, model: str = "gemini-2.0-flash") -> dict:
    """A non-streaming `GenerateContentResponse`."""
    parts = [text_part(content)] if isinstance(content, str) else (content or [])
    candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
    if finish_reason is not None:
        candidate["finishReason"] = finish_reason
    return {"candidates": [candidate],
            "usageMetadata": usage_metadata(prompt_tokens, candidates_tokens, cached_tokens, thoughts_tokens),
            "modelVersion": model, "responseId": f"fake-{next(_ids)}"}


def blocked_prompt_response(reason: str = "SAFETY", prompt_tokens: int = 8) -> dict:
    return {"promptFeedback": {"blockReason": reason}, "usageMetadata": usage_metadata(prompt_tokens, None),
            "modelVersion": "gemini-2.0-flash", "responseId": f"fake-{next(_ids)}"}


def sse_data(obj: Any) -> bytes:
    return b"data: " + (obj if isinstance(obj, bytes) else json.dumps(obj).encode()) + b"\r\n\r\n"


def gemini_stream_chunks(text: str | list[str] | None = DEFAULT_TEXT, *, thoughts: list[str] | None = None,
                         thought_signature: str | None = None,
                         function_calls: list[tuple[str, dict, str | None]] | None = None,
                         finish_reason: str | None = "STOP", prompt_tokens: int = 10, candidates_tokens: int = 5,
                         cached_tokens: int | None = None, thoughts_tokens: int | None = None,
                         model: str = "gemini-2.0-flash") -> list[dict]:
    """`GenerateContentResponse` chunks for one streamed answer.

    thoughts: thought-summary pieces, one chunk each; thought_signature closes them on an empty thought part.
    text: the whole string (split into small pieces) or the explicit list of pieces, one chunk each.
    function_calls: [(name, args, signature or None), ...], all in one chunk after the text, as Gemini sends them.
    finish_reason: on the last chunk (None: the stream just ends, which a real upstream never does).
    """
    rid = f"fake-{next(_ids)}"
    chunks: list[list[dict]] = [[thought_part(t)] for t in thoughts or []]
    if thought_signature is not None:
        chunks.append([thought_part("", thought_signature)])
    chunks += [[text_part(p)] for p in _pieces(text)]
    if function_calls:
        chunks.append([function_call_part(n, a, s) for n, a, s in function_calls])
    if not chunks:
        chunks.append([text_part("")])
    out = []
    for i, parts in enumerate(chunks):
        last = i == len(chunks) - 1
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
        if last and finish_reason is not None:
            candidate["finishReason"] = finish_reason
        usage = usage_metadata(prompt_tokens, candidates_tokens if last else None, cached_tokens,
                               thoughts_tokens if last else None)
        out.append({"candidates": [candidate], "usageMetadata": usage, "modelVersion": model, "responseId": rid})
    return out


def gemini_stream_events_for(text: str | list[str] | None = DEFAULT_TEXT, **kw) -> list[bytes]:
    return [sse_data(c) for c in gemini_stream_chunks(text, **kw)]


def gemini_stream(text: str | list[str] | None = DEFAULT_TEXT, *, stream_kw: dict | None = None, **kw) -> Stream:
    return Stream(gemini_stream_events_for(text, **kw), **(stream_kw or {}))


def gemini_error_body(code: int, message: str, status: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "status": status or STATUSES.get(code, "UNKNOWN")}}


def gemini_error(status: int, message: str = "fake upstream error", google_status: str | None = None) -> Reply:
    return Reply(status, gemini_error_body(status, message, google_status))


def gemini_stream_error_event(code: int = 503, message: str = "The model is overloaded. Please try again later.",
                              status: str | None = None) -> bytes:
    """An error delivered inside an already-started SSE stream."""
    return sse_data(gemini_error_body(code, message, status))


def _pieces(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value[i:i + 8] for i in range(0, len(value), 8)] or [""]


class GeminiFake(FakeUpstream):
    def __init__(self) -> None:
        self.batch_api = GeminiBatchState()
        self.files_api = GeminiFilesState()
        super().__init__()

    def reset(self) -> None:
        super().reset()
        self.batch_api = GeminiBatchState()
        self.files_api = GeminiFilesState()

    def default_action(self, req: Recorded):
        if req.path.startswith(("/upload/v1beta/files", "/v1beta/files")):
            return self.files_api.action(req, self.url)
        if req.path.startswith("/v1beta/batches/") or ":batchGenerateContent" in req.path:
            if not req.header("x-goog-api-key"):
                return gemini_error(403, "Method doesn't allow unregistered callers. Please use an API key.")
            return self.batch_api.action(req)
        m = PATH.match(req.path)
        if req.method != "POST" or not m:
            return gemini_error(404, f"Not found: {req.method} {req.path}")
        if not req.header("x-goog-api-key"):
            return gemini_error(403, "Method doesn't allow unregistered callers. Please use an API key.")
        model, method, query = m["model"], m["method"], m["query"] or ""
        body: dict[str, Any] = req.json if isinstance(req.json, dict) else {}
        if method == "generateContent":
            return Reply(200, gemini_response(DEFAULT_TEXT, model=model))
        if method == "streamGenerateContent":
            if "alt=sse" not in query.split("&"):
                return gemini_error(400, "this fake speaks SSE only (alt=sse)")
            return gemini_stream(DEFAULT_TEXT, model=model)
        if method == "countTokens":
            return Reply(200, {"totalTokens": 42})
        if method == "batchEmbedContents":
            n = len(body.get("requests") or [])
            return Reply(200, {"embeddings": [{"values": [float(i + 1), 0.0, 0.0]} for i in range(n)]})
        return gemini_error(404, f"Method {method} not found")


# ---- Batch mode (POST models/{model}:batchGenerateContent, GET batches/{id}, POST batches/{id}:cancel) -------------
# Shapes follow the Gemini API reference: the create answers a long-running Operation named `batches/{id}` whose
# `metadata` is the GenerateContentBatch (`state` BATCH_STATE_PENDING → BATCH_STATE_SUCCEEDED, `batchStats` with
# int64 counts as strings); once done, `response.inlinedResponses.inlinedResponses[]` holds `{response, metadata}`
# or `{error}` per request, in request order. A batch succeeds at its first GET unless `hold_batches`; a request whose
# last text starts with "fail" gets an error.
class GeminiBatchState:
    def __init__(self) -> None:
        self.batches: dict[str, dict] = {}
        self.hold_batches = False

    def action(self, req: Recorded):
        path = req.path.split("?")[0]
        if path.endswith(":batchGenerateContent") and req.method == "POST":
            model = path.split("/models/", 1)[1].rsplit(":", 1)[0]
            batch = (req.json or {}).get("batch") or {}
            requests = ((batch.get("inputConfig") or {}).get("requests") or {}).get("requests") or []
            if not requests:
                return gemini_error(400, "batch.inputConfig.requests.requests must not be empty")
            name = f"batches/fake{next(_ids)}"
            self.batches[name] = {"name": name, "model": f"models/{model}", "displayName": batch.get("displayName"),
                                  "state": "BATCH_STATE_PENDING", "_requests": requests, "_output": None}
            return Reply(200, self._operation(name))
        name = path[len("/v1beta/"):]
        if name.endswith(":cancel") and req.method == "POST":
            batch = self.batches.get(name[: -len(":cancel")])
            if batch is None:
                return gemini_error(404, f"Batch {name} not found")
            if batch["state"] in ("BATCH_STATE_PENDING", "BATCH_STATE_RUNNING"):
                batch["state"] = "BATCH_STATE_CANCELLED"
            return Reply(200, {})
        batch = self.batches.get(name)
        if batch is None or req.method != "GET":
            return gemini_error(404, f"Batch {name} not found")
        if batch["state"] == "BATCH_STATE_PENDING":
            batch["state"] = "BATCH_STATE_RUNNING" if self.hold_batches else "BATCH_STATE_SUCCEEDED"
        elif batch["state"] == "BATCH_STATE_RUNNING" and not self.hold_batches:
            batch["state"] = "BATCH_STATE_SUCCEEDED"
        return Reply(200, self._operation(name))

    def _operation(self, name: str) -> dict:
        batch = self.batches[name]
        n = len(batch["_requests"])
        done = batch["state"] in ("BATCH_STATE_SUCCEEDED", "BATCH_STATE_CANCELLED", "BATCH_STATE_FAILED")
        op: dict[str, Any] = {"name": name, "done": done, "metadata": {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
            "name": name, "model": batch["model"], "displayName": batch["displayName"], "state": batch["state"],
            "batchStats": {"requestCount": str(n), "pendingRequestCount": str(0 if done else n)}}}
        if batch["state"] == "BATCH_STATE_SUCCEEDED":
            items = []
            for item in batch["_requests"]:
                parts = ((item.get("request") or {}).get("contents") or [{}])[-1].get("parts") or [{}]
                text = parts[-1].get("text", "")
                if text.startswith("fail"):
                    items.append({"error": {"code": 400, "message": "fake refusal of " + text, "status": "INVALID_ARGUMENT"},
                                  "metadata": item.get("metadata")})
                else:
                    items.append({"response": gemini_response(f"batch answer to {text}", model=batch["model"][7:]),
                                  "metadata": item.get("metadata")})
            ok = sum(1 for i in items if "response" in i)
            op["metadata"]["batchStats"].update({"successfulRequestCount": str(ok), "failedRequestCount": str(n - ok)})
            op["response"] = {"@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",
                              "inlinedResponses": {"inlinedResponses": items}}
        return op


# ---- Files API (POST /upload/v1beta/files resumable, GET/DELETE /v1beta/files/{id}) ------------------------------
# Shapes follow the Gemini API reference and Google's resumable upload protocol: `start` (X-Goog-Upload-Protocol:
# resumable, X-Goog-Upload-Command: start, X-Goog-Upload-Header-Content-Length / -Content-Type, JSON
# `{"file": {"display_name"}}`) answers 200 with `X-Goog-Upload-URL` and `X-Goog-Upload-Status: active`; the upload
# URL takes `X-Goog-Upload-Command: upload, finalize` at `X-Goog-Upload-Offset: 0` and answers `{"file": File}`
# (`name` files/{id}, `sizeBytes` as a string, `state` ACTIVE). Uploaded bytes are never served back (no download).
class GeminiFilesState:
    def __init__(self) -> None:
        self.files: dict[str, dict] = {}  # name -> File, plus "_content"
        self.sessions: dict[str, dict] = {}  # upload id -> what `start` announced
        self.deleted: list[str] = []

    def action(self, req: Recorded, base_url: str):
        path, _, query = req.path.partition("?")
        if not req.header("x-goog-api-key") and not (path == "/upload/v1beta/files" and "upload_id=" in query):
            return gemini_error(403, "Method doesn't allow unregistered callers. Please use an API key.")
        if path == "/upload/v1beta/files" and req.method == "POST":
            command = (req.header("x-goog-upload-command") or "").lower()
            if command == "start":
                if req.header("x-goog-upload-protocol") != "resumable":
                    return gemini_error(400, "only the resumable protocol is faked")
                upload_id = f"up{next(_ids)}"
                self.sessions[upload_id] = {
                    "length": int(req.header("x-goog-upload-header-content-length") or -1),
                    "type": req.header("x-goog-upload-header-content-type"),
                    "display_name": ((req.json or {}).get("file") or {}).get("display_name"),
                }
                url = f"{base_url}/upload/v1beta/files?upload_id={upload_id}&upload_protocol=resumable"
                return Reply(200, b"", {"X-Goog-Upload-URL": url, "X-Goog-Upload-Status": "active"})
            upload_id = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("upload_id")
            session = self.sessions.pop(upload_id, None)
            if session is None:
                return gemini_error(404, "no such upload session")
            if command != "upload, finalize" or req.header("x-goog-upload-offset") != "0":
                return gemini_error(400, f"unexpected upload command {command!r}")
            if session["length"] != len(req.body):
                return gemini_error(400, f"announced {session['length']} bytes, got {len(req.body)}")
            name = f"files/fake{next(_ids)}"
            self.files[name] = {"name": name, "displayName": session["display_name"], "mimeType": session["type"],
                                "sizeBytes": str(len(req.body)), "state": "ACTIVE", "uri": f"{base_url}/v1beta/{name}",
                                "_content": req.body}
            return Reply(200, {"file": self._public(name)}, {"X-Goog-Upload-Status": "final"})
        name = path[len("/v1beta/"):]
        if name not in self.files:
            return gemini_error(404, f"File {name} not found.")
        if req.method == "DELETE":
            del self.files[name]
            self.deleted.append(name)
            return Reply(200, {})
        if req.method == "GET":
            return Reply(200, self._public(name))
        return gemini_error(404, f"Method {req.method} not found")

    def _public(self, name: str) -> dict:
        return {k: v for k, v in self.files[name].items() if not k.startswith("_")}
