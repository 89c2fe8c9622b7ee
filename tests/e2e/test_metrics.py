"""Prometheus metrics at GET /metrics, read with prometheus_client's own text parser: every call path moves the
HTTP and LLM counters by exactly what it did (requests by outcome and error class, tokens by type, cost from the
shipped price table, histogram counts), active requests return to 0, and label values come from the configuration
only, so a caller's made-up model id is `model="other"`."""
from __future__ import annotations

import json
import threading
import time
from decimal import Decimal

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from batch_helpers import control, converse_record, create, files, put_input, wait
from fakes.anthropic_fake import anthropic_message, anthropic_stream_events_for
from fakes.base import Reply, Stream
from fakes.bedrock_fake import converse_answer, converse_stream_frames, event_stream
from fakes.openai_fake import openai_completion, openai_error
from helpers import REPO, default_config, provider, raises_client_error, user

PRICES = json.loads((REPO / "Sources/Pricing/Resources/prices.json").read_text())["models"]
CONVERSE_ROUTE = "/bedrock/model/{modelId}/converse"
WAIT_SECONDS = 5.0

Series = dict[tuple[str, frozenset], float]


# ---- reading /metrics ---------------------------------------------------------------------------------------
def scrape(gw) -> Series:
    resp = requests.get(gw.url + "/metrics", timeout=5)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/plain"), resp.headers
    out: Series = {}
    for family in text_string_to_metric_families(resp.text):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def value(series: Series, name: str, **labels: str) -> float:
    return series.get((name, frozenset(labels.items())), 0.0)


def moved(before: Series, after: Series, *names: str) -> dict[tuple[str, frozenset], float]:
    """Every series of these metrics whose value changed, with its change."""
    out = {}
    for key in set(before) | set(after):
        if key[0] in names and not any(label == "le" for label, _ in key[1]):
            delta = after.get(key, 0.0) - before.get(key, 0.0)
            if delta:
                out[key] = delta
    return out


