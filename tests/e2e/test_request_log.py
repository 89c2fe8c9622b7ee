"""The request log end to end: one row per call (real boto3 against the gateway, fake upstreams speaking the
providers' wire formats), its cost from the shipped price table, the query API, the live feed, content logging,
retention and what a kill -9 keeps."""
from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import requests

from conftest import start_gateway
from fakes.base import Reply, Stream
from fakes.bedrock_fake import ACCESS_KEY, SECRET_KEY, converse_answer, converse_stream_frames, event_stream
from fakes.openai_fake import openai_error, openai_stream_events_for
from helpers import (ADMIN_TOKEN, admin_get, collect, default_config, invoke_config, provider, raises_client_error, user,
                     with_admin_token)
from batch_helpers import control, create, files, job_id, put_input, wait, converse_record

PRICES = json.loads((Path(__file__).resolve().parents[2] / "Sources/Pricing/Resources/prices.json").read_text())
# Bounded waits for the background writer (a safety net, never a threshold the test measures).
POLLS, POLL = 200, 0.05


def price(key: str) -> dict:
    if key in PRICES["models"]:
        return PRICES["models"][key]
    return next(e for e in PRICES["models"].values() if key in e.get("aliases", []))


def expected_cost(key: str, *, uncached: int, output: int, cache_read: int = 0, batch: bool = False) -> Decimal:
    """gateway-features.md §2.5, exactly: prices are USD per million tokens, the result rounded to a nano-dollar."""
    p = price(key)
    pre = "batch_" if batch else ""
    p_in, p_out = Decimal(p[pre + "input"]), Decimal(p[pre + "output"])
    p_read = Decimal(p.get(pre + "cache_read") or p.get("cache_read") or p[pre + "input"])
    total = (uncached * p_in + cache_read * p_read + output * p_out) / Decimal(1_000_000)
    return total.quantize(Decimal("0.000000001"), rounding=ROUND_HALF_UP)


def log_config(base: dict, **logging) -> dict:
    with_admin_token(base)
    base["logging"] = {"flush_interval_ms": 50, **logging}
    return base


def logs(gw, **params) -> dict:
    r = admin_get(gw, "/api/logs", **params)
    assert r.status_code == 200, r.text
    return r.json()


def row(gw, request_id: str) -> dict:
    """The row with this id, once the writer has written it."""
    for _ in range(POLLS):
        for r in logs(gw, limit=1000)["logs"]:
            if r["id"] == request_id:
                return r
        time.sleep(POLL)
    raise AssertionError(f"no log row {request_id}; newest: {logs(gw, limit=5)['logs']}")


def rows_until(gw, count: int, **params) -> list[dict]:
    for _ in range(POLLS):
        found = logs(gw, limit=1000, **params)["logs"]
        if len(found) >= count:
            return found
        time.sleep(POLL)
    raise AssertionError(f"fewer than {count} rows for {params}: {found}")


def rid(resp: dict) -> str:
    return resp["ResponseMetadata"]["RequestId"]


@pytest.fixture(scope="module")
def log_gw(tmp_path_factory, openai_fake, anthropic_fake):
    gw = start_gateway(tmp_path_factory.mktemp("request-log"), log_config(invoke_config(openai_fake, anthropic_fake)))
    yield gw
    gw.stop()


def check(r: dict, *, operation: str, provider_: str, requested: str, resolved: str, stream: bool, input_: int,
          output: int, stop: str | None, cost: Decimal | None, status: int = 200, door: str = "bedrock-runtime"):
    assert (r["door"], r["operation"], r["provider"], r["model_requested"], r["model_resolved"], r["stream"]) == \
        (door, operation, provider_, requested, resolved, stream), r
    assert (r["input_tokens"], r["output_tokens"], r["stop_reason"], r["http_status"]) == (input_, output, stop, status), r
    assert r["error_code"] is None and r["error_class"] is None, r
    assert (Decimal(r["cost_usd"]) if r["cost_usd"] is not None else None) == cost, r
    assert r["price_version"] == (PRICES["version"] if cost is not None else None), r
    assert r["retries"] == 0 and r["fallback_index"] == 0 and r["latency_ms"] >= 0 and r["upstream_latency_ms"] >= 0
    assert len(r["trace_id"]) == 32 and r["content_in"] is None and r["content_out"] is None


