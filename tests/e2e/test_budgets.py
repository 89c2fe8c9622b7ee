"""Budgets and rate limits of virtual keys, through real boto3 signing with the key's credentials.

The keys are declared in the configuration (`governance.keys`, secrets from the environment). Prices are the
shipped table's: openai/gpt-4o-mini costs 0.15 USD per million input tokens (150 nano-dollars a token) and 0.60
per million output tokens (600); at batch prices half of each. The fake OpenAI answers with 10 prompt and 5
completion tokens. A call's hold is its worst case: ceil(prompt bytes / 3) input tokens plus `maxTokens`.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError

from batch_helpers import converse_record, create, put_input, wait
from fakes.base import Delay, Reply, Stream
from fakes.openai_fake import openai_completion, openai_error_body, openai_stream_events_for
from helpers import default_config

ACCESS_KEY_ID = "SWYDBUDGETTESTKEY001"
SECRET = "budget-test-secret-0123456789abcdefghij"
MODEL = "openai/gpt-4o-mini"
HELLO = [{"role": "user", "content": [{"text": "hi"}]}]
# "hi" is one input token (150) and maxTokens 100 output tokens (60 000): the hold of one call.
ONE_CALL = "0.00006015"
ANSWER_NANOS = 10 * 150 + 5 * 600


def governed(gateway, tmp_path, openai_fake, anthropic_fake, *, budgets=None, rate_limit=None, extra=None):
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(tmp_path / "data")
    key = {"name": "team", "access_key_id": ACCESS_KEY_ID, "secret": "env.SWYD_TEAM_SECRET"}
    if budgets is not None:
        key["budgets"] = budgets
    if rate_limit is not None:
        key["rate_limit"] = rate_limit
    config["governance"] = {"enforce": True, "keys": [key]}
    config.update(extra or {})
    return gateway(config, env={"SWYD_TEAM_SECRET": SECRET})


def client(gw, service="bedrock-runtime", retries=1, read_timeout=30):
    endpoint = gw.url + "/bedrock/files" if service == "s3" else gw.bedrock_url
    return boto3.client(
        service, endpoint_url=endpoint, region_name="us-west-2", aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET,
        config=Config(retries={"total_max_attempts": retries}, connect_timeout=5, read_timeout=read_timeout))


def budget(limit_usd: str, period: str = "1d", **kw) -> dict:
    return {"id": "daily", "limit_usd": limit_usd, "period": period, **kw}


def converse(rt, text="hi", max_tokens=100, model=MODEL):
    return rt.converse(modelId=model, messages=[{"role": "user", "content": [{"text": text}]}],
                       inferenceConfig={"maxTokens": max_tokens})


def spend(gw) -> tuple[int, int]:
    """(spent, reserved) nano-dollars of the key's budget, read from the gateway's database."""
    db = sqlite3.connect(f"file:{gw.workdir.parent / 'data' / 'switchyard.sqlite'}?mode=ro", uri=True, timeout=5)
    try:
        row = db.execute("SELECT spentNanos, reservedNanos FROM budget_windows WHERE budgetId = 'daily'").fetchone()
        return (row[0], row[1]) if row else (0, 0)
    finally:
        db.close()


def logged_outcomes(gw, polls=300) -> list[tuple[int, str | None]]:
    """(status, error code) of each request-log row, once the writer has written one."""
    path = f"file:{gw.workdir.parent / 'data' / 'switchyard.sqlite'}?mode=ro"
    for _ in range(polls):
        db = sqlite3.connect(path, uri=True, timeout=5)
        try:
            rows = db.execute("SELECT httpStatus, errorCode FROM request_log ORDER BY startMicros").fetchall()
        finally:
            db.close()
        if rows:
            return [tuple(r) for r in rows]
        time.sleep(0.02)
    return []


def settled(gw, check, polls=300) -> tuple[int, int]:
    """Settlement is written off the caller's path: wait (bounded) until `check(spent, reserved)` holds."""
    state = spend(gw)
    for _ in range(polls):
        if check(*state):
            return state
        time.sleep(0.02)
        state = spend(gw)
    raise AssertionError(f"budget never settled as expected: spent, reserved = {state}")


def test_fifty_concurrent_calls_against_a_budget_for_one_admit_one(gateway, tmp_path, openai_fake, anthropic_fake):
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake, budgets=[budget(ONE_CALL)])
    rt = client(gw)

    def attempt(_):
        try:
            converse(rt)
            return "ok"
        except rt.exceptions.ServiceQuotaExceededException as error:
            assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
            assert "Budget 'daily' of virtual key 'team' is exhausted" in error.response["Error"]["Message"]
            return "refused"

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, range(50)))
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == 49
    assert len([r for r in openai_fake.requests if r.path.endswith("/chat/completions")]) == 1
    assert settled(gw, lambda spent, held: held == 0) == (ANSWER_NANOS, 0)


def test_a_budget_refusal_is_not_retried_by_boto3(gateway, tmp_path, openai_fake, anthropic_fake):
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake, budgets=[budget("0.00001")])
    rt = client(gw, retries=5)  # boto3's legacy default: five attempts for throttles and 5xx
    with pytest.raises(rt.exceptions.ServiceQuotaExceededException) as refused:
        converse(rt)
    assert refused.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert not openai_fake.requests


def test_settling_frees_the_rest_of_the_hold(gateway, tmp_path, openai_fake, anthropic_fake):
    # Room for one answer plus one more hold: the second call passes only once the first is settled.
    limit = f"0.{60_150 + ANSWER_NANOS:09d}"
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake, budgets=[budget(limit)])
    rt = client(gw)
    converse(rt)
    converse(rt)
    with pytest.raises(rt.exceptions.ServiceQuotaExceededException):
        converse(rt)
    assert settled(gw, lambda spent, held: held == 0) == (2 * ANSWER_NANOS, 0)


