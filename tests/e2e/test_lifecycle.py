"""Process lifecycle: health, graceful shutdown with work in flight, config loading and check-config."""
import re
import signal
import socket
import subprocess
import threading
import time

import pytest
import requests

from fakes.base import Delay, Reply, Stream
from fakes.openai_fake import openai_completion, openai_stream_events_for
from helpers import blocks_of, check_stream, collect, default_config, read_until, require_binary, user


def test_health(gw, openai_fake):
    r = requests.get(gw.url + "/health", timeout=5)
    assert r.status_code == 200
    assert r.headers.get("content-type", "").startswith("application/json")
    assert r.json()["status"] == "ok"
    assert openai_fake.requests == []  # health does not touch providers


def wait_until_refusing(port: int, timeout: float = 10.0) -> bool:
    """True once new TCP connections to the port are refused."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_lets_inflight_stream_finish(gateway, openai_fake, anthropic_fake, sig):
    gw = gateway(default_config(openai_fake, anthropic_fake))
    gate = threading.Event()
    openai_fake.enqueue(Stream(openai_stream_events_for(["before", " the signal,", " after", " it."]),
                               gate=gate, gate_before=3))
    resp = gw.client().converse_stream(modelId="openai/gpt-4o-mini", messages=[user("Go")])
    it = iter(resp["stream"])
    seen: list[dict] = []
    read_until(it, "contentBlockDelta", seen)
    assert not gate.is_set()

    gw.proc.send_signal(sig)
    refused = wait_until_refusing(gw.port)
    still_running = gw.alive()
    gate.set()
    try:
        events = collect(it, seen)
    except Exception as e:  # noqa: BLE001 - report the gateway's side
        pytest.fail(f"stream broke after {sig.name}: {e!r} (gateway exit code {gw.proc.poll()})\n{gw.log_tail()}",
                    pytrace=False)
    rc = gw.proc.wait(15)

    check_stream(events)
    assert blocks_of(events) == [{"text": "before the signal, after it."}]
    assert refused, "gateway kept accepting new connections after the signal"
    assert still_running, f"gateway exited before its in-flight stream finished:\n{gw.log_tail()}"
    assert rc == 0, f"exit code {rc}\n{gw.log_tail()}"
    assert len(openai_fake.requests) == 1 and openai_fake.last.json["stream"] is True


def test_sigterm_lets_inflight_request_finish(gateway, openai_fake, anthropic_fake):
    gw = gateway(default_config(openai_fake, anthropic_fake))
    gate = threading.Event()
    openai_fake.enqueue(Delay(Reply(200, openai_completion("finished after SIGTERM")), gate=gate))
    result: dict = {}
    client = gw.client()

    def call():
        try:
            result["resp"] = client.converse(modelId="openai/gpt-4o-mini", messages=[user("Go")])
        except Exception as e:  # reported below
            result["error"] = e

    t = threading.Thread(target=call)
    t.start()
    openai_fake.wait_for_requests(1)
    gw.proc.send_signal(signal.SIGTERM)
    refused = wait_until_refusing(gw.port)
    gate.set()
    t.join(30)
    rc = gw.proc.wait(15)

    assert "error" not in result, result
    assert result["resp"]["output"]["message"]["content"] == [{"text": "finished after SIGTERM"}]
    assert refused, "gateway kept accepting new connections after SIGTERM"
    assert rc == 0, f"exit code {rc}\n{gw.log_tail()}"
    assert openai_fake.last.json["model"] == "gpt-4o-mini"


def test_idle_gateway_exits_zero_on_sigterm(gateway, openai_fake, anthropic_fake):
    gw = gateway(default_config(openai_fake, anthropic_fake))
    assert gw.stop(signal.SIGTERM) == 0, gw.log_tail()
    assert openai_fake.requests == []


YAML_CONFIG = """\
# Hand-written YAML, as an operator would write it.
server:
  max_body_bytes: 25000000
