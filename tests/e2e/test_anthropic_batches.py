"""Message Batches at /anthropic/v1/messages/batches through the official `anthropic` SDK, unmodified except for its
base URL.

A batch is a job of the gateway's batch runner (the one `/v1/batches` and the Bedrock door's jobs use): its requests
are kept in the gateway's store, each sent through the engine on its own to whichever provider its model routes to
(here the Anthropic fake, same dialect, and the OpenAI fake, through translation), and the results come back as
Anthropic's JSONL document.
"""
from __future__ import annotations

import signal
import threading
import time
from decimal import Decimal

import anthropic
import pytest

from fakes.anthropic_fake import anthropic_message
from fakes.base import Delay, Reply
from fakes.openai_fake import openai_error, openai_text_completion
from helpers import admin_get, default_config, with_admin_token
from test_request_log import expected_cost

ANTHROPIC_MODEL = "anthropic/claude-sonnet-4-5"
OPENAI_MODEL = "openai/gpt-4o-mini"
# Upper bound of polls for a batch to reach a state (each poll sleeps POLL seconds): a safety net, not a threshold.
POLLS, POLL = 600, 0.05
COUNTS = ("processing", "succeeded", "errored", "canceled", "expired")


def sdk(gw, api_key: str = "sk-ant-anything") -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=gw.url + "/anthropic", api_key=api_key, max_retries=0, timeout=20)


def request(custom_id: str, text: str, model: str = ANTHROPIC_MODEL, **params) -> dict:
    return {"custom_id": custom_id,
            "params": {"model": model, "max_tokens": 50, "messages": [{"role": "user", "content": text}], **params}}


def last_text(req) -> str:
    """The last user message's text of a request the fake received, in either provider's wire format."""
    content = req.json["messages"][-1]["content"]
    return content if isinstance(content, str) else " ".join(p.get("text", "") for p in content if isinstance(p, dict))


def echo_openai(req):
    return Reply(200, openai_text_completion(f"openai heard: {last_text(req)}"))


def echo_anthropic(req):
    return Reply(200, anthropic_message(f"anthropic heard: {last_text(req)}", model=req.json.get("model", "x")))


def wait(client: anthropic.Anthropic, batch_id: str, until: str = "ended"):
    batch = None
    for _ in range(POLLS):
        batch = client.messages.batches.retrieve(batch_id)
        if batch.processing_status == until:
            return batch
        time.sleep(POLL)
    raise AssertionError(f"batch {batch_id} never reached {until}: last seen {batch}")


def counts(batch) -> dict[str, int]:
    return {name: getattr(batch.request_counts, name) for name in COUNTS}


def results(client: anthropic.Anthropic, batch_id: str) -> dict[str, object]:
    return {line.custom_id: line.result for line in client.messages.batches.results(batch_id)}


def messages(fake) -> list:
    return [r for r in fake.requests if r.path.split("?")[0].endswith(("/v1/messages", "/chat/completions"))]


