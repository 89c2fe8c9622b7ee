"""The server edge: web pages and DNS-rebinding pages cannot drive the gateway; slow or idle clients are cut.

Browsers send `Origin` on every cross-origin POST (a `text/plain` one needs no preflight) and the AWS SDKs never
do; a rebinding page reaches the loopback gateway under its own Host name. The client deadlines bound how long a
client takes to *send*: a trickled head, a trickled body, an idle kept-alive connection; never the gateway's answer.
"""
from __future__ import annotations

import json
import os
import resource
import select
import socket
import subprocess
import time
import xml.etree.ElementTree as ET

import boto3
import pytest
import requests
from botocore.config import Config

from batch_helpers import control, files
from conftest import STARTUP_TIMEOUT, Gateway, free_port
from fakes.openai_fake import openai_stream
from helpers import default_config, require_binary, user

EVIL = "https://evil.example"
CONSOLE = "https://console.example.com"
# Short client deadlines so a test sees them expire; every wait below is bounded by BOUND (a safety net only).
DEADLINES = {"header_timeout_seconds": 1, "idle_timeout_seconds": 1, "body_timeout_seconds": 1,
             "body_min_bytes_per_second": 100}
BOUND = 10.0
CONVERSE_BODY = json.dumps({"messages": [user("Hi")]})


def edge_config(openai_fake, anthropic_fake, **server) -> dict:
    config = default_config(openai_fake, anthropic_fake)
    config["server"].update({"allowed_origins": [CONSOLE], "allowed_hosts": ["gateway.internal"], **DEADLINES, **server})
    return config


@pytest.fixture
def edge_gw(gateway, openai_fake, anthropic_fake) -> Gateway:
    return gateway(edge_config(openai_fake, anthropic_fake))


def assert_bedrock_denied(r: requests.Response) -> None:
    assert r.status_code == 403, r.text
    assert r.headers.get("x-amzn-ErrorType") == "AccessDeniedException"
    assert r.json()["message"]
    assert "Access-Control-Allow-Origin" not in r.headers


def assert_s3_denied(r: requests.Response) -> None:
    assert r.status_code == 403, r.text
    assert ET.fromstring(r.content).findtext("Code") == "AccessDenied"
    assert "Access-Control-Allow-Origin" not in r.headers


# ---- web pages ----------------------------------------------------------------------------------------------
def test_sdk_calls_carry_no_origin_and_still_work(edge_gw, openai_fake):
    answer = edge_gw.client().converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert answer["output"]["message"]["content"][0]["text"]
    s3 = files(edge_gw)
    s3.create_bucket(Bucket="victim")
    s3.put_object(Bucket="victim", Key="k", Body=b"data")
    assert s3.delete_objects(Bucket="victim", Delete={"Objects": [{"Key": "k"}]})["Deleted"] == [{"Key": "k"}]
    assert control(edge_gw).list_model_invocation_jobs()["invocationJobSummaries"] == []


def test_cross_origin_text_plain_converse_is_refused_before_the_upstream(edge_gw, openai_fake):
    r = requests.post(edge_gw.converse_url(), data=CONVERSE_BODY, timeout=BOUND,
                      headers={"Origin": EVIL, "Content-Type": "text/plain"})
    assert_bedrock_denied(r)
    # InvokeModel carries whatever content type the caller chose: the check cannot rest on it.
    r = requests.post(edge_gw.converse_url(op="invoke"), data=CONVERSE_BODY, timeout=BOUND,
                      headers={"Origin": EVIL, "Content-Type": "application/json"})
    assert_bedrock_denied(r)
    assert openai_fake.requests == []


def test_cross_origin_delete_objects_is_refused_and_deletes_nothing(edge_gw):
    s3 = files(edge_gw)
    s3.create_bucket(Bucket="victim")
    s3.put_object(Bucket="victim", Key="precious", Body=b"keep me")
    delete = "<Delete><Object><Key>precious</Key></Object></Delete>"
    r = requests.post(edge_gw.url + "/bedrock/files/victim?delete", data=delete, timeout=BOUND,
                      headers={"Origin": EVIL, "Content-Type": "text/plain"})
    assert_s3_denied(r)
    r = requests.put(edge_gw.url + "/bedrock/files/victim/planted", data=b"x", timeout=BOUND, headers={"Origin": EVIL})
    assert_s3_denied(r)
    assert s3.get_object(Bucket="victim", Key="precious")["Body"].read() == b"keep me"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket="victim")["Contents"]] == ["precious"]


