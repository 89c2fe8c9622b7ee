"""The answer cache through the real gateway binary and boto3: exact hits for Converse, ConverseStream and an
InvokeModel family body, semantic hits for a paraphrase (the OpenAI fake's `bow-` embeddings are bag-of-words
vectors, see fakes/openai_fake.py), scopes of virtual keys, the per-request controls in headers and in
`requestMetadata`, TTL, failed streams, a restart, and what the headers, the request log, the metrics and the
admin API say. Every hit is checked on the fake's own request log: the upstream saw nothing."""
from __future__ import annotations

import json
import re
import sqlite3
import time

import boto3
import pytest
import requests
from botocore.config import Config

from fakes.base import Stream
from fakes.openai_fake import openai_stream_error_event, openai_stream_events_for
from helpers import ADMIN_HEADERS, admin_call, admin_get, collect_until_error, default_config, with_admin_token

MODEL = "openai/gpt-4o-mini"
CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
SYSTEM = "Answer briefly."
KEYS = {"alpha": ("SWYDCACHETESTKEYAAAA", "cache-alpha-secret-0123456789abcdefghij"),
        "beta": ("SWYDCACHETESTKEYBBBB", "cache-beta-secret-0123456789abcdefghijk")}


def cache_config(openai_fake, anthropic_fake, tmp_path, *, cache: dict | None = None, keys: dict | None = None,
                 enabled: bool = True) -> dict:
    config = with_admin_token(default_config(openai_fake, anthropic_fake))
    config["server"]["data_dir"] = str(tmp_path / "data")
    config["cache"] = {"enabled": enabled, "ttl": "5m", "sweep_interval": "1s", **(cache or {})}
    if keys is not None:
        config["governance"] = {"enforce": True, "keys": [
            {"name": name, "access_key_id": KEYS[name][0], "secret": f"env.SWYD_{name.upper()}_SECRET", **rules}
            for name, rules in keys.items()]}
    return config


def key_env() -> dict[str, str]:
    return {f"SWYD_{name.upper()}_SECRET": secret for name, (_, secret) in KEYS.items()}


def keyed_client(gw, name: str, headers: dict[str, str] | None = None):
    client = boto3.client(
        "bedrock-runtime", endpoint_url=gw.bedrock_url, region_name="us-west-2", aws_access_key_id=KEYS[name][0],
        aws_secret_access_key=KEYS[name][1], config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30))
    if headers:
        client.meta.events.register("before-sign.bedrock-runtime.*", lambda request, **_: request.headers.update(headers))
    return client


@pytest.fixture
def cgw(gateway, openai_fake, anthropic_fake, tmp_path):
    return gateway(cache_config(openai_fake, anthropic_fake, tmp_path))


def ask(rt, text: str = "What is the capital of France?", model: str = MODEL, **kw) -> dict:
    return rt.converse(modelId=model, system=[{"text": SYSTEM}], messages=[{"role": "user", "content": [{"text": text}]}],
                       inferenceConfig={"maxTokens": 100, "temperature": 0}, **kw)


def ask_stream(rt, text: str = "What is the capital of France?", **kw) -> tuple[list[dict], dict]:
    resp = rt.converse_stream(modelId=MODEL, system=[{"text": SYSTEM}], messages=[{"role": "user", "content": [{"text": text}]}],
                              inferenceConfig={"maxTokens": 100, "temperature": 0}, **kw)
    return list(resp["stream"]), resp["ResponseMetadata"]["HTTPHeaders"]


def cache_headers(resp: dict) -> dict[str, str]:
    return {k: v for k, v in resp["ResponseMetadata"]["HTTPHeaders"].items() if k.startswith("x-swyd-cache")}


def text_of(resp: dict) -> str:
    return "".join(block.get("text", "") for block in resp["output"]["message"]["content"])


def streamed_text(events: list[dict]) -> str:
    return "".join(e["contentBlockDelta"]["delta"].get("text", "") for e in events if "contentBlockDelta" in e)


def chat_requests(fake) -> list:
    return [r for r in fake.requests if r.path.split("?")[0].endswith(("/chat/completions", "/messages"))]


def embedding_requests(fake) -> list:
    return [r for r in fake.requests if r.path.split("?")[0].endswith("/embeddings")]


