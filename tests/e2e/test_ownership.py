"""Ownership: files, multipart uploads and batch jobs belong to the virtual key that created them (issue 9).

Two keys are declared in the configuration and boto3 signs with their credentials. Another key's object is S3
`AccessDenied` (403) for every read and change, another key's job is `ResourceNotFoundException`, listings show only
the caller's own; objects made without a key are readable by all and changeable only without a key; the model
listings show only what the key may use.
"""
from __future__ import annotations

import sqlite3
import subprocess

import boto3
import pytest
from botocore.config import Config

from batch_helpers import converse_record, create, put_input, wait
from helpers import default_config, provider, raises_client_error, require_binary

ALICE = ("SWYDOWNERALICE000001", "alice-secret-0123456789abcdefghijklmnopq")
BOB = ("SWYDOWNERBOB00000001", "bob-secret-0123456789abcdefghijklmnopqrs")
CAROL = ("SWYDOWNERCAROL000001", "carol-secret-0123456789abcdefghijklmnop")
BUCKET = "shared"
MIB = 1024 * 1024


def keyed(config: dict) -> dict:
    config["governance"] = {"enforce": False, "keys": [
        {"name": "alice", "access_key_id": ALICE[0], "secret": "env.ALICE_SECRET"},
        {"name": "bob", "access_key_id": BOB[0], "secret": "env.BOB_SECRET", "allowed_providers": ["anthropic"]},
        {"name": "carol", "access_key_id": CAROL[0], "secret": "env.CAROL_SECRET"},
    ]}
    return config


SECRETS = {"ALICE_SECRET": ALICE[1], "BOB_SECRET": BOB[1], "CAROL_SECRET": CAROL[1]}


def denied_by_ownership(call):
    """S3's plain `AccessDenied` for another key's object (not a refusal of the key's provider rules)."""
    with raises_client_error("AccessDenied", 403) as raised:
        call()
    assert raised.value.response["Error"]["Message"] == "Access Denied", raised.value


@pytest.fixture
def gw(gateway, tmp_path, openai_fake, anthropic_fake):
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(tmp_path / "data")
    return gateway(keyed(config), env=SECRETS)


@pytest.fixture
def moto_url():
    from moto.server import ThreadedMotoServer
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{server.get_host_and_port()[1]}"
    boto3.client("s3", endpoint_url=url, region_name="us-east-1", aws_access_key_id="moto",
                 aws_secret_access_key="moto").create_bucket(Bucket="owned-s3")
    yield url
    server.stop()


@pytest.fixture
def gw_providers(gateway, tmp_path, openai_fake, anthropic_fake, moto_url):
    """With provider namespaces: OpenAI's Files API (the fake) and Amazon S3 (moto) behind a Bedrock provider."""
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(tmp_path / "data")
    config["providers"]["bedrock"] = provider(
        "http://127.0.0.1:9", [{"name": "aws1", "access_key_id": "AKIAOWNERSHIPTEST", "secret_access_key": "secret"}],
        region="eu-central-1", s3_url=moto_url)
    return gateway(keyed(config), env=SECRETS)


def client(gw, service, creds=None, namespace=None):
    endpoint = gw.url + "/bedrock/files" if service == "s3" else gw.bedrock_url
    key_id, secret = creds or ("any", "any")
    made = boto3.client(service, endpoint_url=endpoint, region_name="us-west-2", aws_access_key_id=key_id,
                        aws_secret_access_key=secret,
                        config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30))
    if namespace:
        made.meta.events.register("before-sign", lambda request, **_: request.headers.__setitem__("x-model-provider", namespace))
    return made


def keys(listing) -> list[str]:
    return [o["Key"] for o in listing.get("Contents", [])]


