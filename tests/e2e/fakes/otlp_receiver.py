"""A real OTLP/HTTP trace receiver: `POST /v1/traces` with an ExportTraceServiceRequest, protobuf
(`application/x-protobuf`) or JSON (`application/json`), decoded with opentelemetry-proto, as a collector would.

Spans are kept flattened (ids as lower-case hex, attributes as plain Python values) so tests read them directly.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (ExportTraceServiceRequest,
                                                                        ExportTraceServiceResponse)
from opentelemetry.proto.trace.v1.trace_pb2 import Span as ProtoSpan

KINDS = {ProtoSpan.SPAN_KIND_SERVER: "server", ProtoSpan.SPAN_KIND_CLIENT: "client",
         ProtoSpan.SPAN_KIND_INTERNAL: "internal", ProtoSpan.SPAN_KIND_PRODUCER: "producer",
         ProtoSpan.SPAN_KIND_CONSUMER: "consumer"}


def _value(v):
    which = v.WhichOneof("value")
    if which == "array_value":
        return [_value(x) for x in v.array_value.values]
    if which == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in v.kvlist_value.values}
    return getattr(v, which) if which else None


@dataclass
class ReceivedSpan:
    name: str
    kind: str
    trace_id: str
    span_id: str
    parent_span_id: str
    start_ns: int
    end_ns: int
    status_code: int  # 0 unset, 1 ok, 2 error
    attributes: dict
    resource: dict


class OTLPReceiver:
    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.requests: list[tuple[str, str]] = []  # (path, content type) of every POST, traces or not
        self._cond = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, fmt, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                ctype = (self.headers.get("content-type") or "").split(";")[0].strip()
                if self.path != "/v1/traces":
                    with receiver._cond:
                        receiver.requests.append((self.path, ctype))
                    self.send_response(404)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                request = ExportTraceServiceRequest()
                if ctype == "application/json":
                    json_format.Parse(body, request)
                else:
                    request.ParseFromString(body)
                receiver._add(self.path, ctype, request)
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _add(self, path: str, ctype: str, request: ExportTraceServiceRequest) -> None:
        spans = []
        for rs in request.resource_spans:
            resource = {kv.key: _value(kv.value) for kv in rs.resource.attributes}
            for ss in rs.scope_spans:
                for s in ss.spans:
                    spans.append(ReceivedSpan(
                        name=s.name, kind=KINDS.get(s.kind, str(s.kind)), trace_id=s.trace_id.hex(),
                        span_id=s.span_id.hex(), parent_span_id=s.parent_span_id.hex(),
                        start_ns=s.start_time_unix_nano, end_ns=s.end_time_unix_nano, status_code=s.status.code,
                        attributes={kv.key: _value(kv.value) for kv in s.attributes}, resource=resource))
        with self._cond:
            self.requests.append((path, ctype))
            self.spans.extend(spans)
            self._cond.notify_all()

    def wait_for(self, predicate, timeout: float = 15.0) -> list[ReceivedSpan]:
        """Waits until predicate(spans so far) holds; returns the spans. A bound, so a missing span fails, never hangs."""
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self.spans), timeout):
                raise AssertionError(f"the receiver did not get the expected spans within {timeout}s; got: {self.spans}")
            return list(self.spans)

    def trace(self, trace_id: str, count: int, timeout: float = 15.0) -> list[ReceivedSpan]:
        """The spans of one trace, once `count` of them have arrived."""
        spans = self.wait_for(lambda all_: sum(s.trace_id == trace_id for s in all_) >= count, timeout)
        return [s for s in spans if s.trace_id == trace_id]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