def logs(gw, want: int, **params) -> list[dict]:
    """The request log's rows (newest first), once at least `want` are written."""
    for _ in range(200):
        rows = admin_get(gw, "/api/logs", **params).json()["logs"]
        if len(rows) >= want:
            return rows
        time.sleep(0.05)
    raise AssertionError(f"the request log has fewer than {want} rows")


def cache_metric(gw, outcome: str, type_: str) -> float:
    text = requests.get(gw.url + "/metrics", timeout=5).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith("switchyard_cache_requests_total{") and f'outcome="{outcome}"' in line and f'type="{type_}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


# ---- exact hits -------------------------------------------------------------------------------------------
def test_a_repeated_converse_is_answered_from_the_cache_without_the_upstream(cgw, openai_fake):
    rt = cgw.client()
    first = ask(rt)
    assert cache_headers(first)["x-swyd-cache"] == "miss"
    assert len(chat_requests(openai_fake)) == 1
    second = ask(rt)
    headers = cache_headers(second)
    assert headers["x-swyd-cache"] == "hit", headers
    assert headers["x-swyd-cache-type"] == "exact"
    assert re.fullmatch(r"[0-9a-f-]{36}", headers["x-swyd-cache-id"])
    assert int(headers["x-swyd-cache-age"]) >= 0
    assert len(chat_requests(openai_fake)) == 1, "a hit must not reach the upstream"
    assert text_of(second) == text_of(first)
    assert second["usage"] == first["usage"]
    assert second["stopReason"] == first["stopReason"]
    assert second["metrics"]["latencyMs"] >= 0


def test_converse_stream_hit_replays_proper_frames_with_the_original_text_and_usage(cgw, openai_fake):
    rt = cgw.client()
    first, first_headers = ask_stream(rt)
    assert first_headers["x-swyd-cache"] == "miss"
    again, headers = ask_stream(rt)
    assert headers["x-swyd-cache"] == "hit", headers
    assert len(chat_requests(openai_fake)) == 1
    assert [next(iter(e)) for e in again][0] == "messageStart"
    assert [next(iter(e)) for e in again][-2:] == ["messageStop", "metadata"]
    assert streamed_text(again) == streamed_text(first) != ""
    assert again[-1]["metadata"]["usage"] == first[-1]["metadata"]["usage"]
    assert again[-1]["metadata"]["metrics"]["latencyMs"] >= 0
    # The same question without streaming is the same entry.
    assert cache_headers(ask(rt))["x-swyd-cache"] == "hit"
    assert len(chat_requests(openai_fake)) == 1


def test_converse_and_an_invoke_family_body_share_an_entry(cgw, anthropic_fake):
    rt = cgw.client()
    first = ask(rt, model=CLAUDE)
    assert cache_headers(first)["x-swyd-cache"] == "miss"
    assert len(chat_requests(anthropic_fake)) == 1
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100, "temperature": 0, "system": SYSTEM,
            "messages": [{"role": "user", "content": "What is the capital of France?"}]}
    resp = rt.invoke_model(modelId=CLAUDE, body=json.dumps(body), contentType="application/json", accept="application/json")
    assert resp["ResponseMetadata"]["HTTPHeaders"]["x-swyd-cache"] == "hit"
    answer = json.loads(resp["body"].read())
    assert "".join(b.get("text", "") for b in answer["content"]) == text_of(first)
    assert answer["usage"]["output_tokens"] == first["usage"]["outputTokens"]
    stream = rt.invoke_model_with_response_stream(modelId=CLAUDE, body=json.dumps(body), contentType="application/json",
                                                  accept="application/json")
    assert stream["ResponseMetadata"]["HTTPHeaders"]["x-swyd-cache"] == "hit"
    chunks = [json.loads(e["chunk"]["bytes"]) for e in stream["body"]]
    assert "".join(c["delta"].get("text", "") for c in chunks if c["type"] == "content_block_delta") == text_of(first)
    assert len(chat_requests(anthropic_fake)) == 1