def test_a_failed_call_is_charged_nothing(gateway, tmp_path, openai_fake, anthropic_fake):
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake, budgets=[budget(ONE_CALL)])
    rt = client(gw)
    openai_fake.enqueue(Reply(400, openai_error_body("bad request", "invalid_request_error")))
    with pytest.raises(rt.exceptions.ValidationException):
        converse(rt)
    assert settled(gw, lambda spent, held: held == 0) == (0, 0)
    converse(rt)  # the whole budget is still there


def test_a_stream_the_client_leaves_midway_is_charged_its_input(gateway, tmp_path, openai_fake, anthropic_fake):
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake, budgets=[budget("1")])
    rt = client(gw)
    gate = threading.Event()
    # Enough after the gate that writing it to a client that left fails (as in test_request_log).
    pieces = ["Once", " upon", " a", " time"] + [" more"] * 200
    openai_fake.enqueue(Stream(openai_stream_events_for(pieces), gate=gate, gate_before=3))
    # 30 000 bytes of prompt: 10 000 input tokens, 1 500 000 nano-dollars, far more than the words that arrive.
    response = rt.converse_stream(modelId=MODEL, messages=[{"role": "user", "content": [{"text": "x" * 30_000}]}],
                                  inferenceConfig={"maxTokens": 100})
    for event in response["stream"]:
        if "contentBlockDelta" in event:
            break
    response["stream"].close()
    gate.set()
    assert settled(gw, lambda spent, held: held == 0 and spent > 0) == (1_500_000, 0)


def test_a_call_the_client_leaves_is_still_charged_what_the_upstream_bills(gateway, tmp_path, openai_fake,
                                                                           anthropic_fake):
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake, budgets=[budget("1")])
    gate = threading.Event()
    openai_fake.enqueue(Delay(gate=gate, then=Reply(200, openai_completion("too late"))))
    impatient = client(gw, read_timeout=1)
    with pytest.raises(ReadTimeoutError):
        converse(impatient)
    # The upstream is still working on it, and will bill it: the hold stays until its answer comes.
    assert spend(gw)[1] > 0
    gate.set()
    assert settled(gw, lambda spent, held: held == 0) == (ANSWER_NANOS, 0)
    assert len(logged_outcomes(gw)) == 1
    assert "unexpected failure" not in gw.log_tail()


def test_a_key_with_a_budget_may_use_only_priced_models(gateway, tmp_path, openai_fake, anthropic_fake):
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake, budgets=[budget("1")])
    rt = client(gw)
    with pytest.raises(rt.exceptions.AccessDeniedException) as denied:
        converse(rt, model="openai/not-in-the-price-table")
    assert "has no price" in denied.value.response["Error"]["Message"]
    assert not openai_fake.requests


def test_a_rate_limit_of_n_admits_n_and_says_when_it_resets(gateway, tmp_path, openai_fake, anthropic_fake):
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake, rate_limit={"requests": 3, "window_seconds": 3600})
    rt = client(gw)
    remaining = []
    for _ in range(3):
        headers = converse(rt)["ResponseMetadata"]["HTTPHeaders"]
        assert headers["x-ratelimit-limit-requests"] == "3"
        assert headers["x-ratelimit-reset-requests"].endswith("s")
        remaining.append(headers["x-ratelimit-remaining-requests"])
    assert remaining == ["2", "1", "0"]
    with pytest.raises(rt.exceptions.ThrottlingException) as throttled:
        converse(rt)
    meta = throttled.value.response["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 429
    assert 0 < int(meta["HTTPHeaders"]["retry-after"]) <= 3600
    assert meta["HTTPHeaders"]["x-ratelimit-remaining-requests"] == "0"
    assert len([r for r in openai_fake.requests if r.path.endswith("/chat/completions")]) == 3


def test_the_concurrency_cap_refuses_a_second_call_in_flight(gateway, tmp_path, openai_fake, anthropic_fake):
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake, rate_limit={"max_concurrent": 1})
    rt = client(gw)
    gate = threading.Event()
    openai_fake.enqueue(Stream(openai_stream_events_for("slow answer"), gate=gate, gate_before=1))
    response = rt.converse_stream(modelId=MODEL, messages=HELLO)
    with pytest.raises(rt.exceptions.ThrottlingException):
        converse(rt)
    gate.set()
    assert "".join(e["contentBlockDelta"]["delta"]["text"] for e in response["stream"] if "contentBlockDelta" in e)
    # The stream's end gives its slot back once its last frame is out, which the client may see a moment before
    # the gateway does: a client that retries throttles (as boto3 does by default) gets through.
    converse(client(gw, retries=5))


def test_a_batch_job_stops_when_its_budget_runs_out(gateway, tmp_path, openai_fake, anthropic_fake):
    # Batch prices: a record "record N" (8 bytes, 3 tokens) holds 3*75 + 100*300 = 30 225 and costs 10*75 + 5*300 =
    # 2 250; one record at a time, the third no longer fits: 2 * 2 250 + 30 225 > 2 250 + 30 225.
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake, budgets=[budget("0.000032475")],
                  extra={"server": {"data_dir": str(tmp_path / "data"), "batch_concurrency": 1}})
    s3, br = client(gw, "s3"), client(gw, "bedrock")
    arn = create(br, put_input(s3, [converse_record(f"r{i}", f"record {i}") for i in range(5)]), name="budgeted")
    job = wait(br, arn)
    assert job["status"] == "Stopped", job
    assert "budget was exhausted after 2 of 5 records" in job["message"]
    assert len([r for r in openai_fake.requests if r.path.endswith("/chat/completions")]) == 2