def test_a_batch_runs_each_request_on_its_own_upstream(gw, openai_fake, anthropic_fake):
    client = sdk(gw)
    anthropic_fake.enqueue(*[echo_anthropic] * 2)
    openai_fake.enqueue(*[echo_openai] * 2)
    created = client.messages.batches.create(requests=[
        request("claude-1", "one"), request("claude-2", "two"),
        request("gpt-1", "three", model=OPENAI_MODEL), request("gpt-2", "four", model=OPENAI_MODEL)])
    assert created.id.startswith("msgbatch_") and created.type == "message_batch"
    assert created.processing_status == "in_progress" and created.results_url is None and created.ended_at is None
    assert counts(created) == {"processing": 4, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
    assert 23 * 3600 < (created.expires_at - created.created_at).total_seconds() <= 24 * 3600

    batch = wait(client, created.id)
    assert counts(batch) == {"processing": 0, "succeeded": 4, "errored": 0, "canceled": 0, "expired": 0}
    assert batch.ended_at is not None and batch.results_url == f"{gw.url}/anthropic/v1/messages/batches/{batch.id}/results"
    got = results(client, batch.id)
    assert set(got) == {"claude-1", "claude-2", "gpt-1", "gpt-2"}
    assert all(r.type == "succeeded" and r.message.role == "assistant" for r in got.values())
    texts = {custom_id: r.message.content[0].text for custom_id, r in got.items()}
    assert texts == {"claude-1": "anthropic heard: one", "claude-2": "anthropic heard: two",
                     "gpt-1": "openai heard: three", "gpt-2": "openai heard: four"}
    assert got["gpt-1"].message.model == OPENAI_MODEL and got["claude-1"].message.model == ANTHROPIC_MODEL
    assert got["gpt-1"].message.usage.input_tokens > 0
    # Each request went up once, to the provider its model routes to.
    assert sorted(last_text(r) for r in messages(anthropic_fake)) == ["one", "two"]
    assert sorted(last_text(r) for r in messages(openai_fake)) == ["four", "three"]


def test_gemini_and_bedrock_answer_batch_requests_too(gateway, openai_fake, anthropic_fake, gemini_fake, bedrock_fake):
    from fakes.bedrock_fake import converse_answer
    from fakes.gemini_fake import gemini_response
    from test_openai_door import BedrockUp, GeminiUp, four_provider_config
    gemini_fake.reset()
    bedrock_fake.reset()
    gw = gateway(four_provider_config(openai_fake, anthropic_fake, gemini_fake, bedrock_fake))
    client = sdk(gw)
    gemini_fake.enqueue(Reply(200, gemini_response("gemini says five", prompt_tokens=7, candidates_tokens=3)))
    bedrock_fake.enqueue(Reply(200, converse_answer("bedrock says six", input_tokens=8, output_tokens=4)))
    created = client.messages.batches.create(requests=[
        request("gem", "five", model=GeminiUp.model), request("aws", "six", model=BedrockUp.model)])
    batch = wait(client, created.id)
    assert counts(batch) == {"processing": 0, "succeeded": 2, "errored": 0, "canceled": 0, "expired": 0}
    got = results(client, batch.id)
    assert got["gem"].message.content[0].text == "gemini says five" and got["gem"].message.usage.output_tokens == 3
    assert got["aws"].message.content[0].text == "bedrock says six" and got["aws"].message.usage.input_tokens == 8
    # Each went up once, in its provider's own wire format.
    sent = [r for r in gemini_fake.requests if ":generateContent" in r.path]
    assert len(sent) == 1 and sent[0].json["contents"][-1]["parts"][0]["text"] == "five"
    sent = [r for r in bedrock_fake.requests if r.path.endswith("/converse")]
    assert len(sent) == 1 and sent[0].json["messages"][-1]["content"][0]["text"] == "six"


def test_each_request_is_a_call_of_the_request_log_at_batch_prices(gateway, tmp_path, openai_fake, anthropic_fake):
    config = with_admin_token(default_config(openai_fake, anthropic_fake))
    config["server"]["data_dir"] = str(tmp_path / "data")
    config["logging"] = {"flush_interval_ms": 50}
    gw = gateway(config)
    client = sdk(gw)
    batch = wait(client, client.messages.batches.create(requests=[
        request("claude", "one"), request("gpt", "two", model=OPENAI_MODEL)]).id)
    job_id = batch.id.removeprefix("msgbatch_")
    rows = []
    for _ in range(POLLS):
        found = admin_get(gw, "/api/logs", limit=1000)
        assert found.status_code == 200, found.text
        rows = [r for r in found.json()["logs"] if r["batch_job_id"] == job_id and r["operation"] == "BatchRecord"]
        if len(rows) == 2:
            break
        time.sleep(POLL)
    assert sorted(r["id"] for r in rows) == [f"{job_id}-0", f"{job_id}-1"]
    by_model = {r["model_requested"]: r for r in rows}
    assert by_model[ANTHROPIC_MODEL]["provider"] == "anthropic" and by_model[OPENAI_MODEL]["provider"] == "openai"
    for r in rows:
        assert r["door"] == "batch" and r["http_status"] == 200 and r["input_tokens"] > 0, r
    # The OpenAI fake's answer counts 10 prompt and 5 completion tokens.
    gpt = by_model[OPENAI_MODEL]
    assert (gpt["input_tokens"], gpt["output_tokens"]) == (10, 5)
    assert Decimal(gpt["cost_usd"]) == expected_cost(OPENAI_MODEL, uncached=10, output=5, batch=True)


def test_errored_requests_are_counted_and_carry_anthropics_error(gateway, tmp_path, openai_fake, anthropic_fake):
    config = default_config(openai_fake, anthropic_fake)
    config["server"].update({"data_dir": str(tmp_path / "data"), "batch_concurrency": 1})
    client = sdk(gateway(config))
    # One request at a time, in order: the second one's upstream refuses it.
    openai_fake.enqueue(echo_openai, openai_error(400, "this request is malformed upstream"))
    batch = wait(client, client.messages.batches.create(requests=[
        request("fine", "ok", model=OPENAI_MODEL), request("upstream-400", "bad", model=OPENAI_MODEL),
        request("unknown-model", "x", model="nowhere/model-x")]).id)
    assert counts(batch) == {"processing": 0, "succeeded": 1, "errored": 2, "canceled": 0, "expired": 0}
    got = results(client, batch.id)
    assert got["fine"].type == "succeeded" and got["fine"].message.content[0].text == "openai heard: ok"
    refused = got["upstream-400"]
    assert refused.type == "errored" and refused.error.type == "error"
    assert refused.error.error.type == "invalid_request_error" and "malformed upstream" in refused.error.error.message
    unknown = got["unknown-model"]
    assert unknown.type == "errored" and unknown.error.error.type == "not_found_error"
    assert "nowhere/model-x" in unknown.error.error.message
    assert len(messages(openai_fake)) == 2


def test_create_refusals(gw):
    client = sdk(gw)
    refusals = {
        "duplicate": [request("same", "a"), request("same", "b")],
        "bad custom_id": [request("has space", "a")],
        "long custom_id": [request("x" * 65, "a")],
        "no messages": [{"custom_id": "a", "params": {"model": ANTHROPIC_MODEL, "max_tokens": 5}}],
        "streaming": [request("a", "b", stream=True)],
        "empty": [],
    }
    for name, requests in refusals.items():
        with pytest.raises(anthropic.BadRequestError) as caught:
            client.messages.batches.create(requests=requests)
        assert caught.value.status_code == 400 and caught.value.body["error"]["type"] == "invalid_request_error", name
    with pytest.raises(anthropic.BadRequestError) as caught:
        client.messages.batches.create(requests=[request("ok", "a"), request("same", "b"), request("same", "c")])
    assert "requests.2.custom_id" in caught.value.message
    # 64 characters of the allowed alphabet are fine.
    fine = client.messages.batches.create(requests=[request("A-z_0" + "9" * 59, "a")])
    assert wait(client, fine.id).request_counts.succeeded == 1
    for call in (lambda: client.messages.batches.retrieve("msgbatch_doesnotexist"),
                 lambda: client.messages.batches.retrieve("nothing-like-an-id")):
        with pytest.raises(anthropic.NotFoundError) as missing:
            call()
        assert missing.value.body["error"]["type"] == "not_found_error"


def test_cancel_ends_with_the_rest_canceled(gateway, tmp_path, openai_fake, anthropic_fake):
    config = default_config(openai_fake, anthropic_fake, timeout_seconds=60)
    config["server"].update({"data_dir": str(tmp_path / "data"), "batch_concurrency": 1})
    client = sdk(gateway(config))
    gate = threading.Event()
    anthropic_fake.enqueue(Delay(gate=gate, then=Reply(200, anthropic_message("the first, late"))))
    batch = client.messages.batches.create(requests=[request(f"r{i}", f"request {i}") for i in range(4)])
    for _ in range(POLLS):
        if messages(anthropic_fake):
            break
        time.sleep(POLL)
    canceling = client.messages.batches.cancel(batch.id)
    assert canceling.processing_status == "canceling" and canceling.cancel_initiated_at is not None
    with pytest.raises(anthropic.BadRequestError):
        client.messages.batches.delete(batch.id)
    gate.set()
    done = wait(client, batch.id)
    # The request in flight when the cancel came finishes and is kept; no other starts.
    assert counts(done) == {"processing": 0, "succeeded": 1, "errored": 0, "canceled": 3, "expired": 0}
    got = results(client, batch.id)
    assert got["r0"].type == "succeeded" and got["r0"].message.content[0].text == "the first, late"
    assert {got[f"r{i}"].type for i in range(1, 4)} == {"canceled"}
    assert len(messages(anthropic_fake)) == 1
    with pytest.raises(anthropic.BadRequestError):
        client.messages.batches.cancel(batch.id)


def test_list_pages_and_delete(gateway, tmp_path, openai_fake, anthropic_fake):
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(tmp_path / "data")
    client = sdk(gateway(config))
    made = []
    for i in range(5):
        made.append(client.messages.batches.create(requests=[request("only", f"batch {i}")]).id)
        time.sleep(0.01)
    newest_first = list(reversed(made))
    page = client.messages.batches.list(limit=2)
    assert [b.id for b in page.data] == newest_first[:2] and page.has_more
    assert (page.first_id, page.last_id) == (newest_first[0], newest_first[1])
    # The SDK's auto-pagination follows `after_id` while has_more.
    assert [b.id for b in client.messages.batches.list(limit=2)] == newest_first
    later = client.messages.batches.list(limit=2, after_id=newest_first[1])
    assert [b.id for b in later.data] == newest_first[2:4] and later.has_more
    earlier = client.messages.batches.list(limit=2, before_id=newest_first[4])
    assert [b.id for b in earlier.data] == newest_first[2:4] and earlier.has_more
    with pytest.raises(anthropic.BadRequestError):
        client.messages.batches.list(limit=0)

    for batch_id in made:
        wait(client, batch_id)
    deleted = client.messages.batches.delete(made[0])
    assert (deleted.id, deleted.type) == (made[0], "message_batch_deleted")
    for call in (lambda: client.messages.batches.retrieve(made[0]), lambda: client.messages.batches.delete(made[0]),
                 lambda: list(client.messages.batches.results(made[0]))):
        with pytest.raises(anthropic.NotFoundError):
            call()
    assert made[0] not in [b.id for b in client.messages.batches.list()]
    assert len([b.id for b in client.messages.batches.list()]) == 4


# ---- keys, budgets and restarts -------------------------------------------------------------------------------------
KEYS = {"team": ("SWYDABATCHTEAMKEY001", "abatch-team-secret-0123456789abcdefghi"),
        "other": ("SWYDABATCHOTHERKEY01", "abatch-other-secret-0123456789abcdefgh")}


def token(name: str) -> str:
    access_key_id, secret = KEYS[name]
    return f"sk-swyd-{access_key_id}.{secret}"


def governed(gateway, tmp_path, openai_fake, anthropic_fake, budgets=None, concurrency=2):
    config = default_config(openai_fake, anthropic_fake)
    config["server"].update({"data_dir": str(tmp_path / "data"), "batch_concurrency": concurrency})
    keys = []
    for name, (access_key_id, _) in KEYS.items():
        key = {"name": name, "access_key_id": access_key_id, "secret": f"env.SWYD_{name.upper()}_SECRET"}
        if budgets and name == "team":
            key["budgets"] = budgets
        keys.append(key)
    config["governance"] = {"enforce": True, "keys": keys}
    return gateway(config, env={f"SWYD_{name.upper()}_SECRET": secret for name, (_, secret) in KEYS.items()})


def test_another_key_finds_nothing(gateway, tmp_path, openai_fake, anthropic_fake):
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake)
    team, other = sdk(gw, token("team")), sdk(gw, token("other"))
    batch = wait(team, team.messages.batches.create(requests=[request("mine", "mine")]).id)
    for call in (lambda: other.messages.batches.retrieve(batch.id), lambda: other.messages.batches.cancel(batch.id),
                 lambda: other.messages.batches.delete(batch.id), lambda: list(other.messages.batches.results(batch.id))):
        with pytest.raises(anthropic.NotFoundError) as caught:
            call()
        assert caught.value.body["error"]["type"] == "not_found_error"
    assert batch.id not in [b.id for b in other.messages.batches.list()]
    # The owner still has everything.
    assert set(results(team, batch.id)) == {"mine"}
    assert batch.id in [b.id for b in team.messages.batches.list()]
    with pytest.raises(anthropic.AuthenticationError):
        sdk(gw, "sk-ant-not-a-key").messages.batches.list()


