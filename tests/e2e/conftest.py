"""Fixtures for the Switchyard end-to-end suite: fake upstreams, gateway processes, boto3 clients.

The binary is $SWITCHYARD_BIN, or <repo>/.build/debug/switchyard. Tests that need it fail (never skip) when it
is missing.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import boto3
import pytest
import requests
from botocore.config import Config

from batch_helpers import with_aws_control_plane
from fakes.anthropic_fake import AnthropicFake
from fakes.bedrock_fake import BedrockFake
from fakes.gemini_fake import GeminiFake
from fakes.openai_fake import OpenAIFake
from helpers import REPO, default_config, invoke_config, require_binary

STARTUP_TIMEOUT = 15.0
PROVIDER_ENV = ("SWITCHYARD_CONFIG", "OPENAI_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
                "MISTRAL_API_KEY", "MISTRAL_BASE_URL", "OLLAMA_BASE_URL", "GEMINI_API_KEY", "GEMINI_BASE_URL")

# Loopback only: never let a proxy or a Bedrock API key from the environment change what boto3 sends.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
os.environ.pop("AWS_BEARER_TOKEN_BEDROCK", None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- fakes --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def openai_fake():
    fake = OpenAIFake()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def anthropic_fake():
    fake = AnthropicFake()
    yield fake
    fake.close()


@pytest.fixture(scope="session")
def gemini_fake():
    """Not reset by _fresh_fakes (tests that use it reset it themselves, see test_gemini.py)."""
    fake = GeminiFake()
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def bedrock_fake():
    """A Bedrock fake (runtime, control plane and S3, see fakes/bedrock_fake.py), one per module."""
    fake = BedrockFake()
    yield fake
    fake.close()


@pytest.fixture
def aws_gw_config(openai_fake, anthropic_fake) -> dict:
    """What aws_gw's configuration starts from; a module overrides this fixture to add its own settings."""
    return default_config(openai_fake, anthropic_fake)


@pytest.fixture
def aws_gw(gateway, bedrock_fake, aws_gw_config):
    """A gateway whose Bedrock provider's control plane is bedrock_fake, playing AWS's; the fake reset around the test."""
    bedrock_fake.reset()
    yield gateway(with_aws_control_plane(aws_gw_config, bedrock_fake))
    bedrock_fake.reset()


@pytest.fixture(autouse=True)
def _fresh_fakes(openai_fake, anthropic_fake):
    openai_fake.reset()
    anthropic_fake.reset()
    yield
    openai_fake.reset()
    anthropic_fake.reset()


# ---- gateway processes --------------------------------------------------------------------------------------
class Gateway:
    def __init__(self, proc: subprocess.Popen, port: int, workdir: Path, log_path: Path):
        self.proc, self.port, self.workdir, self.log_path = proc, port, workdir, log_path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def bedrock_url(self) -> str:
        return self.url + "/bedrock"

    def converse_url(self, model_id: str = "openai/gpt-4o-mini", op: str = "converse") -> str:
        return f"{self.bedrock_url}/model/{quote(model_id, safe='-._~')}/{op}"

    def client(self, headers: dict[str, str] | None = None, read_timeout: float = 30):
        return bedrock_client(self, headers, read_timeout)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