def settled(gw, until) -> Series:
    """Streams end (and are counted) just after the client read their last frame: wait, bounded, for `until`."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        series = scrape(gw)
        if until(series) or time.monotonic() > deadline:
            return series
        time.sleep(0.02)


def key(name: str, **labels: str) -> tuple[str, frozenset]:
    return (name, frozenset(labels.items()))


def llm(door: str, operation: str, provider_: str, model: str, outcome: str = "ok", error_class: str = "none"):
    return key("switchyard_llm_requests_total", door=door, operation=operation, provider=provider_, model=model,
               outcome=outcome, error_class=error_class)


def tokens(provider_: str, model: str, **counts: int) -> dict:
    return {key("switchyard_tokens_total", provider=provider_, model=model, type=t): float(n)
            for t, n in counts.items() if n}


def cost_usd(price_key: str, *, input: int = 0, output: int = 0, cache_read: int = 0, cache_write: int = 0,
             batch: bool = False) -> float:
    """gateway-features.md §2.5 from the shipped table (USD per million tokens), rounded to a nano-dollar."""
    p = PRICES[price_key]
    if batch:
        rates = (p["batch_input"], p["batch_output"], p.get("batch_cache_read", p.get("cache_read", p["batch_input"])),
                 p.get("batch_cache_write", p.get("cache_write", p["batch_input"])))
    else:
        rates = (p["input"], p["output"], p.get("cache_read", p["input"]), p.get("cache_write", p["input"]))
    total = sum(Decimal(n) * Decimal(r) for n, r in zip((input, output, cache_read, cache_write), rates)) / 10**6
    return float(total.quantize(Decimal("1e-9")))


COUNTERS = ("switchyard_llm_requests_total", "switchyard_tokens_total", "switchyard_retries_total",
            "switchyard_uncharged_requests_total")


def assert_cost(before: Series, after: Series, provider_: str, model: str, expected: float) -> None:
    got = value(after, "switchyard_cost_usd_total", provider=provider_, model=model) - \
        value(before, "switchyard_cost_usd_total", provider=provider_, model=model)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-15), (got, expected)


def histogram_count(series: Series, name: str, **labels: str) -> float:
    return value(series, name + "_count", **labels)


# ---- gateways -----------------------------------------------------------------------------------------------
def metrics_config(openai_fake, anthropic_fake, **settings) -> dict:
    config = default_config(openai_fake, anthropic_fake, **settings)
    # The operator advertises this Anthropic model, so it is a label value; gpt-4o-mini is in the built-in table.
    config["providers"]["anthropic"]["models"] = ["claude-sonnet-4-5"]
    return config


@pytest.fixture
def mgw(gateway, openai_fake, anthropic_fake):
    return gateway(metrics_config(openai_fake, anthropic_fake))


# ---- translated calls ---------------------------------------------------------------------------------------
def test_converse_to_openai_counts_request_tokens_cost_and_http(mgw, openai_fake):
    openai_fake.enqueue(Reply(200, openai_completion("Hi", prompt_tokens=12, completion_tokens=7, cached_tokens=4)))
    before = scrape(mgw)
    resp = mgw.client().converse(modelId="openai/gpt-4o-mini", messages=[user("Hello")])
    assert resp["usage"]["inputTokens"] == 8 and resp["usage"]["cacheReadInputTokens"] == 4
    after = scrape(mgw)

    assert moved(before, after, *COUNTERS) == {
        llm("bedrock-runtime", "Converse", "openai", "gpt-4o-mini"): 1.0,
        **tokens("openai", "gpt-4o-mini", input=8, output=7, cache_read=4),
    }
    assert_cost(before, after, "openai", "gpt-4o-mini", cost_usd("openai/gpt-4o-mini", input=8, output=7, cache_read=4))
    http = dict(route=CONVERSE_ROUTE, method="POST")
    assert value(after, "switchyard_http_requests_total", **http, status="200") - \
        value(before, "switchyard_http_requests_total", **http, status="200") == 1
    assert histogram_count(after, "switchyard_http_request_duration_seconds", **http) - \
        histogram_count(before, "switchyard_http_request_duration_seconds", **http) == 1
    call = dict(provider="openai", model="gpt-4o-mini")
    assert histogram_count(after, "switchyard_llm_request_duration_seconds", door="bedrock-runtime", **call) == 1
    assert histogram_count(after, "switchyard_upstream_duration_seconds", **call) == 1
    assert histogram_count(after, "switchyard_overhead_seconds", door="bedrock-runtime") == 1
    # Time to first token is a stream's measure.
    assert histogram_count(after, "switchyard_time_to_first_token_seconds", **call) == 0
    assert value(after, "switchyard_active_requests", door="bedrock-runtime") == 0


def test_converse_stream_to_anthropic_counts_tokens_ttft_and_active(mgw, anthropic_fake):
    gate = threading.Event()
    events = anthropic_stream_events_for(["Once ", "upon ", "a time."], input_tokens=10, output_tokens=5, cache_read=3,
                                         cache_creation=2)
    anthropic_fake.enqueue(Stream(events, gate=gate, gate_before=len(events) - 2))
    before = scrape(mgw)
    stream = mgw.client().converse_stream(modelId="anthropic/claude-sonnet-4-5", messages=[user("Story")])["stream"]
    it = iter(stream)
    seen = [next(it)]
    # Mid-stream the call is in flight.
    assert value(scrape(mgw), "switchyard_active_requests", door="bedrock-runtime") == 1
    gate.set()
    seen += list(it)
    assert any("metadata" in ev for ev in seen), seen

    done = llm("bedrock-runtime", "ConverseStream", "anthropic", "claude-sonnet-4-5")
    after = settled(mgw, lambda s: s.get(done, 0) >= 1)
    assert moved(before, after, *COUNTERS) == {
        done: 1.0, **tokens("anthropic", "claude-sonnet-4-5", input=10, output=5, cache_read=3, cache_write=2)}
    assert_cost(before, after, "anthropic", "claude-sonnet-4-5",
                cost_usd("anthropic/claude-sonnet-4-5-20250929", input=10, output=5, cache_read=3, cache_write=2))
    call = dict(provider="anthropic", model="claude-sonnet-4-5")
    assert histogram_count(after, "switchyard_time_to_first_token_seconds", **call) == 1
    assert histogram_count(after, "switchyard_upstream_duration_seconds", **call) == 1
    assert value(after, "switchyard_active_requests", door="bedrock-runtime") == 0
    http = dict(route="/bedrock/model/{modelId}/converse-stream", method="POST")
    after = settled(mgw, lambda s: value(s, "switchyard_http_requests_total", **http, status="200") >= 1)
    assert value(after, "switchyard_http_requests_total", **http, status="200") == 1


def test_invoke_model_counts_under_its_operation(mgw, anthropic_fake):
    anthropic_fake.enqueue(Reply(200, anthropic_message("Hi", input_tokens=21, output_tokens=4)))
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 20,
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Hello"}]}]}
    before = scrape(mgw)
    # A well-known Bedrock id with no Bedrock provider runs on Anthropic's own API (the built-in table).
    resp = mgw.client().invoke_model(modelId="anthropic.claude-3-haiku-20240307-v1:0", body=json.dumps(body))
    assert json.loads(resp["body"].read())["usage"]["input_tokens"] == 21
    after = scrape(mgw)
    assert moved(before, after, *COUNTERS) == {
        llm("bedrock-runtime", "InvokeModel", "anthropic", "claude-3-haiku-20240307"): 1.0,
        **tokens("anthropic", "claude-3-haiku-20240307", input=21, output=4),
    }
    assert_cost(before, after, "anthropic", "claude-3-haiku-20240307",
                cost_usd("anthropic/claude-3-haiku-20240307", input=21, output=4))


def test_count_tokens_is_a_call_without_tokens(mgw):
    before = scrape(mgw)
    resp = mgw.client().count_tokens(modelId="anthropic/claude-sonnet-4-5",
                                     input={"converse": {"messages": [user("How many tokens is this?")]}})
    assert resp["inputTokens"] > 0
    after = scrape(mgw)
    assert moved(before, after, *COUNTERS) == {
        llm("bedrock-runtime", "CountTokens", "anthropic", "claude-sonnet-4-5"): 1.0}


# ---- errors and label bounds --------------------------------------------------------------------------------
def test_unknown_model_is_a_caller_error_labelled_other(mgw):
    before = scrape(mgw)
    with raises_client_error("ResourceNotFoundException", 404):
        mgw.client().converse(modelId="nosuch/model-x1", messages=[user("Hi")])
    after = scrape(mgw)
    assert moved(before, after, *COUNTERS) == {
        llm("bedrock-runtime", "Converse", "other", "other", outcome="error", error_class="caller"): 1.0}
    http = dict(route=CONVERSE_ROUTE, method="POST", status="404")
    assert value(after, "switchyard_http_requests_total", **http) - value(before, "switchyard_http_requests_total", **http) == 1
    # It never reached the engine's plugins' start, so it was never active.
    assert value(after, "switchyard_active_requests", door="bedrock-runtime") == 0


def test_made_up_models_of_a_configured_provider_share_the_other_label(mgw):
    before = scrape(mgw)
    made_up = [f"zz-invented-{i}" for i in range(3)]
    for name in made_up:
        mgw.client().converse(modelId=f"openai/{name}", messages=[user("Hi")])
    text = requests.get(mgw.url + "/metrics", timeout=5).text
    assert not any(name in text for name in made_up)
    after = scrape(mgw)
    assert moved(before, after, *COUNTERS) == {
        llm("bedrock-runtime", "Converse", "openai", "other"): 3.0,
        **tokens("openai", "other", input=30, output=15),
        # No price for a model the table does not know: counted as unpriced, never as a zero cost.
        key("switchyard_uncharged_requests_total", reason="unknown_model"): 3.0,
    }


def test_provider_throttling_is_a_provider_error(mgw, openai_fake):
    openai_fake.enqueue(openai_error(429, "Rate limit reached", type_="requests", code="rate_limit_exceeded"))
    before = scrape(mgw)
    with raises_client_error("ThrottlingException", 429):
        mgw.client().converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    after = scrape(mgw)
    assert moved(before, after, *COUNTERS) == {
        llm("bedrock-runtime", "Converse", "openai", "gpt-4o-mini", outcome="error", error_class="provider"): 1.0}
    http = dict(route=CONVERSE_ROUTE, method="POST", status="429")
    assert value(after, "switchyard_http_requests_total", **http) - value(before, "switchyard_http_requests_total", **http) == 1
    assert value(after, "switchyard_active_requests", door="bedrock-runtime") == 0


def test_a_retry_on_another_key_is_counted(gateway, openai_fake, anthropic_fake):
    config = metrics_config(openai_fake, anthropic_fake)
    config["providers"]["openai"].update(max_retries=1, keys=[{"name": "k1", "value": "sk-one"}, {"name": "k2", "value": "sk-two"}])
    gw = gateway(config)
    openai_fake.enqueue(openai_error(429, "Rate limit reached", type_="requests"), Reply(200, openai_completion("ok")))
    before = scrape(gw)
    gw.client().converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    after = scrape(gw)
    assert moved(before, after, *COUNTERS) == {
        llm("bedrock-runtime", "Converse", "openai", "gpt-4o-mini"): 1.0,
        key("switchyard_retries_total", provider="openai"): 1.0,
        **tokens("openai", "gpt-4o-mini", input=10, output=5),
    }


# ---- Bedrock passthrough ------------------------------------------------------------------------------------
CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0"


@pytest.fixture
def bedrock_gw(gateway, bedrock_fake, openai_fake):
    from fakes.bedrock_fake import ACCESS_KEY, SECRET_KEY
    bedrock_fake.reset()
    return gateway({"providers": {
        "bedrock": provider(bedrock_fake.url, [{"name": "aws1", "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}],
                            region="eu-central-1"),
        "openai": provider(openai_fake.url + "/v1", [{"value": "sk-test-one"}])}})


def test_bedrock_passthrough_plain_and_streamed(bedrock_gw, bedrock_fake):
    bedrock_fake.enqueue(Reply(200, converse_answer("Bonjour", input_tokens=3, output_tokens=2)))
    before = scrape(bedrock_gw)
    bedrock_gw.client().converse(modelId=CLAUDE, messages=[user("Hello")])
    # A cross-region profile of a known model is labelled as that model.
    bedrock_fake.enqueue(event_stream(converse_stream_frames(["Hel", "lo"], input_tokens=12, output_tokens=7)))
    events = list(bedrock_gw.client().converse_stream(modelId="us." + CLAUDE, messages=[user("Hello")])["stream"])
    assert events[-1]["metadata"]["usage"]["outputTokens"] == 7

    streamed = llm("bedrock-runtime", "ConverseStream", "bedrock", CLAUDE)
    after = settled(bedrock_gw, lambda s: s.get(streamed, 0) >= 1)
    assert moved(before, after, *COUNTERS) == {
        llm("bedrock-runtime", "Converse", "bedrock", CLAUDE): 1.0, streamed: 1.0,
        **tokens("bedrock", CLAUDE, input=3 + 12, output=2 + 7),
    }
    assert_cost(before, after, "bedrock", CLAUDE,
                cost_usd(f"bedrock/{CLAUDE}", input=3, output=2) + cost_usd(f"bedrock/{CLAUDE}", input=12, output=7))
    assert histogram_count(after, "switchyard_time_to_first_token_seconds", provider="bedrock", model=CLAUDE) == 1
    assert value(after, "switchyard_active_requests", door="bedrock-runtime") == 0


# ---- gateway-run batch --------------------------------------------------------------------------------------
def test_gateway_run_batch_records_are_counted_at_batch_prices(mgw):
    s3, br = files(mgw), control(mgw)
    before = scrape(mgw)
    uri = put_input(s3, [converse_record(f"r-{i}", f"What is {i} + {i}?") for i in range(3)])
    job = wait(br, create(br, uri, name="metrics-batch"))
    assert job["status"] == "Completed", job
    after = scrape(mgw)
    assert moved(before, after, *COUNTERS) == {
        llm("batch", "BatchRecord", "openai", "gpt-4o-mini"): 3.0,
        # The runner's own reads and writes of the gateway's store: the input, the results file and the manifest.
        llm("batch", "ReadBatchInput", "other", "other"): 1.0,
        llm("batch", "WriteBatchOutput", "other", "other"): 2.0,
        **tokens("openai", "gpt-4o-mini", input=30, output=15),
    }
    assert_cost(before, after, "openai", "gpt-4o-mini", 3 * cost_usd("openai/gpt-4o-mini", input=10, output=5, batch=True))
    assert value(after, "switchyard_active_requests", door="batch") == 0


# ---- switched off -------------------------------------------------------------------------------------------
def test_metrics_can_be_switched_off(gateway, openai_fake, anthropic_fake):
    config = metrics_config(openai_fake, anthropic_fake)
    config["metrics"] = {"enabled": False}
    gw = gateway(config)
    gw.client().converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert requests.get(gw.url + "/metrics", timeout=5).status_code == 404
