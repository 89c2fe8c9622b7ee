"""OpenTelemetry traces: a real OTLP/HTTP receiver gets a SERVER span per call, parented under the caller's W3C
`traceparent`, and a GenAI CLIENT span per upstream attempt; nothing is exported when no collector is named."""
from __future__ import annotations

import os
import secrets

import pytest

from fakes.anthropic_fake import anthropic_stream_events_for
from fakes.base import Stream
from fakes.openai_fake import openai_error
from fakes.otlp_receiver import OTLPReceiver
from helpers import collect, default_config, user

# The batch span processor's delay, short so spans arrive promptly (the receiver's waits are bounds only).
FAST_EXPORT = {"OTEL_BSP_SCHEDULE_DELAY": "50"}


@pytest.fixture
def receiver():
    r = OTLPReceiver()
    yield r
    r.close()


def traced_config(openai_fake, anthropic_fake, receiver, **provider_settings) -> dict:
    config = default_config(openai_fake, anthropic_fake, **provider_settings)
    config["tracing"] = {"endpoint": receiver.url, "service_name": "switchyard-e2e"}
    return config


def caller_trace() -> tuple[str, str, str]:
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    return trace_id, span_id, f"00-{trace_id}-{span_id}-01"


def spans_of_request(receiver: OTLPReceiver, request_id: str, clients: int):
    """The server span whose request id is `request_id`, once it and `clients` client spans under it arrived."""
    def complete(spans):
        server = [s for s in spans if s.kind == "server" and s.attributes.get("switchyard.request_id") == request_id]
        return server and sum(s.kind == "client" and s.parent_span_id == server[0].span_id for s in spans) >= clients
    spans = receiver.wait_for(complete)
    (server,) = [s for s in spans if s.kind == "server" and s.attributes.get("switchyard.request_id") == request_id]
    children = [s for s in spans if s.kind == "client" and s.parent_span_id == server.span_id]
    return server, sorted(children, key=lambda s: s.start_ns)


def test_converse_under_the_callers_traceparent(gateway, openai_fake, anthropic_fake, receiver):
    gw = gateway(traced_config(openai_fake, anthropic_fake, receiver), env=FAST_EXPORT)
    trace_id, caller_span, header = caller_trace()
    resp = gw.client(headers={"traceparent": header}).converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    request_id = resp["ResponseMetadata"]["RequestId"]

    spans = receiver.trace(trace_id, 2)
    (server,) = [s for s in spans if s.kind == "server"]
    (client,) = [s for s in spans if s.kind == "client"]
    assert server.parent_span_id == caller_span
    assert server.name == "POST /bedrock/model/{modelId}/converse"
    assert server.attributes["http.request.method"] == "POST"
    assert server.attributes["http.route"] == "/bedrock/model/{modelId}/converse"
    assert server.attributes["http.response.status_code"] == 200
    assert server.attributes["switchyard.operation"] == "Converse"
    assert server.attributes["switchyard.request_id"] == request_id
    assert server.resource["service.name"] == "switchyard-e2e"
    assert "tracing on" in gw.log_path.read_text(errors="replace")

    assert client.parent_span_id == server.span_id
    assert client.name == "chat gpt-4o-mini"
    a = client.attributes
    assert a["gen_ai.operation.name"] == "chat"
    assert a["gen_ai.provider.name"] == "openai"
    assert a["gen_ai.request.model"] == "gpt-4o-mini"
    assert a["gen_ai.response.model"] == "gpt-4o-mini"
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (10, 5)
    assert a["gen_ai.response.finish_reasons"] == ["end_turn"]
    assert (a["server.address"], a["server.port"]) == ("127.0.0.1", openai_fake.port)
    assert a["switchyard.key_name"] == "k1"
    assert "error.type" not in a and client.status_code != 2
    # Written from the record's timestamps: the attempt lies inside the call.
    assert server.start_ns <= client.start_ns <= client.end_ns <= server.end_ns


def test_stream_client_span_carries_stream_usage(gateway, openai_fake, anthropic_fake, receiver):
    gw = gateway(traced_config(openai_fake, anthropic_fake, receiver), env=FAST_EXPORT)
    anthropic_fake.enqueue(Stream(anthropic_stream_events_for(["Once ", "upon"], input_tokens=12, output_tokens=7)))
    resp = gw.client().converse_stream(modelId="anthropic/claude-sonnet-4-5", messages=[user("Tell me a story")])
    collect(resp["stream"])

    server, (client,) = spans_of_request(receiver, resp["ResponseMetadata"]["RequestId"], 1)
    assert server.parent_span_id == ""  # no traceparent: a new trace, the server span its root
    assert server.name == "POST /bedrock/model/{modelId}/converse-stream"
    assert server.attributes["switchyard.operation"] == "ConverseStream"
    a = client.attributes
    assert client.name == "chat claude-sonnet-4-5"
    assert a["gen_ai.provider.name"] == "anthropic"
    assert a["gen_ai.request.stream"] is True
    assert (a["gen_ai.usage.input_tokens"], a["gen_ai.usage.output_tokens"]) == (12, 7)
    assert a["gen_ai.response.finish_reasons"] == ["end_turn"]
    assert a["gen_ai.response.time_to_first_chunk"] >= 0
    # The stream's attempt lasts until its body ended, not just until the head arrived.
    assert client.end_ns == server.end_ns