def test_cross_origin_create_model_invocation_job_is_refused(edge_gw, openai_fake):
    job = {"jobName": "from-a-page", "modelId": "openai/gpt-4o-mini", "roleArn": "arn:aws:iam::0:role/x",
           "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://batch-in/in.jsonl"}},
           "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://batch-out/results/"}}}
    r = requests.post(edge_gw.bedrock_url + "/model-invocation-job", data=json.dumps(job), timeout=BOUND,
                      headers={"Origin": EVIL, "Content-Type": "text/plain"})
    assert_bedrock_denied(r)
    assert control(edge_gw).list_model_invocation_jobs()["invocationJobSummaries"] == []
    assert openai_fake.requests == []


def test_fetch_metadata_without_origin_is_refused(edge_gw):
    # A cross-site no-cors GET carries no Origin in some browsers, but always Sec-Fetch-Site.
    r = requests.get(edge_gw.bedrock_url + "/foundation-models", headers={"Sec-Fetch-Site": "cross-site"}, timeout=BOUND)
    assert_bedrock_denied(r)
    r = requests.get(edge_gw.bedrock_url + "/foundation-models", headers={"Sec-Fetch-Site": "none"}, timeout=BOUND)
    assert r.status_code == 200, r.text


def test_allowed_and_same_origin_pages_pass(edge_gw, openai_fake):
    r = requests.post(edge_gw.converse_url(), data=CONVERSE_BODY, timeout=BOUND,
                      headers={"Origin": CONSOLE, "Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.headers["Access-Control-Allow-Origin"] == CONSOLE
    assert len(openai_fake.requests) == 1
    # The gateway's own pages are same-origin with a trusted Host, and need no CORS answer.
    r = requests.get(edge_gw.bedrock_url + "/foundation-models", timeout=BOUND,
                     headers={"Origin": f"http://127.0.0.1:{edge_gw.port}"})
    assert r.status_code == 200, r.text
    assert "Access-Control-Allow-Origin" not in r.headers


def test_preflight_is_never_answered_permissively(edge_gw):
    asked = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    r = requests.options(edge_gw.converse_url(), headers={"Origin": EVIL, **asked}, timeout=BOUND)
    assert_bedrock_denied(r)
    r = requests.options(edge_gw.url + "/bedrock/files/victim", headers={"Origin": EVIL, **asked}, timeout=BOUND)
    assert_s3_denied(r)
    r = requests.options(edge_gw.converse_url(), headers={"Origin": CONSOLE, **asked}, timeout=BOUND)
    assert r.status_code == 204
    assert r.headers["Access-Control-Allow-Origin"] == CONSOLE


# ---- Host names ---------------------------------------------------------------------------------------------
def test_foreign_host_is_refused_in_each_dialect(edge_gw, openai_fake):
    rebind = {"Host": "rebind.evil.example:8080"}
    assert_bedrock_denied(requests.post(edge_gw.converse_url(), data=CONVERSE_BODY, headers=rebind, timeout=BOUND))
    # What a rebinding page sends: same-origin with its own, foreign, name.
    page = {**rebind, "Origin": "http://rebind.evil.example:8080"}
    assert_bedrock_denied(requests.get(edge_gw.bedrock_url + "/foundation-models", headers=page, timeout=BOUND))
    assert_s3_denied(requests.get(edge_gw.url + "/bedrock/files", headers=rebind, timeout=BOUND))
    assert openai_fake.requests == []
    # Probes call /health by IP or internal name; it does nothing and tells only the provider names.
    assert requests.get(edge_gw.url + "/health", headers=rebind, timeout=BOUND).status_code == 200
    # But no web page may use it.
    r = requests.get(edge_gw.url + "/health", headers={"Origin": EVIL}, timeout=BOUND)
    assert r.status_code == 403


@pytest.mark.parametrize("host", ["localhost:{port}", "127.0.0.1:{port}", "[::1]:{port}", "localhost",
                                  "gateway.internal:{port}", "GATEWAY.internal."])
def test_loopback_and_configured_hosts_are_served(edge_gw, host):
    r = requests.get(edge_gw.bedrock_url + "/foundation-models", headers={"Host": host.format(port=edge_gw.port)},
                     timeout=BOUND)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("setting, value", [("allowed_origins", ["https://console.example.com/app"]),
                                            ("allowed_origins", ["console.example.com"]),
                                            ("allowed_hosts", ["bad host"]),
                                            ("header_timeout_seconds", 0)])
def test_bad_edge_settings_are_config_errors_with_a_line(tmp_path, setting, value):
    path = tmp_path / "config.yaml"
    path.write_text(f"server:\n  port: 8080\n  {setting}: {json.dumps(value)}\n")
    r = subprocess.run([str(require_binary()), "check-config", str(path)], capture_output=True, text=True,
                       timeout=30, stdin=subprocess.DEVNULL)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "line 3" in out and f"server.{setting}" in out, out


# ---- slow and idle clients ----------------------------------------------------------------------------------
def connect_many(port: int, n: int) -> list[socket.socket]:
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=BOUND)
        s.setblocking(False)
        socks.append(s)
    return socks


def trickle_until_closed(socks: list[socket.socket], pieces: list[bytes], gap: float = 0.2) -> dict[int, bytes]:
    """Send each socket one piece per gap until the gateway closes it; returns what each received, by index.
    Stops at BOUND; sockets still open then are missing from the result."""
    received: dict[int, bytearray] = {i: bytearray() for i in range(len(socks))}
    closed: set[int] = set()
    deadline = time.monotonic() + BOUND
    step = 0
    while len(closed) < len(socks) and time.monotonic() < deadline:
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                readable, _, _ = select.select([s], [], [], 0)
                while readable:
                    data = s.recv(4096)
                    if not data:
                        closed.add(i)
                        break
                    received[i] += data
                    readable, _, _ = select.select([s], [], [], 0)
                if pieces and i not in closed:
                    s.send(pieces[step % len(pieces)])
            except (ConnectionResetError, BrokenPipeError):
                # A byte sent after the gateway closed draws a reset, which may discard its answer unread.
                closed.add(i)
        step += 1
        time.sleep(gap)
    for s in socks:
        s.close()
    return {i: bytes(received[i]) for i in closed}


def still_serves(gw: Gateway) -> None:
    answer = gw.client(read_timeout=BOUND).converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert answer["output"]["message"]["content"][0]["text"]


def test_a_trickled_request_head_is_cut_with_408(edge_gw):
    socks = connect_many(edge_gw.port, 30)
    start = b"POST /bedrock/model/openai%2Fgpt-4o-mini/converse HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    for s in socks:
        s.send(start)
    # One byte per gap, forever: the bytes keep coming, the head never ends.
    closed = trickle_until_closed(socks, [b"X", b"-", b"a", b":", b" ", b"b", b"\r", b"\n"])
    assert len(closed) == len(socks), f"{len(socks) - len(closed)} trickling connections were never closed"
    assert all(a == b"" or a.startswith(b"HTTP/1.1 408") for a in closed.values()), set(closed.values())
    assert any(a.startswith(b"HTTP/1.1 408") for a in closed.values())
    still_serves(edge_gw)


def test_silent_and_idle_kept_alive_connections_are_closed(edge_gw):
    silent = connect_many(edge_gw.port, 20)
    kept = connect_many(edge_gw.port, 20)
    for s in kept:
        s.setblocking(True)
        s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
        s.setblocking(False)
    closed = trickle_until_closed(silent + kept, [])
    assert len(closed) == 40, f"{40 - len(closed)} silent or idle connections were never closed"
    # A connection that sent nothing had no request in flight: it is told why; an idle one is simply closed.
    assert all(closed[i].startswith(b"HTTP/1.1 408") for i in range(20))
    assert all(closed[i] == b"" for i in range(20, 40))
    still_serves(edge_gw)


def test_a_trickled_body_is_cut_before_reaching_the_upstream(edge_gw, openai_fake):
    socks = connect_many(edge_gw.port, 30)
    body = CONVERSE_BODY.encode()
    head = (b"POST /bedrock/model/openai%2Fgpt-4o-mini/converse HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: " + str(len(body) + 2000).encode() + b"\r\n\r\n")
    for s in socks:
        s.send(head + body[:1])
    closed = trickle_until_closed(socks, [b" "])
    assert len(closed) == len(socks), f"{len(socks) - len(closed)} trickling bodies were never cut"
    assert openai_fake.requests == []
    still_serves(edge_gw)


def test_a_body_sent_at_a_fair_rate_and_a_long_answer_stream_are_not_cut(edge_gw, openai_fake):
    # The body arrives over several body windows, well above the minimum rate.
    body = json.dumps({"messages": [user("x" * 3000)]}).encode()
    with socket.create_connection(("127.0.0.1", edge_gw.port), timeout=BOUND) as s:
        s.sendall(b"POST /bedrock/model/openai%2Fgpt-4o-mini/converse HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        for i in range(0, len(body), 300):
            s.sendall(body[i:i + 300])
            time.sleep(0.2)
        assert s.recv(4096).startswith(b"HTTP/1.1 200")
    # The answer takes longer than every client deadline: they bound the client's sending, not the answer.
    openai_fake.enqueue(openai_stream(["one ", "two ", "three"], stream_kw={"delays": {2: 1.5, 3: 1.5}}))
    events = list(edge_gw.client(read_timeout=BOUND).converse_stream(
        modelId="openai/gpt-4o-mini", messages=[user("Hi")])["stream"])
    text = "".join(e["contentBlockDelta"]["delta"]["text"] for e in events if "contentBlockDelta" in e)
    assert text == "one two three"


# ---- the descriptor limit -----------------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_limited_gateway(workdir, config: dict, nofile: int) -> Gateway:
    """`switchyard serve` under RLIMIT_NOFILE = nofile (conftest's start_gateway has no preexec_fn)."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    path = workdir / "switchyard.json"
    path.write_text(json.dumps(config))
    log_path = workdir / "gateway.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(require_binary()), "serve", "--config", str(path), "--host", "127.0.0.1", "--port", str(port)],
            cwd=workdir, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile)))
    gw = Gateway(proc, port, workdir, log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline and gw.alive():
        try:
            if requests.get(gw.url + "/health", timeout=1).status_code == 200:
                return gw
        except requests.RequestException:
            time.sleep(0.1)
    gw.stop()
    pytest.fail(f"limited gateway did not start\n{gw.log_tail()}", pytrace=False)


# The derived cap stays below the limit; with a configured one above it accepting backs off a few descriptors short
# of the limit (libdispatch traps the process when its /proc read meets EMFILE).
@pytest.mark.parametrize("max_connections", [None, 1000], ids=["derived-cap", "cap-above-the-limit"])
def test_more_idle_sockets_than_descriptors_do_not_lock_clients_out(tmp_path, openai_fake, anthropic_fake,
                                                                    max_connections):
    server = {} if max_connections is None else {"max_connections": max_connections}
    gw = start_limited_gateway(tmp_path / "limited", edge_config(openai_fake, anthropic_fake, **server), nofile=256)
    try:
        cpu_before, wall_before = cpu_seconds(gw.proc.pid), time.monotonic()
        # More than the process has descriptors for: without a cap, accepts fail with EMFILE.
        idle = connect_many(gw.port, 300)
        # Queued behind the idle ones; served once their header deadline frees a place.
        still_serves(gw)
        cpu, wall = cpu_seconds(gw.proc.pid) - cpu_before, time.monotonic() - wall_before
        assert cpu < wall / 2, f"gateway used {cpu:.2f}s of CPU in {wall:.2f}s: it spins"
        assert gw.alive()
        for s in idle:
            s.close()
    finally:
        gw.stop()