def test_a_bedrock_upstream_is_cached_too(gateway, bedrock_fake, openai_fake, anthropic_fake, tmp_path):
    """Bedrock to Bedrock is forwarded untouched when the cache is off; with it on, Converse, ConverseStream and an
    Invoke body the door reads go the canonical way (Converse to the upstream), where the cache answers them."""
    from batch_helpers import with_aws_control_plane
    bedrock_fake.reset()
    gw = gateway(with_aws_control_plane(cache_config(openai_fake, anthropic_fake, tmp_path), bedrock_fake))
    rt = gw.client()
    model = "anthropic.claude-3-5-sonnet-20240620-v1:0"

    def upstream_calls() -> list[str]:
        return [r.path for r in bedrock_fake.requests if "/model/" in r.path]

    first = ask(rt, model=model)
    assert cache_headers(first)["x-swyd-cache"] == "miss"
    assert text_of(first) == "Hello from fake Bedrock."
    assert upstream_calls() == [f"/model/{model.replace(':', '%3A')}/converse"]
    assert bedrock_fake.signatures[-1].ok
    second = ask(rt, model=model)
    assert cache_headers(second)["x-swyd-cache"] == "hit"
    assert text_of(second) == text_of(first) and second["usage"] == first["usage"]
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100, "temperature": 0, "system": SYSTEM,
            "messages": [{"role": "user", "content": "What is the capital of France?"}]}
    invoked = rt.invoke_model(modelId=model, body=json.dumps(body), contentType="application/json", accept="application/json")
    assert invoked["ResponseMetadata"]["HTTPHeaders"]["x-swyd-cache"] == "hit"
    assert "".join(b.get("text", "") for b in json.loads(invoked["body"].read())["content"]) == text_of(first)
    assert len(upstream_calls()) == 1, "hits must not reach Bedrock"

    streamed = rt.converse_stream(modelId=model, messages=[{"role": "user", "content": [{"text": "Stream it."}]}])
    assert streamed["ResponseMetadata"]["HTTPHeaders"]["x-swyd-cache"] == "miss"
    text = streamed_text(list(streamed["stream"]))
    assert text == "Hello from Bedrock." and upstream_calls()[-1].endswith("/converse-stream")
    again = rt.converse_stream(modelId=model, messages=[{"role": "user", "content": [{"text": "Stream it."}]}])
    assert again["ResponseMetadata"]["HTTPHeaders"]["x-swyd-cache"] == "hit"
    assert streamed_text(list(again["stream"])) == text
    assert len(upstream_calls()) == 2
    bedrock_fake.reset()


def test_a_different_question_or_parameter_is_a_miss(cgw, openai_fake):
    rt = cgw.client()
    ask(rt)
    assert cache_headers(ask(rt, "What is the capital of Germany?"))["x-swyd-cache"] == "miss"
    # No case folding: a question that differs only in case is another question.
    assert cache_headers(ask(rt, "what is the capital of France?"))["x-swyd-cache"] == "miss"
    warmer = rt.converse(modelId=MODEL, system=[{"text": SYSTEM}],
                         messages=[{"role": "user", "content": [{"text": "What is the capital of France?"}]}],
                         inferenceConfig={"maxTokens": 100, "temperature": 0.5})
    assert cache_headers(warmer)["x-swyd-cache"] == "miss"
    assert len(chat_requests(openai_fake)) == 4


# ---- controls ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("via", ["header", "requestMetadata"])
def test_no_store_keeps_the_answer_out_of_the_cache(cgw, openai_fake, via):
    rt = cgw.client({"x-swyd-cache": "no-store"}) if via == "header" else cgw.client()
    extra = {"requestMetadata": {"swyd:cache": "no-store"}} if via == "requestMetadata" else {}
    assert cache_headers(ask(rt, **extra))["x-swyd-cache"] == "miss"
    assert cache_headers(ask(cgw.client()))["x-swyd-cache"] == "miss"
    assert len(chat_requests(openai_fake)) == 2


@pytest.mark.parametrize("via", ["header", "requestMetadata"])
def test_off_skips_the_lookup(cgw, openai_fake, via):
    ask(cgw.client())
    rt = cgw.client({"x-swyd-cache": "off"}) if via == "header" else cgw.client()
    extra = {"requestMetadata": {"swyd:cache": "off"}} if via == "requestMetadata" else {}
    assert cache_headers(ask(rt, **extra))["x-swyd-cache"] == "bypass"
    assert len(chat_requests(openai_fake)) == 2


def test_bifrost_no_store_header_is_honoured(cgw, openai_fake):
    ask(cgw.client({"x-bf-cache-no-store": "true"}))
    assert cache_headers(ask(cgw.client()))["x-swyd-cache"] == "miss"