def test_another_keys_object_is_access_denied_for_every_read_and_change(gw):
    alice, bob = client(gw, "s3", ALICE), client(gw, "s3", BOB)
    alice.put_object(Bucket=BUCKET, Key="a/report.jsonl", Body=b"alice's")
    bob.put_object(Bucket=BUCKET, Key="b/notes.jsonl", Body=b"bob's")

    for call in (lambda: bob.get_object(Bucket=BUCKET, Key="a/report.jsonl"),
                 lambda: bob.put_object(Bucket=BUCKET, Key="a/report.jsonl", Body=b"overwritten"),
                 lambda: bob.delete_object(Bucket=BUCKET, Key="a/report.jsonl"),
                 lambda: bob.copy_object(Bucket=BUCKET, Key="b/stolen.jsonl",
                                         CopySource={"Bucket": BUCKET, "Key": "a/report.jsonl"}),
                 lambda: bob.copy_object(Bucket=BUCKET, Key="a/report.jsonl",
                                         CopySource={"Bucket": BUCKET, "Key": "b/notes.jsonl"})):
        denied_by_ownership(call)
    with raises_client_error("403", 403):  # HEAD errors have no body: botocore names them by status
        bob.head_object(Bucket=BUCKET, Key="a/report.jsonl")

    answer = bob.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "a/report.jsonl"}, {"Key": "b/notes.jsonl"}]})
    assert [(e["Key"], e["Code"]) for e in answer.get("Errors", [])] == [("a/report.jsonl", "AccessDenied")]
    assert [d["Key"] for d in answer.get("Deleted", [])] == ["b/notes.jsonl"]

    assert alice.get_object(Bucket=BUCKET, Key="a/report.jsonl")["Body"].read() == b"alice's"
    assert keys(alice.list_objects_v2(Bucket=BUCKET)) == ["a/report.jsonl"]
    assert keys(bob.list_objects_v2(Bucket=BUCKET)) == []
    assert keys(bob.list_objects(Bucket=BUCKET)) == []
    alice.copy_object(Bucket=BUCKET, Key="a/copy.jsonl", CopySource={"Bucket": BUCKET, "Key": "a/report.jsonl"})
    alice.delete_object(Bucket=BUCKET, Key="a/report.jsonl")
    assert keys(alice.list_objects_v2(Bucket=BUCKET)) == ["a/copy.jsonl"]