def test_a_retry_is_two_client_spans(gateway, openai_fake, anthropic_fake, receiver):
    gw = gateway(traced_config(openai_fake, anthropic_fake, receiver, max_retries=1), env=FAST_EXPORT)
    openai_fake.enqueue(openai_error(503, "overloaded, try again"))
    trace_id, caller_span, header = caller_trace()
    gw.client(headers={"traceparent": header}).converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert len(openai_fake.requests) == 2

    spans = receiver.trace(trace_id, 3)
    (server,) = [s for s in spans if s.kind == "server"]
    first, second = sorted((s for s in spans if s.kind == "client"), key=lambda s: s.start_ns)
    assert server.parent_span_id == caller_span
    assert first.parent_span_id == second.parent_span_id == server.span_id
    assert first.name == second.name == "chat gpt-4o-mini"
    assert first.status_code == 2 and first.attributes["error.type"] == "unavailable"
    assert "gen_ai.usage.input_tokens" not in first.attributes
    assert second.status_code != 2 and "error.type" not in second.attributes
    assert (second.attributes["gen_ai.usage.input_tokens"], second.attributes["gen_ai.usage.output_tokens"]) == (10, 5)
    assert first.end_ns <= second.start_ns
    assert server.attributes["switchyard.attempts"] == 2


def test_failed_call_marks_server_and_client_spans(gateway, openai_fake, anthropic_fake, receiver):
    gw = gateway(traced_config(openai_fake, anthropic_fake, receiver), env=FAST_EXPORT)
    openai_fake.enqueue(openai_error(500, "upstream broke"))
    trace_id, _, header = caller_trace()
    with pytest.raises(Exception):
        gw.client(headers={"traceparent": header}).converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    spans = receiver.trace(trace_id, 2)
    (server,) = [s for s in spans if s.kind == "server"]
    (client,) = [s for s in spans if s.kind == "client"]
    assert server.status_code == 2 and server.attributes["http.response.status_code"] >= 500
    assert server.attributes["error.type"]  # the code the client saw
    assert client.status_code == 2 and client.attributes["error.type"] == "internal_error"
    # The upstream's error text stays out of the spans.
    assert not any("upstream broke" in str(v) for s in spans for v in s.attributes.values())


def test_no_message_content_in_spans(gateway, openai_fake, anthropic_fake, receiver):
    gw = gateway(traced_config(openai_fake, anthropic_fake, receiver), env=FAST_EXPORT)
    secret_prompt = "purple-elephant-" + secrets.token_hex(6)
    trace_id, _, header = caller_trace()
    gw.client(headers={"traceparent": header}).converse(
        modelId="openai/gpt-4o-mini", system=[{"text": "system-" + secret_prompt}], messages=[user(secret_prompt)])
    spans = receiver.trace(trace_id, 2)
    values = [str(v) for s in spans for v in list(s.attributes.values()) + list(s.resource.values())]
    assert not any(secret_prompt in v for v in values), values
    assert not any("Hello from fake OpenAI" in v for v in values), values
    assert not any(k.startswith(("gen_ai.input", "gen_ai.output", "gen_ai.system")) for s in spans for k in s.attributes)