def test_a_bad_control_is_a_validation_error_in_the_bedrock_dialect(cgw, openai_fake):
    from botocore.exceptions import ClientError
    with pytest.raises(ClientError) as info:
        ask(cgw.client({"x-swyd-cache-ttl": "soon"}))
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert "x-swyd-cache-ttl" in info.value.response["Error"]["Message"]
    assert chat_requests(openai_fake) == []


def test_an_entry_expires_after_its_ttl(cgw, openai_fake):
    rt = cgw.client({"x-swyd-cache-ttl": "1s"})
    ask(rt)
    assert cache_headers(ask(cgw.client()))["x-swyd-cache"] == "hit"
    time.sleep(1.3)
    assert cache_headers(ask(cgw.client()))["x-swyd-cache"] == "miss"
    assert len(chat_requests(openai_fake)) == 2


def test_a_failed_stream_is_not_stored(cgw, openai_fake):
    frames = openai_stream_events_for(["partial"], include_usage=False)[:2]
    openai_fake.enqueue(Stream(frames + [openai_stream_error_event("The server had an error.", "server_error")]))
    resp = cgw.client().converse_stream(modelId=MODEL, system=[{"text": SYSTEM}],
                                        messages=[{"role": "user", "content": [{"text": "What is the capital of France?"}]}],
                                        inferenceConfig={"maxTokens": 100, "temperature": 0})
    collect_until_error(resp["stream"])
    assert cache_headers(ask(cgw.client()))["x-swyd-cache"] == "miss"
    assert len(chat_requests(openai_fake)) == 2


def test_the_cache_is_off_unless_enabled(gateway, openai_fake, anthropic_fake, tmp_path):
    gw = gateway(cache_config(openai_fake, anthropic_fake, tmp_path, enabled=False))
    ask(gw.client())
    assert cache_headers(ask(gw.client()))["x-swyd-cache"] == "off"
    assert len(chat_requests(openai_fake)) == 2


def test_a_model_may_turn_the_cache_on_by_its_alias(gateway, openai_fake, anthropic_fake, tmp_path):
    gw = gateway(cache_config(openai_fake, anthropic_fake, tmp_path, enabled=False, cache={"models": {"fast": {"enabled": True}}}))
    ask(gw.client(), model="fast")
    assert cache_headers(ask(gw.client(), model="fast"))["x-swyd-cache"] == "hit"
    assert cache_headers(ask(gw.client()))["x-swyd-cache"] == "off"


# ---- restart ----------------------------------------------------------------------------------------------
def test_entries_survive_a_restart(gateway, openai_fake, anthropic_fake, tmp_path):
    config = cache_config(openai_fake, anthropic_fake, tmp_path)
    first = gateway(config)
    ask(first.client())
    time.sleep(0.3)  # the entry is written to the store behind the answer
    first.stop()
    second = gateway(config)
    assert cache_headers(ask(second.client()))["x-swyd-cache"] == "hit"
    assert len(chat_requests(openai_fake)) == 1


# ---- scopes and budgets -----------------------------------------------------------------------------------
def test_two_virtual_keys_do_not_share_an_entry(gateway, openai_fake, anthropic_fake, tmp_path):
    gw = gateway(cache_config(openai_fake, anthropic_fake, tmp_path, keys={"alpha": {}, "beta": {}}), env=key_env())
    ask(keyed_client(gw, "alpha"))
    assert cache_headers(ask(keyed_client(gw, "beta")))["x-swyd-cache"] == "miss"
    assert cache_headers(ask(keyed_client(gw, "alpha")))["x-swyd-cache"] == "hit"
    assert cache_headers(ask(keyed_client(gw, "beta")))["x-swyd-cache"] == "hit"
    assert len(chat_requests(openai_fake)) == 2


def test_keys_of_one_group_share_entries(gateway, openai_fake, anthropic_fake, tmp_path):
    shared = {"cache": {"scope": "group:search"}}
    gw = gateway(cache_config(openai_fake, anthropic_fake, tmp_path, keys={"alpha": shared, "beta": shared}), env=key_env())
    ask(keyed_client(gw, "alpha"))
    assert cache_headers(ask(keyed_client(gw, "beta")))["x-swyd-cache"] == "hit"
    assert len(chat_requests(openai_fake)) == 1