# ---- one row per call, every path -----------------------------------------------------------------------------
def test_converse_to_openai_and_anthropic(log_gw):
    rt = log_gw.client()
    oa = rt.converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    an = rt.converse(modelId="anthropic/claude-sonnet-4-5", messages=[user("Hi")])
    check(row(log_gw, rid(oa)), operation="Converse", provider_="openai", requested="openai/gpt-4o-mini",
          resolved="gpt-4o-mini", stream=False, input_=10, output=5, stop="end_turn",
          cost=expected_cost("openai/gpt-4o-mini", uncached=10, output=5))
    r = row(log_gw, rid(an))
    check(r, operation="Converse", provider_="anthropic", requested="anthropic/claude-sonnet-4-5",
          resolved="claude-sonnet-4-5", stream=False, input_=10, output=5, stop="end_turn",
          cost=expected_cost("anthropic/claude-sonnet-4-5", uncached=10, output=5))
    assert r["provider_key_name"] == "a1" and "sk-ant" not in json.dumps(r)
    assert r["user_agent"].startswith("Boto3/")


def test_converse_stream_to_openai_and_anthropic(log_gw):
    rt = log_gw.client()
    oa = rt.converse_stream(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    collect(oa["stream"])
    an = rt.converse_stream(modelId="anthropic/claude-sonnet-4-5", messages=[user("Hi")])
    collect(an["stream"])
    r = row(log_gw, rid(oa))
    check(r, operation="ConverseStream", provider_="openai", requested="openai/gpt-4o-mini", resolved="gpt-4o-mini",
          stream=True, input_=10, output=5, stop="end_turn", cost=expected_cost("openai/gpt-4o-mini", uncached=10, output=5))
    assert r["time_to_first_token_ms"] is not None and r["tokens_estimated"] is False
    check(row(log_gw, rid(an)), operation="ConverseStream", provider_="anthropic", requested="anthropic/claude-sonnet-4-5",
          resolved="claude-sonnet-4-5", stream=True, input_=10, output=5, stop="end_turn",
          cost=expected_cost("anthropic/claude-sonnet-4-5", uncached=10, output=5))


def test_invoke_family_and_its_stream(log_gw):
    rt = log_gw.client()
    body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "messages": [{"role": "user", "content": "Hi"}]})
    plain = rt.invoke_model(modelId="anthropic/claude-sonnet-4-5", body=body)
    plain["body"].read()
    streamed = rt.invoke_model_with_response_stream(modelId="anthropic/claude-sonnet-4-5", body=body)
    for _ in streamed["body"]:
        pass
    cost = expected_cost("anthropic/claude-sonnet-4-5", uncached=10, output=5)
    check(row(log_gw, rid(plain)), operation="InvokeModel", provider_="anthropic", requested="anthropic/claude-sonnet-4-5",
          resolved="claude-sonnet-4-5", stream=False, input_=10, output=5, stop="end_turn", cost=cost)
    check(row(log_gw, rid(streamed)), operation="InvokeModelWithResponseStream", provider_="anthropic",
          requested="anthropic/claude-sonnet-4-5", resolved="claude-sonnet-4-5", stream=True, input_=10, output=5,
          stop="end_turn", cost=cost)


def test_count_tokens_and_titan_embeddings(log_gw, anthropic_fake):
    rt = log_gw.client()
    counted = rt.count_tokens(modelId="anthropic/claude-sonnet-4-5", input={"converse": {"messages": [user("Hi")]}})
    r = row(log_gw, rid(counted))
    assert (r["operation"], r["provider"], r["model_resolved"], r["http_status"], r["error_code"]) == \
        ("CountTokens", "anthropic", "claude-sonnet-4-5", 200, None), r
    assert r["output_tokens"] == 0 and Decimal(r["cost_usd"]) == 0  # counting is free

    embedded = rt.invoke_model(modelId="amazon.titan-embed-text-v2:0", body=json.dumps({"inputText": "three word input"}))
    embedded["body"].read()
    check(row(log_gw, rid(embedded)), operation="InvokeModel", provider_="openai", requested="amazon.titan-embed-text-v2:0",
          resolved="text-embedding-3-small", stream=False, input_=3, output=0, stop=None,
          cost=expected_cost("openai/text-embedding-3-small", uncached=3, output=0))


