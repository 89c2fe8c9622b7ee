"""Direct keys (`governance.allow_direct_keys`): a caller's own upstream credentials, sent by real boto3 in `x-bf-*`
headers or as its Bedrock API key, are what the upstream sees for that caller's calls instead of the configured keys;
they are recorded as the key `direct` and found nowhere on the gateway's disk; with the option off they are refused
with AccessDeniedException."""
from __future__ import annotations

import re
import time

import anthropic
import boto3
import openai
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from batch_helpers import control, files
from conftest import start_gateway
from fakes.bedrock_fake import ACCESS_KEY, SECRET_KEY
from fakes.openai_fake import openai_error
from fakes.otlp_receiver import OTLPReceiver
from helpers import admin_get, collect, default_config, provider, raises_client_error, user, with_admin_token
from test_files_providers import S3Relay

CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0"
CALLER_OPENAI = "sk-caller-openai-7Hq2Lw9Zx4Kd"
CALLER_ANTHROPIC = "sk-ant-caller-P3mV8rT1yU6o"
CALLER_GENERIC = "caller-generic-key-Qe5Nb2Wc8"
CALLER_AK = "AKIACALLERDIRECT0001"
CALLER_SECRET = "callerSecretKey/Direct+0123456789abcdefgh"
CALLER_TOKEN = "CallerSessionToken//direct+Zz9=="
CALLER_BEARER = "ABSKcallerBedrockApiKey0123456789xyz"
SECRETS = [CALLER_OPENAI, CALLER_ANTHROPIC, CALLER_GENERIC, CALLER_SECRET, CALLER_TOKEN, CALLER_BEARER]
AWS_HEADERS = {"x-bf-bedrock-access-key": CALLER_AK, "x-bf-bedrock-secret-key": CALLER_SECRET,
               "x-bf-bedrock-session-token": CALLER_TOKEN, "x-bf-bedrock-region": "ap-northeast-1"}
POLLS, POLL = 200, 0.05  # bounded waits for the request log's background writer; never a measured threshold