def start_gateway(workdir: Path, config: dict | str | None = None, *, env: dict[str, str] | None = None,
                  config_via_env: bool = False) -> Gateway:
    """Start `switchyard serve` on a free port and wait for /health.

    config: dict (written as JSON), str (written verbatim as YAML) or None (no config: env-var mode).
    config_via_env: pass the file as SWITCHYARD_CONFIG instead of --config.
    """
    binary = require_binary()
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc_env = {k: v for k, v in os.environ.items() if k not in PROVIDER_ENV}
    proc_env.update(env or {})
    cmd = [str(binary), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if config is not None:
        path = workdir / ("switchyard.json" if isinstance(config, dict) else "switchyard.yaml")
        path.write_text(json.dumps(config, indent=2) if isinstance(config, dict) else config)
        if config_via_env:
            proc_env["SWITCHYARD_CONFIG"] = str(path)
        else:
            cmd[2:2] = ["--config", str(path)]
    log_path = workdir / "gateway.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=workdir, env=proc_env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    gw = Gateway(proc, port, workdir, log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if proc.poll() is not None:
            pytest.fail(f"gateway exited with {proc.returncode} during startup: {' '.join(cmd)}\n"
                        f"--- log tail ---\n{gw.log_tail()}", pytrace=False)
        try:
            if requests.get(gw.url + "/health", timeout=1).status_code == 200:
                return gw
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            gw.stop()
            pytest.fail(f"gateway did not answer GET /health within {STARTUP_TIMEOUT}s: {' '.join(cmd)}\n"
                        f"--- log tail ---\n{gw.log_tail()}", pytrace=False)
        time.sleep(0.1)


@pytest.fixture
def gateway(tmp_path):
    """Factory: gateway(config=..., env=..., config_via_env=...) -> Gateway; every gateway is stopped at teardown."""
    started: list[Gateway] = []

    def start(config: dict | str | None = None, **kw) -> Gateway:
        gw = start_gateway(tmp_path / f"gw{len(started)}", config, **kw)
        started.append(gw)
        return gw

    yield start
    for gw in started:
        gw.stop()


@pytest.fixture(scope="session")
def _shared_gateway_state(tmp_path_factory):
    state = {"gw": None, "dir": tmp_path_factory.mktemp("shared-gateway"), "n": 0}
    yield state
    if state["gw"] is not None:
        state["gw"].stop()


@pytest.fixture
def gw(_shared_gateway_state, openai_fake, anthropic_fake) -> Gateway:
    """The shared gateway on default_config(); restarted (and reported) if an earlier test killed it."""
    st = _shared_gateway_state
    if st["gw"] is not None and not st["gw"].alive():
        dead = st["gw"]
        st["gw"] = None
        print(f"shared gateway had exited with {dead.proc.returncode}; restarting. log tail:\n{dead.log_tail()}")
    if st["gw"] is None:
        st["n"] += 1
        st["gw"] = start_gateway(st["dir"] / f"run{st['n']}", default_config(openai_fake, anthropic_fake))
    return st["gw"]


@pytest.fixture(scope="session")
def _shared_gemini_gateway_state(tmp_path_factory):
    state = {"gw": None, "dir": tmp_path_factory.mktemp("shared-gemini-gateway"), "n": 0}
    yield state
    if state["gw"] is not None:
        state["gw"].stop()


@pytest.fixture
def gemini_gw(_shared_gemini_gateway_state, openai_fake, anthropic_fake, gemini_fake) -> Gateway:
    """A shared gateway on default_config(..., gemini_fake=...): the `gemini` provider answers from the fake."""
    st = _shared_gemini_gateway_state
    if st["gw"] is not None and not st["gw"].alive():
        dead = st["gw"]
        st["gw"] = None
        print(f"shared gemini gateway had exited with {dead.proc.returncode}; restarting. log tail:\n{dead.log_tail()}")
    if st["gw"] is None:
        st["n"] += 1
        st["gw"] = start_gateway(st["dir"] / f"run{st['n']}",
                                 default_config(openai_fake, anthropic_fake, gemini_fake=gemini_fake))
    return st["gw"]


@pytest.fixture(scope="session")
def _invoke_gateway_state(tmp_path_factory):
    state = {"gw": None, "dir": tmp_path_factory.mktemp("invoke-gateway"), "n": 0}
    yield state
    if state["gw"] is not None:
        state["gw"].stop()


@pytest.fixture
def invoke_gw(_invoke_gateway_state, openai_fake, anthropic_fake) -> Gateway:
    """A shared gateway on helpers.invoke_config() (default_config + a `mistral` provider on the OpenAI fake)."""
    st = _invoke_gateway_state
    if st["gw"] is not None and not st["gw"].alive():
        dead = st["gw"]
        st["gw"] = None
        print(f"invoke gateway had exited with {dead.proc.returncode}; restarting. log tail:\n{dead.log_tail()}")
    if st["gw"] is None:
        st["n"] += 1
        st["gw"] = start_gateway(st["dir"] / f"run{st['n']}", invoke_config(openai_fake, anthropic_fake))
    return st["gw"]


# ---- clients ------------------------------------------------------------------------------------------------
def bedrock_client(gw: Gateway, headers: dict[str, str] | None = None, read_timeout: float = 30):
    client = boto3.client(
        "bedrock-runtime", endpoint_url=gw.bedrock_url, region_name="us-west-2",
        aws_access_key_id="any", aws_secret_access_key="any",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=read_timeout))
    if headers:
        def add_headers(request, **_):
            for k, v in headers.items():
                request.headers[k] = v
        client.meta.events.register("before-sign.bedrock-runtime.*", add_headers)
    return client


@pytest.fixture
def client(gw):
    return gw.client()


# ---- PostgreSQL for the shared-store tests ----------------------------------------------------------------------
@pytest.fixture(scope="session")
def postgres_base_url():
    url = os.environ.get("SWITCHYARD_TEST_DATABASE_URL")
    if url:
        yield url
        return
    root = Path(tempfile.mkdtemp(prefix="swyd-pg-"))
    root.chmod(0o755)
    port = 20000 + os.getpid() % 20000
    started = subprocess.run([str(REPO / "scripts" / "postgres.sh"), "start", str(root / "cluster"), str(port)],
                             capture_output=True, text=True, timeout=300)
    assert started.returncode == 0, started.stderr
    yield started.stdout.strip()
    subprocess.run([str(REPO / "scripts" / "postgres.sh"), "stop", str(root / "cluster")], timeout=60)


@pytest.fixture
def database_url(postgres_base_url):
    name = "t_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", postgres_base_url, "-q", "-c", f"CREATE DATABASE {name}"], check=True, timeout=30)
    return postgres_base_url.rsplit("/", 1)[0] + "/" + name
