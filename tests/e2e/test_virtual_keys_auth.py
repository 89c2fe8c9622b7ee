"""Virtual keys presented the AWS way: as boto3's credentials (the SigV4 signature verified), as a Bedrock API key
(AWS_BEARER_TOKEN_BEDROCK), or in an x-bf-vk header; at every door (runtime, control plane, S3 with multipart,
aws-chunked and presigned URLs), from the AWS CLI and the Anthropic SDK; and every refusal as the AWS error boto3
raises for it (gateway-features.md §1.3 and §1.6).

Keys are written into the gateway's store by virtual_keys.py until the admin API exists.
"""
from __future__ import annotations

import datetime
import json
import os
import sqlite3
import subprocess
import time
import warnings
from urllib.parse import urlsplit

import anthropic
import boto3
import botocore.auth
import pytest
import requests
from boto3.s3.transfer import TransferConfig
from botocore import UNSIGNED
from botocore.config import Config

from conftest import start_gateway
from fakes.anthropic_fake import anthropic_message
from fakes.base import Reply
from fakes.bedrock_fake import ACCESS_KEY, SECRET_KEY, verify_sigv4
from helpers import collect, default_config, provider, raises_client_error, text_deltas, user
from test_files import TLSProxy, self_signed_cert
from test_metrics import moved, scrape
from virtual_keys import MASTER_KEY_ENV, VirtualKey, seed_key

BUCKET = "vk-bucket"
MODEL = "openai/gpt-4o-mini"
CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0"
MIB = 1024 * 1024
NO_RETRY = {"total_max_attempts": 1}


# ---- gateways -------------------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _fresh_bedrock(bedrock_fake):
    bedrock_fake.reset()
    yield
    bedrock_fake.reset()


class KeyedGateway:
    def __init__(self, gw, data_dir, keys: dict[str, VirtualKey]):
        self.gw, self.data_dir, self.keys = gw, data_dir, keys

    def __getattr__(self, name):
        return getattr(self.gw, name)


