"""Managing virtual keys end to end: the admin API behind its token, `switchyard keys` (the real binary against the
running gateway), keys declared in the config file, and what the store keeps (no plaintext secret, same ids after a
restart). Calls signed with a key are verified by the authentication middleware; the test that needs it is
marked below."""
from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
import time
from pathlib import Path

import boto3
import pytest
import requests
from botocore.config import Config

from helpers import (ADMIN_HEADERS, ADMIN_TOKEN, admin_call, admin_get, default_config, raises_client_error,
                     require_binary, user, with_admin_token)

DECLARED_SECRET = "declared-secret-0123456789abcdef"


def keys_config(openai_fake, anthropic_fake, data_dir: Path, **governance) -> dict:
    config = with_admin_token(default_config(openai_fake, anthropic_fake))
    config["server"]["data_dir"] = str(data_dir)
    if governance:
        config["governance"] = governance
    return config


def create(gw, **body) -> dict:
    r = admin_call(gw, "POST", "/api/keys", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def cli(gw, *args: str, token: str = ADMIN_TOKEN) -> subprocess.CompletedProcess:
    env = {**os.environ, "SWITCHYARD_ADMIN_TOKEN": token, "SWITCHYARD_URL": gw.url}
    return subprocess.run([str(require_binary()), "keys", *args], env=env, capture_output=True, text=True, timeout=60)


def store_bytes(data_dir: Path) -> bytes:
    """The database and whatever SQLite keeps beside it (WAL, shared memory)."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.glob("switchyard.sqlite*")))


# ---- the admin API ----------------------------------------------------------------------------------------------
def test_the_admin_api_wants_its_token_and_never_repeats_it(gateway, openai_fake, anthropic_fake, tmp_path):
    gw = gateway(keys_config(openai_fake, anthropic_fake, tmp_path / "data"))
    for method, path in (("GET", "/api/keys"), ("POST", "/api/keys"), ("GET", "/api/keys/x/usage"), ("POST", "/api/keys/x/rotate")):
        missing = requests.request(method, gw.url + path, json={"name": "x"}, timeout=10)
        assert missing.status_code == 401, (path, missing.text)
        assert missing.json()["error"]["message"] == "the admin API needs the header 'Authorization: Bearer <admin token>'"
        wrong = requests.request(method, gw.url + path, headers={"Authorization": "Bearer guessed-token-xyz"}, timeout=10)
        assert wrong.status_code == 401 and "guessed-token-xyz" not in wrong.text
    assert admin_get(gw, "/api/keys").json() == {"keys": []}
    gw.stop()
    assert "guessed-token-xyz" not in gw.log_tail(10_000) and ADMIN_TOKEN not in gw.log_tail(10_000)


def test_keys_created_through_the_api_survive_a_restart_and_the_store_holds_no_secret(gateway, openai_fake, anthropic_fake,
                                                                                      tmp_path):
    data = tmp_path / "data"
    gw = gateway(keys_config(openai_fake, anthropic_fake, data))
    key = create(gw, name="search", allowed_providers=["openai"], allowed_models=["gpt-4o*"],
                 budgets=[{"limit_usd": 12.34, "period": "1M", "calendar_aligned": True}],
                 rate_limit={"requests": 60, "max_concurrent": 4}, expires_at="2999-01-01T00:00:00Z",
                 metadata={"team": "search"})
    secret, token = key["secret_access_key"], key["bearer_token"]
    assert re.fullmatch(r"SWYD[A-Z2-7]{16}", key["access_key_id"]) and len(secret) == 40
    assert token == f"sk-swyd-{key['access_key_id']}.{secret}"
    assert key["budgets"] == [{"id": "1M", "limit_usd": "12.34", "period": "1M", "calendar_aligned": True}]

    for path in ("/api/keys", f"/api/keys/{key['id']}", "/api/keys/search", f"/api/keys/{key['access_key_id']}/usage"):
        r = admin_get(gw, path)
        assert r.status_code == 200, (path, r.text)
        assert secret not in r.text and "secret_access_key" not in r.text, path

    rotated = admin_call(gw, "POST", "/api/keys/search/rotate").json()
    assert rotated["id"] == key["id"] and rotated["access_key_id"] != key["access_key_id"]
    assert rotated["secret_access_key"] != secret
    assert admin_get(gw, f"/api/keys/{key['access_key_id']}").status_code == 404
    other = create(gw, name="batch-jobs")
    assert admin_call(gw, "PATCH", "/api/keys/batch-jobs", json={"active": False}).json()["state"] == "inactive"

    assert gw.stop() == 0
    stored = store_bytes(data)
    # The right file: the public access key id is in it.
    assert rotated["access_key_id"].encode() in stored
    for plaintext in (secret, rotated["secret_access_key"], other["secret_access_key"], token):
        assert plaintext.encode() not in stored
        assert plaintext not in gw.log_tail(10_000)
    assert (data / "master.key").stat().st_mode & 0o777 == 0o600

    again = gateway(keys_config(openai_fake, anthropic_fake, data))
    keys = {k["name"]: k for k in admin_get(again, "/api/keys").json()["keys"]}
    assert keys["search"]["id"] == key["id"] and keys["search"]["access_key_id"] == rotated["access_key_id"]
    assert keys["search"]["allowed_models"] == ["gpt-4o*"] and keys["search"]["metadata"] == {"team": "search"}
    assert keys["batch-jobs"]["state"] == "inactive"


def test_bad_key_requests_are_400s_that_name_the_field(gateway, openai_fake, anthropic_fake, tmp_path):
    gw = gateway(keys_config(openai_fake, anthropic_fake, tmp_path / "data"))
    for body, field in (({"name": "k", "budgets": [{"limit_usd": "1", "period": "1fortnight"}]}, "budgets[0].period"),
                        ({"name": "k", "allowed_providers": ["nosuch"]}, "allowed_providers"),
                        ({"name": "k", "rate_limit": {"requests": -1}}, "rate_limit.requests"),
                        ({"name": "k", "expires": "soon"}, "expires: unknown field")):
        r = admin_call(gw, "POST", "/api/keys", json=body)
        assert r.status_code == 400 and field in r.json()["error"]["message"], (body, r.text)
    r = requests.post(gw.url + "/api/keys", data="{not json", headers=ADMIN_HEADERS, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["code"] == "ValidationError"
    assert admin_get(gw, "/api/keys/nosuch").status_code == 404
    assert admin_get(gw, "/api/keys").json() == {"keys": []}


def test_the_log_api_filters_by_key(gateway, openai_fake, anthropic_fake, tmp_path):
    config = keys_config(openai_fake, anthropic_fake, tmp_path / "data")
    config["logging"] = {"flush_interval_ms": 50}
    gw = gateway(config)
    key = create(gw, name="quiet")
    gw.client().converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    for _ in range(200):  # a bounded wait for the background writer, not a threshold
        if admin_get(gw, "/api/logs/totals").json()["count"] >= 1:
            break
        time.sleep(0.05)
    assert admin_get(gw, "/api/logs/totals").json()["count"] == 1
    # That call presented no key: it is not this key's.
    assert admin_get(gw, "/api/logs", key_id=key["id"]).json()["logs"] == []
    assert admin_get(gw, "/api/logs/totals", key_id=key["id"]).json()["count"] == 0
    usage = admin_get(gw, f"/api/keys/{key['id']}/usage").json()
    assert usage["key_id"] == key["id"] and usage["budgets"] == [] and usage["rate_limit"] is None


# ---- the CLI ----------------------------------------------------------------------------------------------------
def test_the_cli_creates_lists_shows_updates_rotates_and_revokes(gateway, openai_fake, anthropic_fake, tmp_path):
    gw = gateway(keys_config(openai_fake, anthropic_fake, tmp_path / "data"))
    made = cli(gw, "create", "team-cli", "--model", "gpt-4o*", "--budget", "25/1M/calendar", "--budget", "daily=2.50/1d",
               "--requests", "100", "--metadata", "team=cli", "--public-url", "https://llm.example.com")
    assert made.returncode == 0, made.stderr
    out = made.stdout
    akid = re.search(r"aws_access_key_id=\"(SWYD[A-Z2-7]{16})\"", out).group(1)
    secret = re.search(r"aws_secret_access_key=\"([A-Za-z0-9_-]{40})\"", out).group(1)
    assert f"export AWS_BEARER_TOKEN_BEDROCK=sk-swyd-{akid}.{secret}" in out

    # The boto3 snippet is code that runs: it builds a client with these credentials at the public URL.
    snippet = re.search(r"boto3:\n\n((?:    .*\n)+)", out).group(1)
    scope: dict = {}
    exec(compile("\n".join(line[4:] for line in snippet.splitlines()), "snippet", "exec"), scope)
    client = scope["client"]
    assert client.meta.endpoint_url == "https://llm.example.com/bedrock" and client.meta.region_name == "us-east-1"
    credentials = client._get_credentials()
    assert (credentials.access_key, credentials.secret_key) == (akid, secret)
    # And the profile block is one configparser reads.
    block = re.search(r"~/.aws/credentials.*\n\n((?:    .*\n)+)", out).group(1)
    profile = configparser.ConfigParser()
    profile.read_string("\n".join(line[4:] for line in block.splitlines()))
    assert dict(profile["team-cli"]) == {"aws_access_key_id": akid, "aws_secret_access_key": secret}

    listed = cli(gw, "list")
    assert listed.returncode == 0 and "team-cli" in listed.stdout and akid in listed.stdout
    assert "$25/1M (calendar), $2.5/1d" in listed.stdout and secret not in listed.stdout
    shown = cli(gw, "show", "team-cli")
    assert shown.returncode == 0 and secret not in shown.stdout
    assert "budget daily (1d): $0 spent" in shown.stdout and "requests: 0 of 100 this window" in shown.stdout

    updated = cli(gw, "update", "team-cli", "--model", "o3", "--clear-rate-limit", "--json")
    assert updated.returncode == 0, updated.stderr
    assert json.loads(updated.stdout)["allowed_models"] == ["o3"] and json.loads(updated.stdout)["rate_limit"] is None

    turned = cli(gw, "rotate", "team-cli", "--json")
    assert turned.returncode == 0
    fresh = json.loads(turned.stdout)
    assert fresh["access_key_id"] != akid and fresh["secret_access_key"] != secret
    listed = json.loads(cli(gw, "list", "--json").stdout)["keys"]
    assert [k["access_key_id"] for k in listed] == [fresh["access_key_id"]]

    assert cli(gw, "revoke", fresh["access_key_id"]).returncode == 0
    assert json.loads(cli(gw, "show", "team-cli", "--json").stdout)["key"]["state"] == "inactive"

    refused = cli(gw, "list", token="wrong-token-0123456789")
    assert refused.returncode == 1 and "401" in refused.stderr and "the admin token is not valid" in refused.stderr
    missing = cli(gw, "show", "nosuch")
    assert missing.returncode == 1 and "no virtual key has the id, access key id or name 'nosuch'" in missing.stderr
    bad = cli(gw, "create", "x", "--budget", "lots")
    assert bad.returncode != 0 and "--budget" in bad.stderr


# ---- keys in the config file --------------------------------------------------------------------------------------
def declared(**rules) -> dict:
    return {"name": "declared", "access_key_id": "DECLAREDKEY0000001", "secret": "env.DECLARED_SECRET", **rules}


def test_declared_keys_are_listed_as_config_and_keep_their_id_across_restarts(gateway, openai_fake, anthropic_fake,
                                                                             tmp_path):
    data, env = tmp_path / "data", {"DECLARED_SECRET": DECLARED_SECRET}
    gw = gateway(keys_config(openai_fake, anthropic_fake, data, keys=[declared(allowed_models=["gpt-4o-mini"])]), env=env)
    (key,) = admin_get(gw, "/api/keys").json()["keys"]
    assert (key["name"], key["source"], key["access_key_id"], key["state"]) == ("declared", "config", "DECLAREDKEY0000001", "active")
    assert admin_call(gw, "POST", "/api/keys/declared/rotate").status_code == 409
    assert "governance.keys" in admin_call(gw, "PATCH", "/api/keys/declared", json={"active": False}).json()["error"]["message"]
    gw.stop()
    assert b"DECLAREDKEY0000001" in store_bytes(data) and DECLARED_SECRET.encode() not in store_bytes(data)

    changed = gateway(keys_config(openai_fake, anthropic_fake, data, keys=[declared(allowed_models=["o3"])]), env=env)
    (again,) = admin_get(changed, "/api/keys").json()["keys"]
    assert again["id"] == key["id"] and again["allowed_models"] == ["o3"]
    changed.stop()

    gone = gateway(keys_config(openai_fake, anthropic_fake, data, keys=[]), env=env)
    (revoked,) = admin_get(gone, "/api/keys").json()["keys"]
    assert revoked["id"] == key["id"] and revoked["state"] == "inactive"


def test_a_bad_declared_key_stops_the_gateway_with_its_line(tmp_path, openai_fake, anthropic_fake):
    path = tmp_path / "switchyard.yaml"
    path.write_text("server:\n  admin_token: e2e-admin-token-0123456789abcdef\n"
                    "governance:\n  keys:\n    - name: k\n      access_key_id: DECLAREDKEY0000001\n"
                    "      secret: env.DECLARED_SECRET\n      budgets: [{limit_usd: 5, period: 1fortnight}]\n")
    env = {**os.environ, "DECLARED_SECRET": DECLARED_SECRET}
    checked = subprocess.run([str(require_binary()), "check-config", str(path)], env=env, capture_output=True, text=True,
                             timeout=60)
    assert checked.returncode == 1
    assert "line 8: governance.keys[0].budgets[0].period: '1fortnight' is not a budget period" in checked.stderr
    old = tmp_path / "old.yaml"
    old.write_text("server:\n  admin_api: true\n")
    checked = subprocess.run([str(require_binary()), "check-config", str(old)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 1 and "line 2: server.admin_api is gone" in checked.stderr


# ---- with the authentication middleware (helper `auth`) ----------------------------------------------------------
def test_a_rotated_or_revoked_key_is_refused(gateway, openai_fake, anthropic_fake, tmp_path):
    gw = gateway(keys_config(openai_fake, anthropic_fake, tmp_path / "data", enforce=True))
    key = create(gw, name="signed")

    def runtime(access_key_id: str, secret: str):
        return boto3.client("bedrock-runtime", endpoint_url=gw.bedrock_url, region_name="us-east-1",
                            aws_access_key_id=access_key_id, aws_secret_access_key=secret,
                            config=Config(retries={"total_max_attempts": 1}))

    runtime(key["access_key_id"], key["secret_access_key"]).converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    fresh = admin_call(gw, "POST", "/api/keys/signed/rotate").json()
    with raises_client_error("UnrecognizedClientException", 403):
        runtime(key["access_key_id"], key["secret_access_key"]).converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    runtime(fresh["access_key_id"], fresh["secret_access_key"]).converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    admin_call(gw, "POST", "/api/keys/signed/revoke")
    with raises_client_error("AccessDeniedException", 403):
        runtime(fresh["access_key_id"], fresh["secret_access_key"]).converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