def test_errors_as_the_client_saw_them(log_gw, openai_fake):
    rt = log_gw.client()
    with raises_client_error("ResourceNotFoundException", 404) as raised:
        rt.converse(modelId="nosuchprovider/some-model", messages=[user("Hi")])
    r = row(log_gw, raised.value.response["ResponseMetadata"]["RequestId"])
    assert (r["http_status"], r["error_code"], r["error_class"], r["provider"], r["cost_usd"]) == \
        (404, "ResourceNotFoundException", "caller", None, "0"), r

    openai_fake.enqueue(openai_error(429, "Rate limit reached", type_="requests", code="rate_limit_exceeded"))
    with raises_client_error("ThrottlingException", 429) as raised:
        rt.converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    r = row(log_gw, raised.value.response["ResponseMetadata"]["RequestId"])
    assert (r["http_status"], r["error_code"], r["error_class"], r["provider"], r["model_resolved"]) == \
        (429, "ThrottlingException", "provider", "openai", "gpt-4o-mini"), r
    assert logs(log_gw, error_class="provider", limit=1000)["logs"][0]["error_class"] == "provider"


def test_a_client_that_leaves_a_stream_is_logged_with_the_tokens_seen(log_gw, openai_fake):
    gate = threading.Event()
    pieces = ["Once", " upon", " a", " time"] + [" more"] * 200
    openai_fake.enqueue(Stream(openai_stream_events_for(pieces), gate=gate, gate_before=3))
    resp = log_gw.client().converse_stream(modelId="openai/gpt-4o-mini", messages=[user("Story")])
    seen = []
    for event in resp["stream"]:
        seen.append(event)
        if "contentBlockDelta" in event:
            break
    resp["stream"].close()
    gate.set()
    r = row(log_gw, rid(resp))
    assert (r["error_code"], r["error_class"], r["stream"], r["tokens_estimated"]) == \
        ("ClientClosedRequest", None, True, True), r
    # "Once" (and perhaps " upon") had arrived: a handful of characters, about a token, and never the whole answer.
    assert 1 <= r["output_tokens"] < len("".join(pieces)) // 4, r
    assert r["cost_usd"] == str(expected_cost("openai/gpt-4o-mini", uncached=0, output=r["output_tokens"]).normalize())