def test_environment_endpoint_turns_tracing_on(gateway, openai_fake, anthropic_fake, receiver):
    # OTEL_EXPORTER_OTLP_ENDPOINT is a base URL; the exporter adds /v1/traces.
    gw = gateway(default_config(openai_fake, anthropic_fake),
                 env={**FAST_EXPORT, "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.url, "OTEL_SERVICE_NAME": "from-env"})
    trace_id, _, header = caller_trace()
    gw.client(headers={"traceparent": header}).converse(modelId="groq/llama-3.1-8b", messages=[user("Hi")])
    spans = receiver.trace(trace_id, 2)
    (client,) = [s for s in spans if s.kind == "client"]
    assert client.attributes["gen_ai.provider.name"] == "groq"
    assert client.resource["service.name"] == "from-env"
    assert {path for path, _ in receiver.requests} == {"/v1/traces"}


def test_shutdown_flushes_queued_spans_and_leaves_metrics_and_logs_alone(gateway, openai_fake, anthropic_fake, receiver):
    # A batch delay far beyond the test: the spans can only arrive through the flush on SIGTERM. The metrics and
    # logs endpoints name the receiver too: had swift-otel taken over those systems, they would be flushed there.
    gw = gateway(traced_config(openai_fake, anthropic_fake, receiver), env={
        "OTEL_BSP_SCHEDULE_DELAY": "600000", "OTEL_METRIC_EXPORT_INTERVAL": "50", "OTEL_BLRP_SCHEDULE_DELAY": "50",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": receiver.url + "/v1/metrics",
        "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": receiver.url + "/v1/logs"})
    trace_id, _, header = caller_trace()
    gw.client(headers={"traceparent": header}).converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert receiver.spans == []
    assert gw.stop() == 0
    assert sorted(s.kind for s in receiver.spans if s.trace_id == trace_id) == ["client", "server"]
    assert {path for path, _ in receiver.requests} == {"/v1/traces"}


def test_no_spans_without_a_collector(gateway, openai_fake, anthropic_fake, receiver):
    # The receiver listens, but nothing names it: neither the config nor OTEL_EXPORTER_OTLP_*. A tracing gateway
    # flushes on SIGTERM (test above), so after the stop anything sent would be there.
    assert not any(k.startswith("OTEL_EXPORTER_OTLP") for k in os.environ)
    config = default_config(openai_fake, anthropic_fake)
    config["tracing"] = {"service_name": "untraced"}  # a name but no collector: still off
    gw = gateway(config, env={**FAST_EXPORT, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "",
                              "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT": receiver.url + "/v1/metrics"})
    _, _, header = caller_trace()
    gw.client(headers={"traceparent": header}).converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert gw.stop() == 0
    assert receiver.requests == [] and receiver.spans == []
    # Tracing on would have exported to the default collector address, which the receiver cannot see; the
    # gateway says at start whether it traces.
    assert "tracing on" not in gw.log_path.read_text(errors="replace")


def test_tracing_endpoint_must_be_a_url(gateway, openai_fake, anthropic_fake, tmp_path):
    import subprocess, json
    from helpers import require_binary
    config = default_config(openai_fake, anthropic_fake)
    config["tracing"] = {"endpoint": "collector:4318"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(config))
    run = subprocess.run([str(require_binary()), "serve", "--config", str(path), "--port", "1"],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode != 0
    assert "tracing.endpoint" in run.stdout + run.stderr


def test_the_operation_name_comes_from_what_the_call_did_not_from_the_model_name(gateway, openai_fake, anthropic_fake,
                                                                                 receiver):
    import json
    config = traced_config(openai_fake, anthropic_fake, receiver)
    # Neither name says "embed": the Cohere body makes the InvokeModel an embedding; a chat model may say "embed".
    config["aliases"].update({"vectors": "openai/vec-small", "embedder-chat": "openai/embedder-chat-1"})
    gw = gateway(config, env=FAST_EXPORT)
    trace_id, _, header = caller_trace()
    client = gw.client(headers={"traceparent": header})
    client.invoke_model(modelId="vectors", body=json.dumps({"texts": ["three word input"], "input_type": "search_document"}))
    client.converse(modelId="embedder-chat", messages=[user("Hi")])
    assert [r.path for r in openai_fake.requests] == ["/v1/embeddings", "/v1/chat/completions"]
    spans = receiver.trace(trace_id, 4)
    clients = {s.attributes["gen_ai.request.model"]: s for s in spans if s.kind == "client"}
    assert clients["vec-small"].attributes["gen_ai.operation.name"] == "embeddings"
    assert clients["vec-small"].name == "embeddings vec-small"
    assert clients["embedder-chat-1"].attributes["gen_ai.operation.name"] == "chat"


def test_each_attempt_sends_its_client_span_upstream_as_traceparent(gateway, openai_fake, anthropic_fake, receiver):
    gw = gateway(traced_config(openai_fake, anthropic_fake, receiver, max_retries=1), env=FAST_EXPORT)
    openai_fake.enqueue(openai_error(503, "overloaded, try again"))
    trace_id, _, header = caller_trace()
    gw.client(headers={"traceparent": header}).converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    sent = [r.header("traceparent") for r in openai_fake.requests]
    assert len(sent) == 2 and sent[0] != sent[1], sent

    spans = receiver.trace(trace_id, 3)
    first, second = sorted((s for s in spans if s.kind == "client"), key=lambda s: s.start_ns)
    # The upstream joins the caller's trace under the attempt's own span, sampled as the caller asked.
    assert sent == [f"00-{trace_id}-{first.span_id}-01", f"00-{trace_id}-{second.span_id}-01"]
    assert first.name == second.name == "chat gpt-4o-mini"


def test_no_traceparent_goes_upstream_without_tracing(gateway, openai_fake, anthropic_fake):
    gw = gateway(default_config(openai_fake, anthropic_fake))
    _, _, header = caller_trace()
    gw.client(headers={"traceparent": header}).converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert [r.header("traceparent") for r in openai_fake.requests] == [None]