def test_a_key_may_be_refused_a_control(gateway, openai_fake, anthropic_fake, tmp_path):
    from botocore.exceptions import ClientError
    gw = gateway(cache_config(openai_fake, anthropic_fake, tmp_path, keys={"alpha": {"cache": {"allowed_controls": ["ttl"]}}}),
                 env=key_env())
    with pytest.raises(ClientError) as info:
        ask(keyed_client(gw, "alpha"), requestMetadata={"swyd:cache": "no-store"})
    assert info.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "no-store" in info.value.response["Error"]["Message"]


def test_a_hit_costs_nothing_against_the_budget(gateway, openai_fake, anthropic_fake, tmp_path):
    budget = {"budgets": [{"id": "daily", "limit_usd": "1", "period": "1d"}]}
    gw = gateway(cache_config(openai_fake, anthropic_fake, tmp_path, keys={"alpha": budget}), env=key_env())
    db_path = tmp_path / "data" / "switchyard.sqlite"

    def spend() -> tuple[int, int]:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            row = db.execute("SELECT spentNanos, reservedNanos FROM budget_windows WHERE budgetId = 'daily'").fetchone()
            return (row[0], row[1]) if row else (0, 0)
        finally:
            db.close()

    def settled() -> tuple[int, int]:
        for _ in range(300):
            state = spend()
            if state[0] > 0 and state[1] == 0:
                return state
            time.sleep(0.02)
        raise AssertionError(f"never settled: {spend()}")

    ask(keyed_client(gw, "alpha"))
    after_miss = settled()
    assert cache_headers(ask(keyed_client(gw, "alpha")))["x-swyd-cache"] == "hit"
    time.sleep(0.3)
    assert settled() == after_miss


# ---- semantic ---------------------------------------------------------------------------------------------
SEMANTIC = {"semantic": {"embedding_model": "openai/bow-embed", "threshold": 0.95}}


def test_a_paraphrase_is_a_semantic_hit_and_a_different_question_is_not(gateway, openai_fake, anthropic_fake, tmp_path):
    gw = gateway(cache_config(openai_fake, anthropic_fake, tmp_path, cache=SEMANTIC))
    rt = gw.client()
    ask(rt, "What is the capital of France?")
    paraphrase = ask(rt, "Tell me the capital of France")
    headers = cache_headers(paraphrase)
    assert headers["x-swyd-cache"] == "hit", headers
    assert headers["x-swyd-cache-type"] == "semantic"
    assert float(headers["x-swyd-cache-similarity"]) >= 0.95
    different = ask(rt, "What is the capital of Germany?")
    assert cache_headers(different)["x-swyd-cache"] == "miss"
    assert len(chat_requests(openai_fake)) == 2
    # Every lookup embedded the last user turn with the system prompt, through the engine.
    inputs = [r.json["input"] for r in embedding_requests(openai_fake)]
    assert len(inputs) == 3 and all(SYSTEM in (i[0] if isinstance(i, list) else i) for i in inputs)


def test_a_caller_cannot_lower_the_threshold(gateway, openai_fake, anthropic_fake, tmp_path):
    gw = gateway(cache_config(openai_fake, anthropic_fake, tmp_path, cache=SEMANTIC))
    ask(gw.client(), "capital France Paris river")
    loose = ask(gw.client({"x-swyd-cache-threshold": "0.1"}), "capital France Paris")
    assert cache_headers(loose)["x-swyd-cache"] == "miss"


def test_the_semantic_lookup_s_embedding_is_logged_and_charged(gateway, openai_fake, anthropic_fake, tmp_path):
    gw = gateway(cache_config(openai_fake, anthropic_fake, tmp_path, cache=SEMANTIC))
    ask(gw.client(), "What is the capital of France?")
    rows = logs(gw, 2)
    embedding = [r for r in rows if r["operation"] == "CacheEmbedding"]
    assert len(embedding) == 1 and embedding[0]["model_resolved"] == "bow-embed"
    assert embedding[0]["input_tokens"] > 0