providers:
  openai:
    base_url: {openai}/v1
    timeout_seconds: 5
    max_retries: 0
    keys:
      - name: k1
        value: sk-yaml-one
        weight: 3
        models: []
  anthropic:
    base_url: {anthropic}
    keys: [{{name: a1, value: sk-ant-yaml}}]
  groq:
    type: openai
    base_url: {openai}/v1
    keys: [{{value: gsk-yaml}}]
aliases:
  fast: openai/gpt-4o-mini
"""


def test_yaml_config_via_env_var(gateway, openai_fake, anthropic_fake):
    gw = gateway(YAML_CONFIG.format(openai=openai_fake.url, anthropic=anthropic_fake.url), config_via_env=True)
    c = gw.client()
    assert c.converse(modelId="fast", messages=[user("Hi")])["output"]["message"]["content"] == \
        [{"text": "Hello from fake OpenAI."}]
    assert openai_fake.last.header("authorization") == "Bearer sk-yaml-one"
    assert openai_fake.last.json["model"] == "gpt-4o-mini"
    c.converse(modelId="groq/llama-3.1-8b", messages=[user("Hi")])
    assert openai_fake.last.header("authorization") == "Bearer gsk-yaml"
    c.converse(modelId="anthropic/claude-sonnet-4-5", messages=[user("Hi")])
    assert anthropic_fake.last.header("x-api-key") == "sk-ant-yaml"


# ---- check-config -------------------------------------------------------------------------------------------
def check_config(tmp_path, text: str, name: str = "config.yaml") -> subprocess.CompletedProcess:
    path = tmp_path / name
    path.write_text(text)
    return subprocess.run([str(require_binary()), "check-config", str(path)], capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL)


def line_numbers(out: str) -> list[int]:
    return [int(n) for n in re.findall(r"line (\d+)", out)]


def test_check_config_accepts_valid_files(tmp_path):
    r = check_config(tmp_path, YAML_CONFIG.format(openai="http://127.0.0.1:9", anthropic="http://127.0.0.1:9"))
    assert r.returncode == 0, r.stdout + r.stderr
    r = check_config(tmp_path, '{"providers": {"openai": {"base_url": "http://127.0.0.1:9/v1", '
                               '"keys": [{"name": "k1", "value": "sk-x"}]}}, "aliases": {"fast": "openai/gpt-4o"}}',
                     "config.json")
    assert r.returncode == 0, r.stdout + r.stderr


def test_check_config_rejects_unknown_provider_type(tmp_path):
    text = ("providers:\n"                               # 1
            "  openai:\n"                                # 2
            "    base_url: http://127.0.0.1:9/v1\n"      # 3
            "  weird:\n"                                 # 4
            "    type: nosuch\n"                         # 5
            "    base_url: http://127.0.0.1:9/v1\n")     # 6
    r = check_config(tmp_path, text)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert set(line_numbers(out)) & {4, 5}, f"expected 'line 4' or 'line 5' in: {out}"


def test_check_config_rejects_custom_name_without_type(tmp_path):
    r = check_config(tmp_path, "providers:\n  groq:\n    base_url: http://127.0.0.1:9/v1\n")
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert line_numbers(out), f"expected a 'line N' in: {out}"


def test_check_config_rejects_yaml_syntax_error(tmp_path):
    text = ("providers:\n"
            "  openai:\n"
            "    base_url: http://127.0.0.1:9/v1\n"
            "    keys: [{name: k1, value: sk-x\n"
            "aliases:\n"
            "  fast: openai/gpt-4o-mini\n")
    r = check_config(tmp_path, text)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert line_numbers(out), f"expected a 'line N' in: {out}"


def test_check_config_missing_file(tmp_path):
    r = subprocess.run([str(require_binary()), "check-config", str(tmp_path / "absent.yaml")], capture_output=True,
                       text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert r.returncode != 0
    assert (r.stdout + r.stderr).strip()