def keyed_gateway(work, openai_fake, anthropic_fake, bedrock_fake, *, enforce: bool) -> KeyedGateway:
    data = work / "data"
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(data)
    config["governance"] = {"enforce": enforce}
    config["providers"]["bedrock"] = provider(
        bedrock_fake.url, [{"name": "aws1", "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}],
        region="eu-central-1")
    gw = start_gateway(work / "gw", config, env=MASTER_KEY_ENV)
    keys = {name: seed_key(data, name) for name in ("team", "other")}
    keys["revoked"] = seed_key(data, "revoked", active=False)
    keys["expired"] = seed_key(data, "expired", expires_at=time.time() - 60)
    return KeyedGateway(gw, data, keys)


@pytest.fixture(scope="module")
def enforced(tmp_path_factory, openai_fake, anthropic_fake, bedrock_fake):
    """governance.enforce: true, keys team, other, revoked, expired."""
    gw = keyed_gateway(tmp_path_factory.mktemp("vk-enforced"), openai_fake, anthropic_fake, bedrock_fake, enforce=True)
    yield gw
    gw.stop()


@pytest.fixture(scope="module")
def lenient(tmp_path_factory, openai_fake, anthropic_fake, bedrock_fake):
    """governance.enforce: false (the default), same keys."""
    gw = keyed_gateway(tmp_path_factory.mktemp("vk-lenient"), openai_fake, anthropic_fake, bedrock_fake, enforce=False)
    yield gw
    gw.stop()


# ---- clients --------------------------------------------------------------------------------------------------
def aws_client(service: str, endpoint: str, key: VirtualKey | None, *, secret: str | None = None,
               token: str | None = None, headers: dict[str, str] | None = None, verify: bool = True, **config):
    client = boto3.client(
        service, endpoint_url=endpoint, region_name="us-west-2", verify=verify,
        aws_access_key_id=key.access_key_id if key else "any",
        aws_secret_access_key=secret or (key.secret if key else "any"), aws_session_token=token,
        config=Config(retries=NO_RETRY, connect_timeout=5, read_timeout=60, **config))
    if headers:
        def add_headers(request, **_):
            for name, value in headers.items():
                request.headers[name] = value
        client.meta.events.register_first(f"before-sign.{client.meta.service_model.service_id.hyphenize()}.*", add_headers)
    return client


def runtime(gw, key=None, **kw):
    return aws_client("bedrock-runtime", gw.bedrock_url, key, **kw)


def control(gw, key=None, **kw):
    return aws_client("bedrock", gw.bedrock_url, key, **kw)


def s3(gw, key=None, **kw):
    return aws_client("s3", gw.url + "/bedrock/files", key, **kw)


def converse(client, text="Hello"):
    return client.converse(modelId=MODEL, messages=[user(text)])


def ensure_bucket(client):
    try:
        client.create_bucket(Bucket=BUCKET)
    except client.exceptions.BucketAlreadyOwnedByYou:
        pass


@pytest.fixture
def shifted_clock(monkeypatch):
    """shift(minutes): botocore signs as if its clock were that far off."""
    real = botocore.auth.get_current_datetime

    def shift(minutes: float):
        monkeypatch.setattr(botocore.auth, "get_current_datetime",
                            lambda *a, **k: real(*a, **k) + datetime.timedelta(minutes=minutes))
    return shift


# ---- every door with a key's credentials ----------------------------------------------------------------------
def test_runtime_door_with_key_credentials(enforced, openai_fake):
    client = runtime(enforced, enforced.keys["team"])
    answer = converse(client)
    assert answer["output"]["message"]["content"][0]["text"]
    events = collect(client.converse_stream(modelId=MODEL, messages=[user("Stream")])["stream"])
    assert "".join(text_deltas(events))
    invoked = client.invoke_model(modelId=MODEL, body=json.dumps({"inputText": "Hello"}))
    assert json.loads(invoked["body"].read())["results"][0]["outputText"]
    assert len(openai_fake.requests) == 3


def test_control_plane_with_key_credentials(enforced):
    client = control(enforced, enforced.keys["team"])
    assert client.list_foundation_models()["modelSummaries"]
    assert "invocationJobSummaries" in client.list_model_invocation_jobs(maxResults=5)


def test_s3_with_key_credentials_and_multipart(enforced, tmp_path):
    client = s3(enforced, enforced.keys["team"])
    ensure_bucket(client)
    client.put_object(Bucket=BUCKET, Key="dir/in put/rec+1.jsonl", Body=b'{"a":1}\n')
    assert client.get_object(Bucket=BUCKET, Key="dir/in put/rec+1.jsonl")["Body"].read() == b'{"a":1}\n'
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix="dir/in put/")["Contents"]
    assert [o["Key"] for o in listed] == ["dir/in put/rec+1.jsonl"]
    source = tmp_path / "big.bin"
    data = os.urandom(9 * MIB)
    source.write_bytes(data)
    client.upload_file(str(source), BUCKET, "multi/big.bin", Config=TransferConfig(multipart_threshold=8 * MIB))
    assert client.get_object(Bucket=BUCKET, Key="multi/big.bin")["Body"].read() == data


def test_s3_payload_must_match_its_signed_digest(enforced):
    """Over http boto3 signs the body's SHA-256 (X-Amz-Content-SHA256): a body changed after signing is refused."""
    client = s3(enforced, enforced.keys["team"])
    ensure_bucket(client)

    def swap_body(request, **_):
        request.body = b'{"a":2}\n'
    client.meta.events.register_last("before-send.s3.PutObject", swap_body)
    with raises_client_error("XAmzContentSHA256Mismatch", 400):
        client.put_object(Bucket=BUCKET, Key="tampered.jsonl", Body=b'{"a":1}\n')
    with raises_client_error("NoSuchKey", 404):
        s3(enforced, enforced.keys["team"]).get_object(Bucket=BUCKET, Key="tampered.jsonl")


def test_aws_chunked_upload_with_key_credentials(enforced, tmp_path):
    certs = tmp_path / "certs"
    certs.mkdir()
    proxy = TLSProxy(enforced.port, *self_signed_cert(certs))
    try:
        warnings.filterwarnings("ignore", message="Unverified HTTPS request")
        client = aws_client("s3", f"https://127.0.0.1:{proxy.port}/bedrock/files", enforced.keys["team"], verify=False)
        ensure_bucket(client)
        data = os.urandom(2 * MIB + 3)
        client.put_object(Bucket=BUCKET, Key="tls/chunked.bin", Body=data)
        sent = bytes(proxy.seen).lower()
        assert b"x-amz-content-sha256: streaming-unsigned-payload-trailer" in sent, "not aws-chunked: proves nothing"
        assert s3(enforced, enforced.keys["team"]).get_object(Bucket=BUCKET, Key="tls/chunked.bin")["Body"].read() == data
    finally:
        proxy.close()


def test_presigned_gets(enforced, shifted_clock):
    key = enforced.keys["team"]
    client = s3(enforced, key)
    ensure_bucket(client)
    client.put_object(Bucket=BUCKET, Key="shared/report.txt", Body=b"quarterly numbers")
    params = {"Bucket": BUCKET, "Key": "shared/report.txt"}
    sigv2 = client.generate_presigned_url("get_object", Params=params, ExpiresIn=300)  # boto3's default: SigV2
    sigv4 = s3(enforced, key, signature_version="s3v4").generate_presigned_url("get_object", Params=params, ExpiresIn=300)
    assert "AWSAccessKeyId=" in sigv2 and "X-Amz-Algorithm=AWS4-HMAC-SHA256" in sigv4
    for url in (sigv2, sigv4):
        answer = requests.get(url, timeout=10)
        assert answer.status_code == 200 and answer.content == b"quarterly numbers", answer.text
    forged = s3(enforced, key, secret="x" * 40, signature_version="s3v4").generate_presigned_url("get_object", Params=params)
    answer = requests.get(forged, timeout=10)
    assert answer.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in answer.text
    shifted_clock(-120)
    stale = s3(enforced, key, signature_version="s3v4").generate_presigned_url("get_object", Params=params, ExpiresIn=3600)
    answer = requests.get(stale, timeout=10)
    assert answer.status_code == 403 and "<Code>AccessDenied</Code>" in answer.text and "Request has expired" in answer.text
    # Without credentials the URL is refused.
    bare = urlsplit(sigv4)
    answer = requests.get(f"{bare.scheme}://{bare.netloc}{bare.path}", timeout=10)
    assert answer.status_code == 403 and "<Code>AccessDenied</Code>" in answer.text


def test_aws_cli_with_a_profile(enforced, tmp_path):
    key = enforced.keys["team"]
    (tmp_path / "credentials").write_text(
        f"[vk]\naws_access_key_id = {key.access_key_id}\naws_secret_access_key = {key.secret}\n")
    (tmp_path / "config").write_text("[profile vk]\nregion = us-west-2\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"), AWS_CONFIG_FILE=str(tmp_path / "config"))

    def aws(*args, endpoint=enforced.bedrock_url):
        done = subprocess.run(["aws", "--endpoint-url", endpoint, "--profile", "vk", "--output", "json", *args],
                              env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    answer = json.loads(aws("bedrock-runtime", "converse", "--model-id", MODEL,
                            "--messages", json.dumps([user("Hello from the CLI")])))
    assert answer["output"]["message"]["content"][0]["text"]
    assert json.loads(aws("bedrock", "list-foundation-models"))["modelSummaries"]
    ensure_bucket(s3(enforced, key))
    (tmp_path / "upload.txt").write_text("from the cli")
    files = enforced.url + "/bedrock/files"
    aws("s3", "cp", str(tmp_path / "upload.txt"), f"s3://{BUCKET}/cli/upload.txt", endpoint=files)
    assert "upload.txt" in aws("s3", "ls", f"s3://{BUCKET}/cli/", endpoint=files)
    # The same CLI with a wrong secret is refused with AWS's code.
    (tmp_path / "credentials").write_text(
        f"[vk]\naws_access_key_id = {key.access_key_id}\naws_secret_access_key = {'x' * 40}\n")
    done = subprocess.run(["aws", "--endpoint-url", enforced.bedrock_url, "--profile", "vk", "bedrock",
                           "list-foundation-models"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "InvalidSignatureException" in done.stderr


def test_bedrock_api_key_env(enforced, monkeypatch):
    """AWS_BEARER_TOKEN_BEDROCK wins over the (dummy) SigV4 credentials, which alone would be refused."""
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", enforced.keys["team"].token)
    assert converse(runtime(enforced))["output"]["message"]["content"]
    assert control(enforced).list_foundation_models()["modelSummaries"]
    monkeypatch.setenv("AWS_BEARER_TOKEN_BEDROCK", f"sk-swyd-{enforced.keys['team'].access_key_id}.wrong")
    with raises_client_error("UnrecognizedClientException", 403):
        converse(runtime(enforced))


@pytest.mark.parametrize("header", ["x-bf-vk", "x-swyd-vk"])
def test_key_header_beside_dummy_credentials(enforced, header):
    token = enforced.keys["team"].token
    assert converse(runtime(enforced, headers={header: token}))["output"]["message"]["content"]
    client = s3(enforced, headers={header: token})
    ensure_bucket(client)
    client.put_object(Bucket=BUCKET, Key=f"hooked/{header}", Body=b"x")


def test_anthropic_sdk_with_key_credentials(enforced, bedrock_fake):
    """The SDK signs InvokeModel with botocore; the gateway checks that signature, then re-signs for Bedrock."""
    bedrock_fake.enqueue(Reply(200, anthropic_message("Hi from Bedrock")))
    key = enforced.keys["team"]
    sdk = anthropic.AnthropicBedrock(aws_access_key=key.access_key_id, aws_secret_key=key.secret, aws_region="us-west-2",
                                     base_url=enforced.bedrock_url, max_retries=0)
    message = sdk.messages.create(model=CLAUDE, max_tokens=50, messages=[{"role": "user", "content": "Hi"}])
    assert message.content[0].text == "Hi from Bedrock"
    forged = anthropic.AnthropicBedrock(aws_access_key=key.access_key_id, aws_secret_key="x" * 40,
                                        aws_region="us-west-2", base_url=enforced.bedrock_url, max_retries=0)
    with pytest.raises(anthropic.PermissionDeniedError):
        forged.messages.create(model=CLAUDE, max_tokens=50, messages=[{"role": "user", "content": "Hi"}])


def test_no_credential_is_forwarded_upstream(enforced, bedrock_fake):
    key = enforced.keys["team"]
    client = runtime(enforced, key, headers={"x-bf-vk": key.token})
    client.converse(modelId=CLAUDE, messages=[user("Hello")])
    sent = bedrock_fake.last
    assert "x-bf-vk" not in sent.headers and key.access_key_id not in json.dumps(sent.headers)
    assert sent.header("authorization").startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")
    assert verify_sigv4(sent).ok
    assert key.secret not in enforced.log_path.read_text(errors="replace")


# ---- refusals -------------------------------------------------------------------------------------------------
def test_missing_credentials(enforced):
    with raises_client_error("MissingAuthenticationTokenException", 403) as raised:
        converse(runtime(enforced, signature_version=UNSIGNED))
    assert raised.value.response["Error"]["Message"] == "Missing Authentication Token"
    with raises_client_error("AccessDenied", 403):
        s3(enforced, signature_version=UNSIGNED).list_objects_v2(Bucket=BUCKET)


def test_unknown_access_key(enforced):
    with raises_client_error("UnrecognizedClientException", 403) as raised:
        converse(runtime(enforced))
    assert raised.value.response["Error"]["Message"] == "The security token included in the request is invalid."
    with raises_client_error("UnrecognizedClientException", 403):
        control(enforced).list_model_invocation_jobs()
    with raises_client_error("InvalidAccessKeyId", 403):
        s3(enforced).list_objects_v2(Bucket=BUCKET)


def test_wrong_secret(enforced):
    key = enforced.keys["team"]
    with raises_client_error("InvalidSignatureException", 403) as raised:
        converse(runtime(enforced, key, secret="x" * 40))
    assert raised.value.response["Error"]["Message"].startswith(
        "The request signature we calculated does not match the signature you provided.")
    with raises_client_error("SignatureDoesNotMatch", 403):
        s3(enforced, key, secret="x" * 40).list_objects_v2(Bucket=BUCKET)


def test_clock_skew(enforced, shifted_clock):
    key = enforced.keys["team"]
    shifted_clock(-6)
    with raises_client_error("InvalidSignatureException", 403) as raised:
        converse(runtime(enforced, key))
    assert raised.value.response["Error"]["Message"].startswith("Signature expired: ")
    assert raised.value.response["Error"]["Message"].endswith(" - 5 min.)")
    shifted_clock(6)
    with raises_client_error("InvalidSignatureException", 403) as raised:
        converse(runtime(enforced, key))
    assert raised.value.response["Error"]["Message"].startswith("Signature not yet current: ")
    # S3 allows 15 minutes.
    shifted_clock(-10)
    s3(enforced, key).list_objects_v2(Bucket=BUCKET)
    shifted_clock(-16)
    with raises_client_error("RequestTimeTooSkewed", 403):
        s3(enforced, key).list_objects_v2(Bucket=BUCKET)


def test_revoked_and_expired_keys(enforced):
    for name, message in (("revoked", "Virtual key is not active"), ("expired", "Virtual key has expired")):
        client = runtime(enforced, enforced.keys[name])
        with pytest.raises(client.exceptions.AccessDeniedException) as raised:
            converse(client)
        assert raised.value.response["Error"]["Message"] == message
        with raises_client_error("AccessDenied", 403):
            s3(enforced, enforced.keys[name]).list_objects_v2(Bucket=BUCKET)


def test_session_token_with_a_virtual_key(enforced):
    with raises_client_error("UnrecognizedClientException", 403):
        converse(runtime(enforced, enforced.keys["team"], token="FwoGZXIvYXdzEXAMPLE"))


def test_two_different_keys_in_one_request(enforced):
    client = runtime(enforced, enforced.keys["team"], headers={"x-bf-vk": enforced.keys["other"].token})
    with pytest.raises(client.exceptions.AccessDeniedException):
        converse(client)


# ---- refusals are counted and logged ---------------------------------------------------------------------------
REFUSALS = "switchyard_auth_refusals_total"


def refusal_series(door: str, reason: str) -> tuple[str, frozenset]:
    return (REFUSALS, frozenset({"door": door, "reason": reason}.items()))


def request_id(raised) -> str:
    return raised.value.response["ResponseMetadata"]["RequestId"]


def logged_ids(gw) -> set[str]:
    with sqlite3.connect(gw.data_dir / "switchyard.sqlite", timeout=10) as db:
        return {row[0] for row in db.execute("SELECT id FROM request_log")}


def test_refusals_are_counted_and_logged_without_secrets(enforced):
    key = enforced.keys["team"]
    before = scrape(enforced)
    log_start = len(enforced.log_path.read_bytes())
    with raises_client_error("UnrecognizedClientException", 403) as unknown:
        converse(runtime(enforced))  # boto3's dummy credentials: access key id "any"
    with raises_client_error("InvalidSignatureException", 403) as forged:
        converse(runtime(enforced, key, secret="x" * 40))
    wrong_token_secret = "NotTheSecret0123456789abcdefghijklmnopqr"
    with raises_client_error("UnrecognizedClientException", 403) as bad_token:
        converse(runtime(enforced, headers={"x-bf-vk": f"sk-swyd-{key.access_key_id}.{wrong_token_secret}"}))
    with raises_client_error("SignatureDoesNotMatch", 403):
        s3(enforced, key, secret="y" * 40).list_objects_v2(Bucket=BUCKET)
    presigned = s3(enforced, key, secret="z" * 40, signature_version="s3v4").generate_presigned_url(
        "get_object", Params={"Bucket": BUCKET, "Key": "shared/secret-plans.txt"})
    assert requests.get(presigned, timeout=10).status_code == 403
    after = scrape(enforced)

    assert moved(before, after, REFUSALS) == {
        refusal_series("bedrock", "unknown_key"): 2.0,
        refusal_series("bedrock", "signature"): 1.0,
        refusal_series("s3", "signature"): 2.0,
    }
    lines = [line for line in enforced.log_path.read_bytes()[log_start:].decode(errors="replace").splitlines()
             if "authentication refused" in line]
    assert len(lines) == 5, lines
    converse_path = "path=/bedrock/model/openai%2Fgpt-4o-mini/converse"
    assert "notice" in lines[0] and "reason=unknown_key" in lines[0] and "access_key_id=any" in lines[0], lines[0]
    assert "door=bedrock" in lines[0] and "method=POST" in lines[0] and converse_path in lines[0], lines[0]
    assert request_id(unknown) in lines[0], lines[0]
    assert "reason=signature" in lines[1] and f"access_key_id={key.access_key_id}" in lines[1], lines[1]
    assert "reason=unknown_key" in lines[2] and f"access_key_id={key.access_key_id}" in lines[2], lines[2]
    assert "door=s3" in lines[3] and "method=GET" in lines[3] and f"path=/bedrock/files/{BUCKET}" in lines[3], lines[3]
    assert f"path=/bedrock/files/{BUCKET}/shared/secret-plans.txt" in lines[4] and "X-Amz" not in lines[4], lines[4]
    log = enforced.log_path.read_text(errors="replace")
    signature = presigned.split("X-Amz-Signature=")[1].split("&")[0]
    for secret in (key.secret, wrong_token_secret, signature, "x" * 40):
        assert secret not in log

    # No request-log row for a refusal: a call after them is written, they are not.
    answer = converse(runtime(enforced, key))
    served = answer["ResponseMetadata"]["RequestId"]
    for _ in range(200):
        if served in logged_ids(enforced):
            break
        time.sleep(0.05)
    rows = logged_ids(enforced)
    assert served in rows
    assert not {request_id(unknown), request_id(forged), request_id(bad_token)} & rows


# ---- without enforcement ----------------------------------------------------------------------------------------
def test_without_enforcement_anonymous_calls_run_and_keys_are_still_checked(lenient):
    assert converse(runtime(lenient))["output"]["message"]["content"]  # boto3's dummy credentials
    assert converse(runtime(lenient, signature_version=UNSIGNED))["output"]["message"]["content"]
    assert converse(runtime(lenient, lenient.keys["team"]))["output"]["message"]["content"]
    with raises_client_error("InvalidSignatureException", 403):
        converse(runtime(lenient, lenient.keys["team"], secret="x" * 40))
    with pytest.raises(runtime(lenient).exceptions.AccessDeniedException):
        converse(runtime(lenient, lenient.keys["revoked"]))