# ---- signals and administration ---------------------------------------------------------------------------
def test_hits_and_misses_are_in_the_request_log_and_the_metrics(cgw, openai_fake):
    before_hits, before_misses = cache_metric(cgw, "hit", "exact"), cache_metric(cgw, "miss", "none")
    ask(cgw.client())
    ask(cgw.client())
    rows = logs(cgw, 2)
    assert [r["cache_outcome"] for r in rows[:2]] == ["hit", "miss"]
    assert rows[0]["cache_type"] == "exact" and rows[1]["cache_type"] is None
    # A hit used no tokens and cost nothing; the miss paid for its answer.
    assert rows[0]["input_tokens"] == 0 and rows[0]["cost_usd"] is not None and float(rows[0]["cost_usd"]) == 0
    assert float(rows[1]["cost_usd"]) > 0
    for _ in range(100):
        if cache_metric(cgw, "hit", "exact") == before_hits + 1:
            break
        time.sleep(0.05)
    assert cache_metric(cgw, "hit", "exact") == before_hits + 1
    assert cache_metric(cgw, "miss", "none") == before_misses + 1


def test_admin_stats_delete_and_purge(cgw, openai_fake):
    ask(cgw.client())
    hit = ask(cgw.client())
    stats = admin_get(cgw, "/api/cache/stats").json()
    assert stats["entries"] == 1 and stats["exact_hits"] == 1 and stats["misses"] == 1
    entry = cache_headers(hit)["x-swyd-cache-id"]
    assert admin_call(cgw, "DELETE", f"/api/cache/entries/{entry}").status_code == 200
    assert admin_call(cgw, "DELETE", f"/api/cache/entries/{entry}").status_code == 404
    assert cache_headers(ask(cgw.client()))["x-swyd-cache"] == "miss"
    time.sleep(0.2)
    purged = admin_call(cgw, "DELETE", "/api/cache?scope=anonymous")
    assert purged.status_code == 200 and purged.json()["deleted"] == 1
    assert admin_call(cgw, "DELETE", "/api/cache?scope=everyone").status_code == 400
    assert requests.get(cgw.url + "/api/cache/stats", timeout=5).status_code == 401
    assert cache_headers(ask(cgw.client()))["x-swyd-cache"] == "miss"


def test_the_cli_shows_stats_and_purges(cgw, openai_fake):
    import subprocess
    from helpers import ADMIN_TOKEN, require_binary
    ask(cgw.client())
    env = {"SWITCHYARD_ADMIN_TOKEN": ADMIN_TOKEN, "PATH": "/usr/bin:/bin"}
    stats = subprocess.run([str(require_binary()), "cache", "stats", "--url", cgw.url, "--json"], env=env, capture_output=True,
                           text=True, timeout=30)
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["entries"] == 1
    time.sleep(0.2)
    purge = subprocess.run([str(require_binary()), "cache", "purge", "--scope", "all", "--url", cgw.url], env=env,
                           capture_output=True, text=True, timeout=30)
    assert purge.returncode == 0, purge.stderr
    assert "deleted 1" in purge.stdout


def test_keys_made_through_the_admin_api_carry_their_cache_policy(gateway, openai_fake, anthropic_fake, tmp_path):
    config = cache_config(openai_fake, anthropic_fake, tmp_path)
    config["governance"] = {"enforce": True}
    gw = gateway(config)

    def create(name: str, cache: dict) -> boto3.client:
        r = admin_call(gw, "POST", "/api/keys", json={"name": name, "cache": cache})
        assert r.status_code == 201, r.text
        key = r.json()
        assert key["cache"]["scope"] == cache.get("scope", "private")
        return boto3.client("bedrock-runtime", endpoint_url=gw.bedrock_url, region_name="us-west-2",
                            aws_access_key_id=key["access_key_id"], aws_secret_access_key=key["secret_access_key"],
                            config=Config(retries={"total_max_attempts": 1}))

    one, two = create("one", {"scope": "group:docs"}), create("two", {"scope": "group:docs"})
    loner = create("loner", {"enabled": True})
    ask(one)
    assert cache_headers(ask(two))["x-swyd-cache"] == "hit"
    assert cache_headers(ask(loner))["x-swyd-cache"] == "miss"
    bad = admin_call(gw, "POST", "/api/keys", json={"name": "bad", "cache": {"scope": "everyone"}})
    assert bad.status_code == 400 and "cache.scope" in bad.json()["error"]["message"]
    assert len(chat_requests(openai_fake)) == 2