def direct_config(openai_fake, anthropic_fake, bedrock_fake, *, allow: bool = True, s3_url: str | None = None) -> dict:
    config = default_config(openai_fake, anthropic_fake)
    config["providers"]["bedrock"] = provider(
        bedrock_fake.url, [{"name": "aws1", "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}],
        region="eu-central-1", control_plane_url=bedrock_fake.url, **({"s3_url": s3_url} if s3_url else {}))
    with_admin_token(config)
    config["logging"] = {"flush_interval_ms": 50}
    if allow:
        config["governance"] = {"allow_direct_keys": True}
    return config


@pytest.fixture(autouse=True)
def _fresh_bedrock(bedrock_fake):
    bedrock_fake.reset()
    bedrock_fake.accounts[CALLER_AK] = (CALLER_SECRET, CALLER_TOKEN)
    bedrock_fake.bearers.add(CALLER_BEARER)
    yield
    bedrock_fake.reset()


@pytest.fixture(scope="module")
def receiver():
    r = OTLPReceiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def direct_gw(tmp_path_factory, openai_fake, anthropic_fake, bedrock_fake, receiver):
    # Debug logging, content logging and traces: the more the gateway keeps, the more the secret checks look at.
    config = direct_config(openai_fake, anthropic_fake, bedrock_fake)
    config["logging"]["content"] = True
    config["tracing"] = {"endpoint": receiver.url, "service_name": "switchyard-direct-keys"}
    gw = start_gateway(tmp_path_factory.mktemp("direct-keys"), config, env={"LOG_LEVEL": "debug", "OTEL_BSP_SCHEDULE_DELAY": "50"})
    yield gw
    gw.stop()


def with_headers(client, headers: dict[str, str]):
    """Headers added before boto3 signs, as the seed's handlers do."""
    def add(request, **_):
        for name, value in headers.items():
            request.headers[name] = value
    client.meta.events.register_first("before-sign", add)
    return client


def bearer_client(gw, monkeypatch):
    """boto3 with a Bedrock API key in AWS_BEARER_TOKEN_BEDROCK: it sends `Authorization: Bearer` instead of SigV4."""
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", CALLER_BEARER)
    return boto3.client("bedrock-runtime", endpoint_url=gw.bedrock_url, region_name="us-west-2",
                        aws_access_key_id="any", aws_secret_access_key="any",
                        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30))


def no_direct_headers(*fakes) -> None:
    for fake in fakes:
        for req in fake.requests:
            leaked = [name for name in req.headers if name.startswith("x-bf-")]
            assert not leaked, f"{type(fake).__name__} received {leaked} on {req.path}"


def log_row(gw, request_id: str) -> dict:
    for _ in range(POLLS):
        found = admin_get(gw, "/api/logs", limit=1000).json()["logs"]
        for row in found:
            if row["id"] == request_id:
                return row
        time.sleep(POLL)
    raise AssertionError(f"no request log row {request_id}")


def model_rows(gw, model: str, count: int) -> list[dict]:
    """The rows of `model` (a passthrough answer carries AWS's request id, not the row's), once `count` are written."""
    for _ in range(POLLS):
        found = admin_get(gw, "/api/logs", limit=1000, model=model).json()["logs"]
        if len(found) >= count:
            return found
        time.sleep(POLL)
    raise AssertionError(f"fewer than {count} request log rows for {model}")


def rid(answer: dict) -> str:
    return answer["ResponseMetadata"]["RequestId"]


# ---- the upstream sees the caller's key -----------------------------------------------------------------------
def test_openai_and_anthropic_see_the_callers_keys(direct_gw, openai_fake, anthropic_fake):
    rt = direct_gw.client({"x-bf-openai-key": CALLER_OPENAI, "x-bf-anthropic-key": CALLER_ANTHROPIC})
    oa = rt.converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert openai_fake.last.header("authorization") == f"Bearer {CALLER_OPENAI}"
    collect(rt.converse_stream(modelId="openai/gpt-4o-mini", messages=[user("Hi")])["stream"])
    assert openai_fake.last.header("authorization") == f"Bearer {CALLER_OPENAI}"
    an = rt.converse(modelId="anthropic/claude-sonnet-4-5", messages=[user("Hi")])
    assert anthropic_fake.last.header("x-api-key") == CALLER_ANTHROPIC
    assert [r.header("authorization") for r in openai_fake.requests] == [f"Bearer {CALLER_OPENAI}"] * 2
    no_direct_headers(openai_fake, anthropic_fake)
    assert log_row(direct_gw, rid(oa))["provider_key_name"] == "direct"
    assert log_row(direct_gw, rid(an))["provider_key_name"] == "direct"
    # Without the headers the same gateway uses its own keys.
    plain = direct_gw.client().converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert openai_fake.last.header("authorization") == "Bearer sk-test-one"
    assert log_row(direct_gw, rid(plain))["provider_key_name"] == "k1"


def test_a_vendor_key_stays_with_its_vendor_and_the_generic_key_follows_the_model(direct_gw, openai_fake):
    # groq and ollama speak OpenAI's dialect (here on the same fake) but are other vendors.
    direct_gw.client({"x-bf-openai-key": CALLER_OPENAI}).converse(modelId="groq/llama-3.1-8b-instant", messages=[user("Hi")])
    assert openai_fake.last.header("authorization") == "Bearer gsk-test"
    generic = direct_gw.client({"x-bf-provider-key": CALLER_GENERIC})
    generic.converse(modelId="groq/llama-3.1-8b-instant", messages=[user("Hi")])
    assert openai_fake.last.header("authorization") == f"Bearer {CALLER_GENERIC}"
    generic.converse(modelId="ollama/llama3.2:1b", messages=[user("Hi")])
    assert openai_fake.last.header("authorization") == f"Bearer {CALLER_GENERIC}"
    no_direct_headers(openai_fake)


def test_bedrock_sees_a_signature_made_with_the_callers_access_key(direct_gw, bedrock_fake):
    rt = direct_gw.client(AWS_HEADERS)
    model = "us." + CLAUDE
    rt.converse(modelId=model, messages=[user("Hello!")])
    collect(rt.converse_stream(modelId=model, messages=[user("Story")])["stream"])
    assert len(bedrock_fake.signatures) == 2
    for sig, req in zip(bedrock_fake.signatures, bedrock_fake.requests):
        assert sig.ok, sig.reason
        assert (sig.access_key, sig.region, sig.service) == (CALLER_AK, "ap-northeast-1", "bedrock")
        assert req.header("x-amz-security-token") == CALLER_TOKEN
    no_direct_headers(bedrock_fake)
    assert [r["provider_key_name"] for r in model_rows(direct_gw, model, 2)] == ["direct", "direct"]


def test_a_bedrock_api_key_from_boto3_is_the_bearer_upstream_and_only_bedrocks(direct_gw, bedrock_fake, openai_fake,
                                                                                monkeypatch):
    rt = bearer_client(direct_gw, monkeypatch)
    rt.converse(modelId=CLAUDE, messages=[user("Hello!")])
    assert bedrock_fake.last.header("authorization") == f"Bearer {CALLER_BEARER}"
    assert bedrock_fake.signatures[-1].ok
    rt.converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert openai_fake.last.header("authorization") == "Bearer sk-test-one"


def test_the_control_plane_is_forwarded_signed_with_the_callers_keys(direct_gw, bedrock_fake):
    br = with_headers(control(direct_gw, "bedrock"), AWS_HEADERS)
    listed = br.list_model_invocation_jobs(maxResults=5)
    assert listed["invocationJobSummaries"][0]["jobName"] == "aws-side-job"
    sig = bedrock_fake.signatures[-1]
    assert sig.ok and (sig.access_key, sig.region) == (CALLER_AK, "ap-northeast-1"), sig
    no_direct_headers(bedrock_fake)


def test_malformed_direct_keys_are_a_validation_exception(direct_gw, openai_fake):
    rt = direct_gw.client({"x-bf-bedrock-access-key": CALLER_AK})
    with pytest.raises(rt.exceptions.ValidationException) as raised:
        rt.converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert "x-bf-bedrock-secret-key" in raised.value.response["Error"]["Message"]
    assert openai_fake.requests == []


# ---- Amazon S3 of the bedrock namespace -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def moto_relay():
    from moto.server import ThreadedMotoServer
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    port = server.get_host_and_port()[1]
    boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1", aws_access_key_id="moto",
                 aws_secret_access_key="moto").create_bucket(Bucket="caller-bucket")
    relay = S3Relay(port)
    yield relay
    relay.close()
    server.stop()