def test_bedrock_passthrough_plain_and_streamed(gateway, bedrock_fake, openai_fake):
    bedrock_fake.reset()
    keys = [{"name": "aws1", "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}]
    gw = gateway(log_config({"providers": {"bedrock": provider(bedrock_fake.url, keys, region="eu-central-1")}}))
    model = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    bedrock_fake.enqueue(Reply(200, converse_answer("Bonjour", input_tokens=3, output_tokens=2)))
    gw.client().converse(modelId=model, messages=[user("Hi")])
    bedrock_fake.enqueue(event_stream(converse_stream_frames(["Once", " upon"], input_tokens=12, output_tokens=7)))
    collect(gw.client().converse_stream(modelId=model, messages=[user("Hi")])["stream"])
    streamed, plain = rows_until(gw, 2)[:2]
    key = f"bedrock/{model}"
    check(plain, operation="Converse", provider_="bedrock", requested=model, resolved=model, stream=False, input_=3,
          output=2, stop="end_turn", cost=expected_cost(key, uncached=3, output=2))
    check(streamed, operation="ConverseStream", provider_="bedrock", requested=model, resolved=model, stream=True,
          input_=12, output=7, stop="end_turn", cost=expected_cost(key, uncached=12, output=7))


def test_gateway_run_batch_records_carry_the_job_and_batch_prices(log_gw):
    s3, br = files(log_gw), control(log_gw)
    arn = create(br, put_input(s3, [converse_record(f"r{i}", f"Q{i}") for i in range(2)]), name="logged-batch")
    assert wait(br, arn)["status"] == "Completed"
    jid = job_id(arn)
    for _ in range(POLLS):
        batch_rows = [r for r in logs(log_gw, limit=1000)["logs"]
                      if r["batch_job_id"] == jid and r["operation"] == "BatchRecord"]
        if len(batch_rows) == 2:
            break
        time.sleep(POLL)
    assert sorted(r["id"] for r in batch_rows) == [f"{jid}-0", f"{jid}-1"]
    for r in batch_rows:
        check(r, operation="BatchRecord", provider_="openai", requested="openai/gpt-4o-mini", resolved="gpt-4o-mini",
              stream=False, input_=10, output=5, stop="end_turn", door="batch",
              cost=expected_cost("openai/gpt-4o-mini", uncached=10, output=5, batch=True))


# ---- the API: totals, filters, cursor, the live feed ----------------------------------------------------------
def test_totals_filters_and_cursor(gateway, openai_fake, anthropic_fake):
    gw = gateway(log_config(default_config(openai_fake, anthropic_fake)))
    rt = gw.client()
    for _ in range(3):
        rt.converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    rt.converse(modelId="anthropic/claude-sonnet-4-5", messages=[user("Hi")])
    rt.converse(modelId="groq/llama-unpriced", messages=[user("Hi")])
    with raises_client_error("ResourceNotFoundException", 404):
        rt.converse(modelId="nosuch/model", messages=[user("Hi")])
    everything = rows_until(gw, 6)
    assert len(everything) == 6
    assert [r["started_at_us"] for r in everything] == sorted((r["started_at_us"] for r in everything), reverse=True)

    totals = admin_get(gw, "/api/logs/totals").json()
    oa, an = expected_cost("openai/gpt-4o-mini", uncached=10, output=5), expected_cost("anthropic/claude-sonnet-4-5", uncached=10, output=5)
    assert (totals["count"], totals["succeeded"], totals["unpriced"]) == (6, 5, 1), totals
    assert totals["success_rate"] == pytest.approx(5 / 6)
    assert (totals["input_tokens"], totals["output_tokens"]) == (50, 25)
    assert Decimal(totals["cost_usd"]) == 3 * oa + an
    assert totals["latency_p50_ms"] is not None and totals["latency_p95_ms"] >= totals["latency_p50_ms"]
    assert logs(gw)["totals"] == totals

    # The series aggregates the same rows in the store: one day-wide bucket holds them all, and agrees with the totals.
    series = admin_get(gw, "/api/logs/series", bucket="86400").json()
    assert series["bucket_seconds"] == 86400 and sum(sum(b["calls"].values()) for b in series["buckets"]) == 6, series
    assert sum(b["calls"].get("caller", 0) for b in series["buckets"]) == 1
    assert sum(b["tokens"] for b in series["buckets"]) == 75
    assert sum(Decimal(b["cost_usd"]) for b in series["buckets"]) == 3 * oa + an
    top = series["top_models"][0]
    assert (top["name"], top["calls"], Decimal(top["cost_usd"])) == ("gpt-4o-mini", 3, 3 * oa), series["top_models"]
    assert admin_get(gw, "/api/logs/series", bucket="0").status_code == 400
    assert admin_get(gw, "/api/logs/series", bucket="1", **{"from": "2020-01-01T00:00:00Z"}).status_code == 400

    assert {r["provider"] for r in logs(gw, provider="openai")["logs"]} == {"openai"}
    assert len(logs(gw, model="gpt-4o-mini")["logs"]) == 3
    assert [r["http_status"] for r in logs(gw, status="404")["logs"]] == [404]
    assert [r["error_class"] for r in logs(gw, error_class="caller")["logs"]] == ["caller"]
    assert len(logs(gw, success="false")["logs"]) == 1
    assert {r["provider"] for r in logs(gw, min_cost=str(an))["logs"]} == {"anthropic"}
    assert logs(gw, to="1970-01-02T00:00:00Z")["logs"] == []

    pages, cursor = [], None
    while True:
        page = logs(gw, limit=4, **({"before": cursor} if cursor else {}))
        pages.append([r["id"] for r in page["logs"]])
        cursor = page.get("next")
        if not cursor:
            break
    assert [len(p) for p in pages] == [4, 2] and sum(pages, []) == [r["id"] for r in everything]

    for bad in ({"limit": "0"}, {"status": "abc"}, {"error_class": "cosmic"}, {"before": "not-a-cursor"},
                {"from": "yesterday"}, {"min_cost": "lots"}, {"colour": "blue"}):
        r = admin_get(gw, "/api/logs", **bad)
        assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidFilter", (bad, r.text)
        assert list(bad)[0] in r.json()["error"]["message"]


def test_live_feed_delivers_a_call_made_while_subscribed(log_gw):
    with requests.get(log_gw.url + "/api/logs/stream", stream=True, timeout=10,
                      headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}) as feed:
        assert feed.headers["content-type"].startswith("text/event-stream")
        lines = feed.iter_lines(decode_unicode=True)
        assert next(lines) == ": connected"
        resp = log_gw.client().converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
        for line in lines:
            if line.startswith("data: "):
                r = json.loads(line[len("data: "):])
                if r["id"] == rid(resp):
                    break
        assert (r["operation"], r["provider"], r["output_tokens"]) == ("Converse", "openai", 5)


def test_admin_api_is_off_unless_configured(gateway, openai_fake, anthropic_fake):
    gw = gateway(default_config(openai_fake, anthropic_fake))
    assert admin_get(gw, "/api/logs").status_code == 404
    assert admin_get(gw, "/api/logs/stream").status_code == 404


def test_the_log_api_wants_the_admin_token(log_gw):
    for path in ("/api/logs", "/api/logs/totals", "/api/logs/stream"):
        missing = requests.get(log_gw.url + path, timeout=10)
        assert missing.status_code == 401 and "Authorization: Bearer" in missing.json()["error"]["message"], path
        wrong = requests.get(log_gw.url + path, headers={"Authorization": "Bearer not-the-token"}, timeout=10)
        assert wrong.status_code == 401 and "not-the-token" not in wrong.text, path


# ---- content, retention, crashes ------------------------------------------------------------------------------
SECRET = "sk-proj-Zx9yW8vU7tS6rQ5pO4nM3lK2"


def test_content_is_off_by_default_and_redacted_and_truncated_when_on(gateway, log_gw, openai_fake, anthropic_fake):
    prompt = f"my key is {SECRET} please keep it " + "x" * 400
    off = log_gw.client().converse(modelId="openai/gpt-4o-mini", messages=[user(prompt)])
    r = row(log_gw, rid(off))
    assert r["content_in"] is None and r["content_out"] is None

    gw = gateway(log_config(default_config(openai_fake, anthropic_fake), content=True, content_max_bytes=120))
    on = gw.client().converse(modelId="openai/gpt-4o-mini", messages=[user(prompt)])
    r = row(gw, rid(on))
    assert SECRET not in r["content_in"] and "[redacted]" in r["content_in"], r["content_in"]
    assert r["content_in"].startswith("user: my key is [redacted] please keep it xxx")
    assert r["content_in"].endswith("…[truncated]") and len(r["content_in"].encode()) <= 120 + len("…[truncated]".encode())
    assert r["content_out"] == "Hello from fake OpenAI."
    streamed = gw.client().converse_stream(modelId="openai/gpt-4o-mini", messages=[user("tell me")])
    collect(streamed["stream"])
    assert row(gw, rid(streamed))["content_out"] == "Hello from fake OpenAI."
    assert [x["id"] for x in logs(gw, q="TELL ME")["logs"]] == [rid(streamed)]
    db = sqlite3.connect(gw.workdir / "switchyard-data" / "switchyard.sqlite")
    assert SECRET not in json.dumps(db.execute("SELECT contentIn, contentOut FROM request_log").fetchall())
    db.close()


def test_retention_deletes_old_rows(gateway, tmp_path, openai_fake, anthropic_fake):
    config = log_config(default_config(openai_fake, anthropic_fake), retention_days=7)
    workdir = tmp_path / "retention"
    gw = start_gateway(workdir, config)
    recent = rid(gw.client().converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")]))
    row(gw, recent)
    gw.stop()
    db = sqlite3.connect(workdir / "switchyard-data" / "switchyard.sqlite")
    db.row_factory = sqlite3.Row
    template = dict(db.execute("SELECT * FROM request_log WHERE id = ?", (recent,)).fetchone())
    old = {**template, "id": "old-row", "startMicros": template["startMicros"] - 8 * 86_400_000_000}
    db.execute(f"INSERT INTO request_log ({', '.join(old)}) VALUES ({', '.join('?' * len(old))})", list(old.values()))
    db.commit()
    db.close()
    gw = start_gateway(workdir, config)
    try:
        for _ in range(POLLS):
            ids = [r["id"] for r in logs(gw, limit=1000)["logs"]]
            if "old-row" not in ids:
                break
            time.sleep(POLL)
        assert ids == [recent]
    finally:
        gw.stop()


def test_kill_9_keeps_every_row_written_before_it(tmp_path, openai_fake, anthropic_fake):
    """What a kill -9 loses is the queue: rows of calls that ended within the last flush interval. Rows the
    writer has committed (visible through the API) survive, whole."""
    config = log_config(default_config(openai_fake, anthropic_fake))
    workdir = tmp_path / "kill9"
    gw = start_gateway(workdir, config)
    ids = [rid(gw.client().converse(modelId="openai/gpt-4o-mini", messages=[user(f"Hi {i}")])) for i in range(5)]
    committed = rows_until(gw, 5)
    gw.stop(signal.SIGKILL)
    assert gw.proc.returncode == -signal.SIGKILL
    gw = start_gateway(workdir, config)
    try:
        after = logs(gw, limit=1000)["logs"]
        assert sorted(r["id"] for r in after) == sorted(ids)
        assert after == committed
    finally:
        gw.stop()
