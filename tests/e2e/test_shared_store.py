"""Several gateway processes on one PostgreSQL database (`store: {postgres: {url}}`).

The database is a real PostgreSQL server on loopback: the one `scripts/test.sh` starts (SWITCHYARD_TEST_DATABASE_URL)
or, when that is not set, a throwaway cluster this module starts with `scripts/postgres.sh`. Every test gets a
database of its own. The gateways are separate processes with separate data directories, so anything they agree on
went through PostgreSQL.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config

from batch_helpers import control, converse_record, create, files, last_user_text, output_lines, put_input, wait
from fakes.base import Delay, Reply
from fakes.openai_fake import openai_text_completion
from helpers import admin_call, admin_get, default_config, raises_client_error, require_binary, user, with_admin_token

MODEL = "openai/gpt-4o-mini"
MASTER_KEY = "shared-store-test-master-key-0123456789"
ONE_CALL = "0.00006015"  # the hold of one "hi" call with maxTokens 100 (see test_budgets.py)


def psql(url: str, sql: str) -> str:
    return subprocess.run(["psql", url, "-At", "-c", sql], check=True, capture_output=True, text=True, timeout=30).stdout.strip()


def shared_config(openai_fake, anthropic_fake, url: str, data_dir: Path, *, extra: dict | None = None, **governance) -> dict:
    config = with_admin_token(default_config(openai_fake, anthropic_fake, timeout_seconds=60))
    config["server"]["data_dir"] = str(data_dir)
    config["store"] = {"postgres": {"url": url, "batch_lease_seconds": 3}, "shared_dir": str(data_dir.parent / "shared")}
    if governance:
        config["governance"] = {"enforce": True, **governance}
    for name, value in (extra or {}).items():
        config[name] = {**config.get(name, {}), **value}
    config["logging"] = {"flush_interval_ms": 50}
    return config


def start_cluster(gateway, tmp_path, openai_fake, anthropic_fake, url, count=3, extra=None, **governance):
    governance.setdefault("keys", [])
    return [gateway(shared_config(openai_fake, anthropic_fake, url, tmp_path / f"data{i}", extra=extra, **governance),
                    env={"SWITCHYARD_MASTER_KEY": MASTER_KEY, "SWYD_TEAM_SECRET": "team-secret-0123456789abcdefghijkl"})
            for i in range(count)]


def runtime(gw, access_key_id: str, secret: str):
    return boto3.client("bedrock-runtime", endpoint_url=gw.bedrock_url, region_name="us-east-1",
                        aws_access_key_id=access_key_id, aws_secret_access_key=secret,
                        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30))


def converse(rt, max_tokens=100):
    return rt.converse(modelId=MODEL, messages=[user("hi")], inferenceConfig={"maxTokens": max_tokens})


def team_key(**rules) -> dict:
    return {"name": "team", "access_key_id": "SWYDSHAREDTEAMKEY001", "secret": "env.SWYD_TEAM_SECRET", **rules}


TEAM = ("SWYDSHAREDTEAMKEY001", "team-secret-0123456789abcdefghijkl")


def test_every_instance_reports_the_others_in_health(gateway, tmp_path, openai_fake, anthropic_fake, database_url):
    gws = start_cluster(gateway, tmp_path, openai_fake, anthropic_fake, database_url)
    deadline = time.monotonic() + 10
    while True:
        bodies = [requests.get(gw.url + "/health", timeout=5).json() for gw in gws]
        if all(len(b["instances"]) == 3 for b in bodies) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    ids = {b["instance"] for b in bodies}
    assert len(ids) == 3
    for body in bodies:
        assert body["status"] == "ok"
        assert {i["id"] for i in body["instances"]} == ids
    # The schema was migrated once although three instances started on it.
    assert psql(database_url, "SELECT count(*) FROM schema_migrations WHERE name = 'v1-governance'") == "1"


def test_a_key_created_on_one_instance_works_on_the_others_at_once(gateway, tmp_path, openai_fake, anthropic_fake, database_url):
    a, b, c = start_cluster(gateway, tmp_path, openai_fake, anthropic_fake, database_url)
    made = admin_call(a, "POST", "/api/keys", json={"name": "fresh"})
    assert made.status_code == 201, made.text
    key = made.json()
    for gw in (b, c):
        answer = converse(runtime(gw, key["access_key_id"], key["secret_access_key"]))
        assert answer["output"]["message"]["content"][0]["text"]
    # The secret is sealed in the shared table, never stored in the clear.
    assert key["secret_access_key"] not in psql(database_url, "SELECT encode(sealedSecret, 'escape') FROM virtual_keys")


def test_a_revoked_key_is_refused_by_every_instance_within_a_second(gateway, tmp_path, openai_fake, anthropic_fake, database_url):
    a, b, c = start_cluster(gateway, tmp_path, openai_fake, anthropic_fake, database_url)
    key = admin_call(a, "POST", "/api/keys", json={"name": "soon-revoked"}).json()
    clients = [runtime(gw, key["access_key_id"], key["secret_access_key"]) for gw in (a, b, c)]
    for rt in clients:  # every instance has the key decoded and cached now
        converse(rt)
    assert admin_call(a, "POST", "/api/keys/soon-revoked/revoke").status_code == 200
    time.sleep(1.0)
    for rt in clients:
        with raises_client_error("AccessDeniedException", 403):
            converse(rt)


def test_fifty_concurrent_calls_over_three_instances_against_a_budget_for_one_admit_one(
        gateway, tmp_path, openai_fake, anthropic_fake, database_url):
    gws = start_cluster(gateway, tmp_path, openai_fake, anthropic_fake, database_url,
                        keys=[team_key(budgets=[{"id": "daily", "limit_usd": ONE_CALL, "period": "1d"}])])
    clients = [runtime(gw, *TEAM) for gw in gws]

    def attempt(i):
        rt = clients[i % 3]
        try:
            converse(rt)
            return "ok"
        except rt.exceptions.ServiceQuotaExceededException:
            return "refused"

    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = list(pool.map(attempt, range(50)))
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == 49, outcomes
    assert len([r for r in openai_fake.requests if r.path.endswith("/chat/completions")]) == 1
    # The answer's cost (10 prompt, 5 completion tokens) is what the shared budget holds once settled.
    deadline = time.monotonic() + 10
    while psql(database_url, "SELECT spentNanos || '/' || reservedNanos FROM budget_windows WHERE budgetId = 'daily'") != "4500/0":
        assert time.monotonic() < deadline, psql(database_url, "SELECT * FROM budget_windows")
        time.sleep(0.1)


def test_a_rate_limit_holds_across_instances(gateway, tmp_path, openai_fake, anthropic_fake, database_url):
    gws = start_cluster(gateway, tmp_path, openai_fake, anthropic_fake, database_url,
                        keys=[team_key(rate_limit={"requests": 7, "window_seconds": 3600})])
    clients = [runtime(gw, *TEAM) for gw in gws]

    def attempt(i):
        rt = clients[i % 3]
        try:
            converse(rt)
            return "ok"
        except rt.exceptions.ThrottlingException:
            return "throttled"

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(attempt, range(30)))
    assert outcomes.count("ok") == 7 and outcomes.count("throttled") == 23, outcomes


def test_one_log_query_shows_the_traffic_of_every_instance(gateway, tmp_path, openai_fake, anthropic_fake, database_url):
    gws = start_cluster(gateway, tmp_path, openai_fake, anthropic_fake, database_url, keys=[team_key()])
    for i, gw in enumerate(gws):
        for _ in range(i + 1):
            converse(runtime(gw, *TEAM))
    deadline = time.monotonic() + 10
    while True:
        rows = [admin_get(gw, "/api/logs", limit=50).json()["logs"] for gw in gws]
        if all(len(r) == 6 for r in rows) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    for listed in rows:
        assert len(listed) == 6, listed
        assert {row["id"] for row in listed} == {row["id"] for row in rows[0]}


def test_a_file_uploaded_through_one_instance_is_read_through_another(
        gateway, tmp_path, openai_fake, anthropic_fake, database_url):
    a, b, _ = start_cluster(gateway, tmp_path, openai_fake, anthropic_fake, database_url, keys=[team_key()])

    def s3(gw):
        return boto3.client("s3", endpoint_url=gw.url + "/bedrock/files", region_name="us-east-1",
                            aws_access_key_id=TEAM[0], aws_secret_access_key=TEAM[1],
                            config=Config(retries={"total_max_attempts": 1}, s3={"addressing_style": "path"}))

    body = os.urandom(300_000)
    s3(a).put_object(Bucket="shared", Key="dir/blob.bin", Body=body)
    assert s3(b).get_object(Bucket="shared", Key="dir/blob.bin")["Body"].read() == body
    assert [o["Key"] for o in s3(b).list_objects_v2(Bucket="shared", Prefix="dir/")["Contents"]] == ["dir/blob.bin"]
    s3(b).delete_object(Bucket="shared", Key="dir/blob.bin")
    with raises_client_error("NoSuchKey", 404):
        s3(a).get_object(Bucket="shared", Key="dir/blob.bin")


def test_an_answer_cached_through_one_instance_is_a_hit_on_another(gateway, tmp_path, openai_fake, anthropic_fake, database_url):
    a, b, _ = start_cluster(gateway, tmp_path, openai_fake, anthropic_fake, database_url, keys=[team_key()],
                            extra={"cache": {"enabled": True, "ttl": "5m"}})
    first = converse(runtime(a, *TEAM))
    assert first["ResponseMetadata"]["HTTPHeaders"]["x-swyd-cache"] == "miss"
    deadline = time.monotonic() + 10
    while True:
        again = converse(runtime(b, *TEAM))
        if again["ResponseMetadata"]["HTTPHeaders"]["x-swyd-cache"] == "hit" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert again["ResponseMetadata"]["HTTPHeaders"]["x-swyd-cache"] == "hit"
    assert again["output"] == first["output"]


def chat_requests(fake) -> list:
    return [r for r in fake.requests if r.path.endswith("/chat/completions")]


def test_a_batch_job_survives_kill9_of_its_instance_and_completes_on_another_with_every_record_once(
        gateway, tmp_path, openai_fake, anthropic_fake, database_url):
    gws = start_cluster(gateway, tmp_path, openai_fake, anthropic_fake, database_url, count=2, enforce=False,
                        extra={"server": {"batch_concurrency": 2}})
    gate = threading.Event()
    # Three records are answered at once; the next two hang until after the kill.
    openai_fake.enqueue(*[Reply(200, openai_text_completion()) for _ in range(3)],
                        *[Delay(gate=gate, then=Reply(200, openai_text_completion())) for _ in range(2)])
    s3, br = files(gws[0]), control(gws[0])
    records = [converse_record(f"rec-{i}", f"record {i}") for i in range(8)]
    arn = create(br, put_input(s3, records, key="kill/input.jsonl"), name="survives-kill")
    wait(br, arn, until={"InProgress"}, check=lambda j: j["processedRecordCount"] == 3 and len(chat_requests(openai_fake)) == 5)
    answered_before = {last_user_text(r.json) for r in chat_requests(openai_fake)[:3]}
    in_flight = {last_user_text(r.json) for r in chat_requests(openai_fake)[3:5]}
    holder = psql(database_url, "SELECT leaseHolder FROM batch_jobs")
    running = next(gw for gw in gws if requests.get(gw.url + "/health", timeout=5).json()["instance"] == holder)
    other = next(gw for gw in gws if gw is not running)
    running.stop(signal.SIGKILL)
    gate.set()

    # The survivor takes the job over once the dead instance's lease (3 s) runs out; no restart anywhere.
    job = wait(control(other), arn)
    assert job["status"] == "Completed", job
    assert (job["totalRecordCount"], job["processedRecordCount"], job["successRecordCount"]) == (8, 8, 8)
    assert psql(database_url, "SELECT leaseHolder FROM batch_jobs") in ("", requests.get(other.url + "/health").json()["instance"])
    counts: dict[str, int] = {}
    for request in chat_requests(openai_fake):
        text = last_user_text(request.json)
        counts[text] = counts.get(text, 0) + 1
    for i in range(8):
        text = f"record {i}"
        assert 1 <= counts.get(text, 0) <= (2 if text in in_flight else 1), (text, counts)
    assert all(counts[text] == 1 for text in answered_before)
    ids = [line["recordId"] for line in output_lines(files(other), arn)]
    assert sorted(ids) == sorted(f"rec-{i}" for i in range(8)) and len(ids) == len(set(ids))
    # The CLI reads the same shared store.
    listed = subprocess.run([str(require_binary()), "batch", "list"], env={**os.environ, "SWITCHYARD_DATABASE_URL": database_url},
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and "survives-kill" in listed.stdout and "Completed" in listed.stdout, listed


def test_the_live_feed_of_one_instance_shows_the_calls_of_another(gateway, tmp_path, openai_fake, anthropic_fake, database_url):
    a, b, _ = start_cluster(gateway, tmp_path, openai_fake, anthropic_fake, database_url, keys=[team_key()])
    with requests.get(a.url + "/api/logs/stream", stream=True, timeout=15,
                      headers={"Authorization": "Bearer e2e-admin-token-0123456789abcdef"}) as feed:
        lines = feed.iter_lines(decode_unicode=True)
        assert next(lines) == ": connected"
        answer = converse(runtime(b, *TEAM))
        request_id = answer["ResponseMetadata"]["RequestId"]
        for line in lines:
            if line.startswith("data: "):
                row = json.loads(line[len("data: "):])
                if row["id"] == request_id:
                    break
    assert (row["operation"], row["provider"], row["output_tokens"]) == ("Converse", "openai", 5)