def test_s3_requests_of_the_bedrock_namespace_are_signed_with_the_callers_keys(gateway, openai_fake, anthropic_fake,
                                                                               bedrock_fake, moto_relay):
    gw = gateway(direct_config(openai_fake, anthropic_fake, bedrock_fake, s3_url=moto_relay.url))
    moto_relay.requests.clear()
    headers = {k: v for k, v in AWS_HEADERS.items() if k != "x-bf-bedrock-session-token"}
    s3 = with_headers(files(gw, "bedrock"), headers)
    s3.put_object(Bucket="caller-bucket", Key="in.jsonl", Body=b'{"a": 1}\n', ContentType="application/jsonl")
    assert s3.get_object(Bucket="caller-bucket", Key="in.jsonl")["Body"].read() == b'{"a": 1}\n'
    assert [r.method for r in moto_relay.requests] == ["PUT", "GET"]
    pattern = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/\d{8}/([^/]+)/s3/aws4_request, SignedHeaders=([^,]+), "
                         r"Signature=([0-9a-f]{64})$")
    for req in moto_relay.requests:
        assert not [name for name in req.headers if name.startswith("x-bf-")], req.headers
        m = pattern.match(req.header("authorization") or "")
        assert m and m.group(1, 2) == (CALLER_AK, "ap-northeast-1"), req.header("authorization")
        names = m.group(3).split(";")
        aws = AWSRequest(method=req.method, url=f"http://{req.header('host')}{req.path}", data=req.body,
                         headers={n: req.header(n) for n in names})
        aws.context["timestamp"] = req.header("x-amz-date")
        signer = S3SigV4Auth(Credentials(CALLER_AK, CALLER_SECRET), "s3", "ap-northeast-1")
        assert signer.signature(signer.string_to_sign(aws, signer.canonical_request(aws)), aws) == m.group(4)
    # S3 takes AWS access keys only: a Bedrock API key is refused, not replaced by the gateway's keys.
    moto_relay.requests.clear()
    with raises_client_error("AccessDenied", 403):
        with_headers(files(gw, "bedrock"), {"x-bf-bedrock-api-key": CALLER_BEARER}).get_object(
            Bucket="caller-bucket", Key="in.jsonl")
    assert moto_relay.requests == []


