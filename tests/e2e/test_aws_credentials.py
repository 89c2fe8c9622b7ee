"""The Bedrock provider's AWS credential chain against loopback fakes of STS, the ECS endpoint and IMDSv2: each
source alone, the chain's order, a profile with role_arn, refresh before expiry under load, STS down during a
refresh. The fake Bedrock accepts only credentials the fakes issued (signature and x-amz-security-token)."""
import json
import os
import threading
import time

import pytest
import requests

from fakes.aws_credentials_fake import AWSCredentialsFake
from fakes.bedrock_fake import ACCESS_KEY, SECRET_KEY
from helpers import provider, user

CLAUDE = "anthropic.claude-3-5-sonnet-20240620-v1:0"


@pytest.fixture(scope="module")
def creds_fake(bedrock_fake):
    fake = AWSCredentialsFake(bedrock_fake)
    yield fake
    fake.close()


@pytest.fixture(autouse=True)
def _fresh(bedrock_fake, creds_fake):
    bedrock_fake.reset()
    creds_fake.reset()
    yield


@pytest.fixture
def hermetic_env(tmp_path, monkeypatch):
    """No AWS_* of the test machine reaches the gateway; the shared files are (empty) temp files."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    (tmp_path / "credentials").write_text("")
    (tmp_path / "config").write_text("")
    return {"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"), "AWS_CONFIG_FILE": str(tmp_path / "config"),
            "AWS_EC2_METADATA_DISABLED": "true", "HOME": str(tmp_path)}


def config(bedrock_fake, keys=None, **settings) -> dict:
    return {"providers": {"bedrock": provider(bedrock_fake.url, keys if keys is not None else [{"name": "auto"}],
                                              region="us-west-2", **settings)}}


def converse(gw):
    return gw.client().converse(modelId=CLAUDE, messages=[user("Hi")])


def health_credentials(gw) -> list[dict]:
    return requests.get(gw.url + "/health", timeout=5).json()["aws_credentials"]


def assert_signed_with_issued(bedrock_fake, creds_fake, how):
    sig = bedrock_fake.signatures[-1]
    assert sig.ok, sig.reason
    assert "x-amz-security-token" in sig.signed_headers
    issued = [key for kind, key in creds_fake.issued if kind == how]
    assert sig.access_key == issued[-1]


def test_web_identity_alone(gateway, bedrock_fake, creds_fake, hermetic_env, tmp_path):
    (tmp_path / "token").write_text(creds_fake.web_token + "\n")
    env = {**hermetic_env, "AWS_WEB_IDENTITY_TOKEN_FILE": str(tmp_path / "token"),
           "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/eks-gateway", "AWS_ENDPOINT_URL_STS": creds_fake.url}
    gw = gateway(config(bedrock_fake), env=env)
    assert converse(gw)["output"]["message"]["content"]
    assert_signed_with_issued(bedrock_fake, creds_fake, "AssumeRoleWithWebIdentity")
    [entry] = health_credentials(gw)
    assert entry["source"] == "web-identity (role arn:aws:iam::123456789012:role/eks-gateway)"
    assert entry["state"].startswith("ok")
    assert "fakeTempSecret" not in json.dumps(entry)


def test_container_endpoint_with_token_file(gateway, bedrock_fake, creds_fake, hermetic_env, tmp_path):
    (tmp_path / "ecs-token").write_text(creds_fake.ecs_token)
    env = {**hermetic_env, "AWS_CONTAINER_CREDENTIALS_FULL_URI": creds_fake.url + "/v2/credentials/task-1",
           "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": str(tmp_path / "ecs-token")}
    gw = gateway(config(bedrock_fake), env=env)
    converse(gw)
    assert_signed_with_issued(bedrock_fake, creds_fake, "ecs")


def test_imds_v2(gateway, bedrock_fake, creds_fake, hermetic_env):
    env = {**hermetic_env, "AWS_EC2_METADATA_SERVICE_ENDPOINT": creds_fake.url}
    del env["AWS_EC2_METADATA_DISABLED"]
    gw = gateway(config(bedrock_fake, keys=[{"name": "ec2", "credentials": "imds"}]), env=env)
    converse(gw)
    assert_signed_with_issued(bedrock_fake, creds_fake, "imds")
    assert [r.method for r in creds_fake.requests][:1] == ["PUT"]  # the token first


def test_chain_order_environment_then_profile_then_web_identity(gateway, bedrock_fake, creds_fake, hermetic_env, tmp_path):
    (tmp_path / "token").write_text(creds_fake.web_token)
    (tmp_path / "credentials").write_text(f"[default]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n")
    env = {**hermetic_env, "AWS_WEB_IDENTITY_TOKEN_FILE": str(tmp_path / "token"),
           "AWS_ROLE_ARN": "arn:aws:iam::1:role/r", "AWS_ENDPOINT_URL_STS": creds_fake.url,
           "AWS_CONTAINER_CREDENTIALS_FULL_URI": creds_fake.url + "/v2/credentials/x"}
    gw = gateway(config(bedrock_fake), env=env)
    converse(gw)
    # The default profile's keys come before web identity and the container (boto3's order).
    assert bedrock_fake.signatures[-1].ok and bedrock_fake.signatures[-1].access_key == ACCESS_KEY
    assert creds_fake.issued == []
    assert health_credentials(gw)[0]["source"] == "profile default (credentials file)"


def test_profile_with_role_arn_assumes_the_role(gateway, bedrock_fake, creds_fake, hermetic_env, tmp_path):
    creds_fake.accounts[ACCESS_KEY] = SECRET_KEY
    (tmp_path / "credentials").write_text(f"[base]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n")
    (tmp_path / "config").write_text("[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\n"
                                     "source_profile = base\n")
    env = {**hermetic_env, "AWS_PROFILE": "admin", "AWS_ENDPOINT_URL_STS": creds_fake.url}
    gw = gateway(config(bedrock_fake), env=env)
    converse(gw)
    assert_signed_with_issued(bedrock_fake, creds_fake, "AssumeRole")
    sts = [r for r in creds_fake.requests if r.method == "POST"][-1]
    assert "Action=AssumeRole&" in sts.body.decode() and sts.header("authorization").startswith("AWS4-HMAC-SHA256")


def test_refresh_before_expiry_under_load_and_sts_down(gateway, bedrock_fake, creds_fake, hermetic_env, tmp_path):
    creds_fake.lifetime = 6
    (tmp_path / "token").write_text(creds_fake.web_token)
    env = {**hermetic_env, "AWS_WEB_IDENTITY_TOKEN_FILE": str(tmp_path / "token"),
           "AWS_ROLE_ARN": "arn:aws:iam::1:role/r", "AWS_ENDPOINT_URL_STS": creds_fake.url}
    gw = gateway(config(bedrock_fake, keys=[{"name": "eks", "refresh_before_expiry_seconds": 2}]), env=env)
    failures, slow = [], []

    def load(seconds):
        client = gw.client()
        end = time.time() + seconds
        while time.time() < end:
            t = time.time()
            try:
                converse_with(client)
            except Exception as e:  # noqa: BLE001
                failures.append(repr(e))
            slow.append(time.time() - t)

    def converse_with(client):
        client.converse(modelId=CLAUDE, messages=[user("Hi")])

    threads = [threading.Thread(target=load, args=(9,)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len([1 for how, _ in creds_fake.issued if how == "AssumeRoleWithWebIdentity"]) >= 3
    assert max(slow) < 2.0
    assert all(s.ok for s in bedrock_fake.signatures)

    # STS down: the current set keeps serving until it really expires, then requests fail with AccessDenied.
    creds_fake.sts_down = True
    converse(gw)
    time.sleep(7)
    with pytest.raises(Exception) as err:
        converse(gw)
    assert "AccessDenied" in str(err.value) and "web-identity" in str(err.value)
    assert "refresh" in health_credentials(gw)[0]["state"] or "expired" in health_credentials(gw)[0]["state"]
    metrics = requests.get(gw.url + "/metrics", timeout=5).text
    assert "switchyard_aws_credential_refresh_failures_total" in metrics