def test_a_budget_limited_keys_requests_are_refused_once_it_runs_out(gateway, tmp_path, openai_fake, anthropic_fake):
    # Batch prices, as test_budgets' Bedrock job: a request "record N" (3 tokens) with max_tokens 100 holds
    # 3*75 + 100*300 = 30 225 nano-dollars and costs 10*75 + 5*300 = 2 250; one request at a time, the third no
    # longer fits: 2 * 2 250 + 30 225 > 2 250 + 30 225.
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake,
                  budgets=[{"id": "daily", "limit_usd": "0.000032475", "period": "1d"}], concurrency=1)
    client = sdk(gw, token("team"))
    batch = wait(client, client.messages.batches.create(requests=[
        request(f"r{i}", f"record {i}", model=OPENAI_MODEL, max_tokens=100) for i in range(5)]).id)
    assert counts(batch) == {"processing": 0, "succeeded": 2, "errored": 3, "canceled": 0, "expired": 0}
    got = results(client, batch.id)
    assert {got[f"r{i}"].type for i in range(2)} == {"succeeded"}
    for i in range(2, 5):
        assert got[f"r{i}"].type == "errored" and "exhausted" in got[f"r{i}"].error.error.message
    assert len(messages(openai_fake)) == 2


def test_a_batch_survives_a_gateway_restart(gateway, tmp_path, openai_fake, anthropic_fake):
    config = default_config(openai_fake, anthropic_fake, timeout_seconds=60)
    config["server"].update({"data_dir": str(tmp_path / "data"), "batch_concurrency": 2})
    first = gateway(config)
    gate = threading.Event()
    # Three requests are answered at once; the next two hang until after the kill, and whatever comes after (those
    # two again, the last three) is answered by the second gateway's upstream calls.
    anthropic_fake.enqueue(*[echo_anthropic] * 3, *[Delay(gate=gate, then=echo_anthropic)] * 2, *[echo_anthropic] * 10)
    client = sdk(first)
    batch = client.messages.batches.create(requests=[request(f"rec-{i}", f"record {i}") for i in range(8)])
    for _ in range(POLLS):
        if len(messages(anthropic_fake)) == 5:
            break
        time.sleep(POLL)
    assert len(messages(anthropic_fake)) == 5
    first.stop(signal.SIGKILL)
    gate.set()

    client = sdk(gateway(config))
    done = wait(client, batch.id)
    assert counts(done) == {"processing": 0, "succeeded": 8, "errored": 0, "canceled": 0, "expired": 0}
    got = results(client, batch.id)
    assert {custom_id: r.message.content[0].text for custom_id, r in got.items()} == {
        f"rec-{i}": f"anthropic heard: record {i}" for i in range(8)}
    # Answered requests were not sent again; only the two in flight at the kill may have been.
    assert 8 <= len(messages(anthropic_fake)) <= 10