# ---- secrets are nowhere ---------------------------------------------------------------------------------------
def test_the_token_doors_take_the_sdks_own_key_as_its_vendors_direct_key(direct_gw, openai_fake, anthropic_fake):
    # The OpenAI SDK's api_key is the caller's OpenAI key: it reaches OpenAI, and only OpenAI.
    oa = openai.OpenAI(base_url=direct_gw.url + "/v1", api_key=CALLER_OPENAI, max_retries=0, timeout=20)
    raw = oa.chat.completions.with_raw_response.create(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
    assert raw.parse().choices[0].message.content
    assert openai_fake.last.header("authorization") == f"Bearer {CALLER_OPENAI}"
    assert log_row(direct_gw, raw.headers["x-request-id"])["provider_key_name"] == "direct"
    oa.chat.completions.create(model="groq/llama-3.1-8b-instant", messages=[{"role": "user", "content": "Hi"}])
    assert openai_fake.last.header("authorization") == "Bearer gsk-test"
    oa.chat.completions.create(model="anthropic/claude-sonnet-4-5", messages=[{"role": "user", "content": "Hi"}])
    assert anthropic_fake.last.header("x-api-key") == "sk-ant-test"
    # The Anthropic SDK's x-api-key is the caller's Anthropic key, on the passthrough as on the translated path.
    an = anthropic.Anthropic(base_url=direct_gw.url + "/anthropic", api_key=CALLER_ANTHROPIC, max_retries=0)
    an.messages.create(model="anthropic/claude-sonnet-4-5", max_tokens=16, messages=[{"role": "user", "content": "Hi"}])
    assert anthropic_fake.last.header("x-api-key") == CALLER_ANTHROPIC
    an.messages.create(model="openai/gpt-4o-mini", max_tokens=16, messages=[{"role": "user", "content": "Hi"}])
    assert openai_fake.last.header("authorization") == "Bearer sk-test-one"
    # One key per vendor: the SDK's and a header's both is a clear 400, not a guess.
    both = openai.OpenAI(base_url=direct_gw.url + "/v1", api_key=CALLER_OPENAI, max_retries=0,
                         default_headers={"x-bf-openai-key": CALLER_OPENAI + "x"})
    with pytest.raises(openai.BadRequestError) as raised:
        both.chat.completions.create(model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
    assert "not both" in raised.value.message and CALLER_OPENAI not in raised.value.message
    no_direct_headers(openai_fake, anthropic_fake)


def test_no_direct_key_is_stored_logged_traced_or_echoed(direct_gw, openai_fake, anthropic_fake, bedrock_fake, receiver,
                                                        monkeypatch):
    rt = direct_gw.client({"x-bf-openai-key": CALLER_OPENAI, "x-bf-anthropic-key": CALLER_ANTHROPIC,
                           "x-bf-provider-key": CALLER_GENERIC, **AWS_HEADERS})
    # Upstreams that echo the key they were given, as OpenAI's 401 does; the generic key has no key-like shape,
    # so only the call's own redactor can hide it.
    failed = []
    for model, key in (("groq/llama-3.1-8b-instant", CALLER_GENERIC), ("openai/gpt-4o-mini", CALLER_OPENAI)):
        openai_fake.enqueue(openai_error(401, f"Incorrect API key provided: {key}."))
        with pytest.raises(ClientError) as raised:
            rt.converse(modelId=model, messages=[user("Hi")])
        assert "Incorrect API key provided" in str(raised.value.response) and key not in str(raised.value.response)
        failed.append(raised.value.response["ResponseMetadata"]["RequestId"])
    answers = [rt.converse(modelId=m, messages=[user("Hi")]) for m in ("anthropic/claude-sonnet-4-5", "groq/llama-3.1-8b-instant")]
    rt.converse(modelId="eu." + CLAUDE, messages=[user("Hi")])
    bearer_client(direct_gw, monkeypatch).converse(modelId="apac." + CLAUDE, messages=[user("Hi")])
    rows = [log_row(direct_gw, request_id) for request_id in failed + [rid(a) for a in answers]]
    rows += model_rows(direct_gw, "eu." + CLAUDE, 1) + model_rows(direct_gw, "apac." + CLAUDE, 1)
    assert [r["provider_key_name"] for r in rows] == ["direct"] * 6
    assert all(s.ok for s in bedrock_fake.signatures), bedrock_fake.signatures
    # Every call's server span and its client span (the attempt, with the key's name) have been exported.
    ids = {r["id"] for r in rows}

    def ours(got):
        servers = {s.span_id for s in got if s.kind == "server" and s.attributes.get("switchyard.request_id") in ids}
        return [s for s in got if s.span_id in servers or s.parent_span_id in servers]
    spans = ours(receiver.wait_for(lambda got: sum(s.kind == "client" for s in ours(got)) >= len(ids)))
    assert [s.attributes.get("switchyard.key_name") for s in spans if s.kind == "client"] == ["direct"] * len(ids)
    api = admin_get(direct_gw, "/api/logs", limit=1000).text
    stored = {p.name: p.read_bytes() for p in (direct_gw.workdir / "switchyard-data").iterdir() if p.is_file()}
    stored["gateway.log"] = direct_gw.log_path.read_bytes()
    stored["/api/logs"] = api.encode()
    stored["spans"] = repr(spans).encode()
    assert any(name.startswith("switchyard.sqlite") for name in stored), list(stored)
    for secret in SECRETS:
        holders = [name for name, data in stored.items() if secret.encode() in data]
        assert not holders, f"{secret!r} found in {holders}"


# ---- turned off ------------------------------------------------------------------------------------------------
def test_turned_off_direct_keys_are_access_denied_and_a_bearer_is_ignored(gateway, openai_fake, anthropic_fake,
                                                                        bedrock_fake, monkeypatch):
    gw = gateway(direct_config(openai_fake, anthropic_fake, bedrock_fake, allow=False))
    rt = gw.client({"x-bf-openai-key": CALLER_OPENAI})
    with pytest.raises(rt.exceptions.AccessDeniedException) as raised:
        rt.converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    message = raised.value.response["Error"]["Message"]
    assert "Direct keys are disabled" in message and "x-bf-openai-key" in message and CALLER_OPENAI not in message
    br = with_headers(control(gw, "bedrock"), AWS_HEADERS)
    with pytest.raises(br.exceptions.AccessDeniedException):
        br.list_model_invocation_jobs()
    with raises_client_error("AccessDenied", 403):
        with_headers(files(gw), AWS_HEADERS).put_object(Bucket="b-in", Key="k", Body=b"x")
    assert openai_fake.requests == [] and bedrock_fake.requests == []

    # The token doors refuse direct-key headers in their own dialects, and take an SDK's own key for anonymous traffic.
    with pytest.raises(openai.PermissionDeniedError) as denied:
        openai.OpenAI(base_url=gw.url + "/v1", api_key="sk-anything", max_retries=0,
                      default_headers={"x-bf-openai-key": CALLER_OPENAI}).models.list()
    assert "Direct keys are disabled" in denied.value.message and CALLER_OPENAI not in denied.value.message
    with pytest.raises(anthropic.PermissionDeniedError):
        anthropic.Anthropic(base_url=gw.url + "/anthropic", api_key="sk-ant-anything", max_retries=0,
                            default_headers={"x-bf-anthropic-key": CALLER_ANTHROPIC}).messages.create(
            model="anthropic/claude-sonnet-4-5", max_tokens=16, messages=[{"role": "user", "content": "Hi"}])
    assert openai_fake.requests == [] and anthropic_fake.requests == []
    openai.OpenAI(base_url=gw.url + "/v1", api_key=CALLER_OPENAI, max_retries=0).chat.completions.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
    assert openai_fake.last.header("authorization") == "Bearer sk-test-one"
    openai_fake.reset()

    # A plain bearer token is not a direct key then: the configured keys serve the call, as without the option.
    bearer = bearer_client(gw, monkeypatch)
    bearer.converse(modelId=CLAUDE, messages=[user("Hi")])
    assert bedrock_fake.signatures[-1].ok and bedrock_fake.signatures[-1].access_key == ACCESS_KEY
    bearer.converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert openai_fake.last.header("authorization") == "Bearer sk-test-one"