def test_another_keys_multipart_upload_is_access_denied_and_not_listed(gw):
    alice, bob = client(gw, "s3", ALICE), client(gw, "s3", BOB)
    upload_id = alice.create_multipart_upload(Bucket=BUCKET, Key="big.bin")["UploadId"]
    etag = alice.upload_part(Bucket=BUCKET, Key="big.bin", UploadId=upload_id, PartNumber=1, Body=b"x" * MIB)["ETag"]

    for call in (lambda: bob.upload_part(Bucket=BUCKET, Key="big.bin", UploadId=upload_id, PartNumber=2, Body=b"y"),
                 lambda: bob.list_parts(Bucket=BUCKET, Key="big.bin", UploadId=upload_id),
                 lambda: bob.complete_multipart_upload(
                     Bucket=BUCKET, Key="big.bin", UploadId=upload_id,
                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}),
                 lambda: bob.abort_multipart_upload(Bucket=BUCKET, Key="big.bin", UploadId=upload_id)):
        with raises_client_error("AccessDenied", 403):
            call()
    assert bob.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
    assert [u["UploadId"] for u in alice.list_multipart_uploads(Bucket=BUCKET)["Uploads"]] == [upload_id]
    assert [p["PartNumber"] for p in alice.list_parts(Bucket=BUCKET, Key="big.bin", UploadId=upload_id)["Parts"]] == [1]

    alice.complete_multipart_upload(Bucket=BUCKET, Key="big.bin", UploadId=upload_id,
                                    MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    assert alice.head_object(Bucket=BUCKET, Key="big.bin")["ContentLength"] == MIB
    with raises_client_error("AccessDenied", 403):
        bob.get_object(Bucket=BUCKET, Key="big.bin")
    # A key may not start an upload over another key's object either.
    with raises_client_error("AccessDenied", 403):
        bob.create_multipart_upload(Bucket=BUCKET, Key="big.bin")


def test_objects_made_without_a_key_are_readable_by_all_and_changeable_only_without_a_key(gw):
    anonymous, alice = client(gw, "s3"), client(gw, "s3", ALICE)
    anonymous.put_object(Bucket=BUCKET, Key="public.txt", Body=b"for everyone")
    alice.put_object(Bucket=BUCKET, Key="private.txt", Body=b"alice only")

    assert alice.get_object(Bucket=BUCKET, Key="public.txt")["Body"].read() == b"for everyone"
    with raises_client_error("AccessDenied", 403):
        alice.put_object(Bucket=BUCKET, Key="public.txt", Body=b"changed")
    with raises_client_error("AccessDenied", 403):
        alice.delete_object(Bucket=BUCKET, Key="public.txt")
    with raises_client_error("AccessDenied", 403):
        anonymous.get_object(Bucket=BUCKET, Key="private.txt")

    # Listings show the caller's own: the keyless caller sees the keyless objects, the key its own.
    assert keys(anonymous.list_objects_v2(Bucket=BUCKET)) == ["public.txt"]
    assert keys(alice.list_objects_v2(Bucket=BUCKET)) == ["private.txt"]
    # Buckets are shared.
    assert [b["Name"] for b in alice.list_buckets()["Buckets"]] == [BUCKET]
    anonymous.put_object(Bucket=BUCKET, Key="public.txt", Body=b"changed")
    anonymous.delete_object(Bucket=BUCKET, Key="public.txt")


def test_another_keys_batch_job_is_not_found_and_not_listed(gw, openai_fake):
    s3a, alice, bob = client(gw, "s3", ALICE), client(gw, "bedrock", ALICE), client(gw, "bedrock", BOB)
    arn = create(alice, put_input(s3a, [converse_record("r1", "hello")]), name="alices-job")
    job_id = arn.split("/")[-1]

    for identifier in (arn, job_id):
        with raises_client_error("ResourceNotFoundException", 404) as raised:
            bob.get_model_invocation_job(jobIdentifier=identifier)
        assert "Could not find a model invocation job" in str(raised.value)
        with raises_client_error("ResourceNotFoundException", 404):
            bob.stop_model_invocation_job(jobIdentifier=identifier)
    assert bob.list_model_invocation_jobs()["invocationJobSummaries"] == []
    assert [j["jobArn"] for j in alice.list_model_invocation_jobs()["invocationJobSummaries"]] == [arn]

    job = wait(alice, arn)
    assert job["status"] == "Completed", job
    # The runner wrote the results as the job's owner: Alice's, not Bob's.
    out = f"results/{job_id}/input.jsonl.out"
    assert b'"recordId":"r1"' in s3a.get_object(Bucket="batch-out", Key=out)["Body"].read().replace(b" ", b"")
    with raises_client_error("AccessDenied", 403):
        client(gw, "s3", BOB).get_object(Bucket="batch-out", Key=out)


def test_cli_lists_and_describes_jobs_by_owning_key(gw, tmp_path):
    """`switchyard batch list|get --key` (the operator's CLI, reading the store) filter by the owning key and name it."""
    callers = {"alice": ALICE, "carol": CAROL, "-": None}
    arns = {}
    for owner, creds in callers.items():
        uri = put_input(client(gw, "s3", creds), [converse_record("r1", "hello")], key=f"{owner}.jsonl")
        arns[owner] = create(client(gw, "bedrock", creds), uri, name=f"{owner if creds else 'keyless'}-job")
    for owner, arn in arns.items():
        assert wait(client(gw, "bedrock", callers[owner]), arn)["status"] == "Completed"
    with sqlite3.connect(tmp_path / "data" / "switchyard.sqlite") as db:
        ids = dict(db.execute("SELECT name, id FROM virtual_keys").fetchall())

    def cli(*args):
        return subprocess.run([str(require_binary()), "batch", *args, "--data-dir", str(tmp_path / "data")],
                              capture_output=True, text=True, timeout=60)

    def listed(*args) -> dict[str, str]:
        """Job id → OWNER column of `batch list`."""
        done = cli("list", *args)
        assert done.returncode == 0, done.stderr
        header, *rows = done.stdout.splitlines()
        assert header.split()[:8] == ["JOB", "NAME", "STATUS", "RECORDS", "SUBMITTED", "RUNNER", "OWNER", "MODEL"], header
        return {row.split()[0]: row.split()[6] for row in rows}

    job_ids = {owner: arn.split("/")[-1] for owner, arn in arns.items()}
    assert listed() == {job_ids["alice"]: "alice", job_ids["carol"]: "carol", job_ids["-"]: "-"}
    for alias in ("alice", ids["alice"], ALICE[0]):
        assert listed("--key", alias) == {job_ids["alice"]: "alice"}, alias
    assert listed("--key", "carol", "--status", "Completed") == {job_ids["carol"]: "carol"}
    bobs = cli("list", "--key", "bob")
    assert bobs.returncode == 0 and bobs.stdout.strip() == "no batch jobs", bobs.stdout
    unknown = cli("list", "--key", "mallory")
    assert unknown.returncode != 0 and "no virtual key 'mallory'" in unknown.stderr, unknown.stderr

    got = cli("get", arns["alice"], "--key", "alice")
    assert got.returncode == 0, got.stderr
    assert "owner                  alice\n" in got.stdout and f"ownerKeyId             {ids['alice']}\n" in got.stdout, got.stdout
    keyless = cli("get", job_ids["-"])
    assert "owner                  -\n" in keyless.stdout and "ownerKeyId" not in keyless.stdout, keyless.stdout
    other = cli("get", job_ids["alice"], "--key", "carol")
    assert other.returncode != 0 and "is not owned by key 'carol'" in other.stderr, other.stderr
    watched = cli("watch", job_ids["alice"], "--key", "alice")
    assert watched.returncode == 0 and "Completed" in watched.stdout, (watched.stdout, watched.stderr)
    refused = cli("watch", job_ids["alice"], "--key", "carol")
    assert refused.returncode != 0 and "is not owned by key 'carol'" in refused.stderr and refused.stdout == "", refused

    # A deleted key is gone from the key store; its jobs still carry its id, which --key takes.
    with sqlite3.connect(tmp_path / "data" / "switchyard.sqlite") as db:
        db.execute("DELETE FROM virtual_keys WHERE name = 'carol'")
    assert listed("--key", ids["carol"]) == {job_ids["carol"]: ids["carol"]}
    assert f"owner                  {ids['carol']} (deleted)\n" in cli("get", job_ids["carol"]).stdout


def test_a_job_cannot_read_another_keys_input(gw, openai_fake):
    s3a, bob = client(gw, "s3", ALICE), client(gw, "bedrock", BOB)
    uri = put_input(s3a, [converse_record("r1", "hello")])
    job = wait(bob, create(bob, uri, name="bobs-job", model="anthropic/claude-sonnet-4-5"))
    assert job["status"] == "Failed", job
    assert "Access Denied" in job["message"]
    assert not [r for r in openai_fake.requests if r.path.endswith("/chat/completions")]


def test_model_listings_show_only_what_the_key_may_use(gw):
    anyone, bob = client(gw, "bedrock"), client(gw, "bedrock", BOB)
    every = anyone.list_foundation_models()["modelSummaries"]
    shown = bob.list_foundation_models()["modelSummaries"]
    assert shown and len(shown) < len(every)
    assert {m["modelId"] for m in shown} < {m["modelId"] for m in every}
    routes = [p["description"] for p in bob.list_inference_profiles()["inferenceProfileSummaries"]
              if p["type"] == "SYSTEM_DEFINED"]
    assert routes and all(r.startswith("Routes to anthropic/") for r in routes), routes

    with raises_client_error("AccessDeniedException", 403):
        bob.get_foundation_model(modelIdentifier="openai/gpt-4o-mini")
    assert anyone.get_foundation_model(modelIdentifier="openai/gpt-4o-mini")["modelDetails"]

    # The alias `fast` points at openai: listed for everyone, not for a key limited to anthropic.
    assert "fast" in [p["inferenceProfileId"] for p in anyone.list_inference_profiles()["inferenceProfileSummaries"]]
    assert "fast" not in [p["inferenceProfileId"] for p in bob.list_inference_profiles()["inferenceProfileSummaries"]]
    with raises_client_error("AccessDeniedException", 403):
        bob.get_inference_profile(inferenceProfileIdentifier="fast")


def test_provider_namespaces_keep_owners_too(gw_providers):
    # OpenAI's files are indexed by the gateway: the same rules and listings as its own store.
    alice, bob = client(gw_providers, "s3", ALICE, "openai"), client(gw_providers, "s3", CAROL, "openai")
    alice.put_object(Bucket="oa", Key="in.jsonl", Body=b"{}")
    denied_by_ownership(lambda: bob.get_object(Bucket="oa", Key="in.jsonl"))
    denied_by_ownership(lambda: bob.delete_object(Bucket="oa", Key="in.jsonl"))
    assert keys(bob.list_objects_v2(Bucket="oa")) == []
    assert keys(alice.list_objects_v2(Bucket="oa")) == ["in.jsonl"]

    # Amazon S3 is forwarded to: the gateway checks the owners it recorded for what it created there.
    alice, bob = client(gw_providers, "s3", ALICE, "bedrock"), client(gw_providers, "s3", CAROL, "bedrock")
    alice.put_object(Bucket="owned-s3", Key="a.jsonl", Body=b"alice's")
    for call in (lambda: bob.get_object(Bucket="owned-s3", Key="a.jsonl"),
                 lambda: bob.put_object(Bucket="owned-s3", Key="a.jsonl", Body=b"overwritten"),
                 lambda: bob.delete_object(Bucket="owned-s3", Key="a.jsonl"),
                 lambda: bob.copy_object(Bucket="owned-s3", Key="b.jsonl", CopySource={"Bucket": "owned-s3", "Key": "a.jsonl"})):
        denied_by_ownership(call)
    assert alice.get_object(Bucket="owned-s3", Key="a.jsonl")["Body"].read() == b"alice's"
    alice.delete_object(Bucket="owned-s3", Key="a.jsonl")
    # Deleted, the key is free again.
    bob.put_object(Bucket="owned-s3", Key="a.jsonl", Body=b"bob's")
    assert bob.get_object(Bucket="owned-s3", Key="a.jsonl")["Body"].read() == b"bob's"
