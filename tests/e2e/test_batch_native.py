"""Batch jobs on the providers' own batch APIs (OpenAI Batch, Anthropic Message Batches, Gemini batch mode) and on
AWS's own control plane (Bedrock), against fakes written from those APIs' references. The caller's side is the
same boto3 code as for gateway-run jobs; results come back in Bedrock's output form."""
from __future__ import annotations

import json
import time

from batch_helpers import (control, converse_record, create, files, gemini_record, job_id, manifest, openai_record,
                           output_lines, put_input, wait)
from fakes.bedrock_fake import AWS_JOB_ARN
from helpers import default_config, raises_client_error


def paths(fake) -> list[str]:
    return [f"{r.method} {r.path.split('?')[0]}" for r in fake.requests]


# ---- OpenAI ----------------------------------------------------------------------------------------------------
def test_openai_batch_api_runs_the_job(gw, openai_fake):
    s3 = files(gw, provider="openai")  # the job's namespace: the input is an OpenAI file, the results stay local
    uri = put_input(s3, [openai_record("request-1", "What is 1 + 1?"), openai_record("request-2", "fail please"),
                         converse_record("request-3", "converse form")], key="openai/batch_1.jsonl")
    openai_fake.requests.clear()
    br = control(gw, provider="openai")
    arn = create(br, uri, name="openai-e2e-1", model="gpt-4o-mini",
                 tags=[{"key": "endpoint", "value": "/v1/chat/completions"}])
    job = wait(br, arn)
    assert job["status"] == "PartiallyCompleted", job
    assert (job["totalRecordCount"], job["successRecordCount"], job["errorRecordCount"]) == (3, 2, 1)

    seen = [p for p in paths(openai_fake) if not p.endswith("/content")]
    assert seen[:2] == ["POST /v1/files", "POST /v1/batches"], seen
    assert not any(p.endswith("/chat/completions") for p in seen), "records must go through the Batch API"
    upload, created = [r for r in openai_fake.requests if r.method == "POST"][:2]
    assert upload.header("authorization") == "Bearer sk-test-one"
    created = created.json
    assert created["endpoint"] == "/v1/chat/completions" and created["completion_window"] == "24h"
    assert created["metadata"]["switchyard_job"] == job_id(arn)
    uploaded = openai_fake.batch_api.files[created["input_file_id"]]
    assert uploaded["purpose"] == "batch"
    lines = [json.loads(line) for line in uploaded["content"].decode().splitlines()]
    assert [line["url"] for line in lines] == ["/v1/chat/completions"] * 3
    assert all(line["body"]["model"] == "gpt-4o-mini" for line in lines)
    assert lines[0]["body"]["messages"] == [{"role": "user", "content": "What is 1 + 1?"}]

    out = {line["recordId"]: line for line in output_lines(s3, arn, "batch_1.jsonl", )}
    assert set(out) == {"request-1", "request-2", "request-3"}
    # An OpenAI-form record gets OpenAI's own answer; a Bedrock-form one its family's shape.
    assert out["request-1"]["modelOutput"]["choices"][0]["message"]["content"] == "batch answer to What is 1 + 1?"
    assert out["request-2"]["error"]["errorCode"] == 400 and "fake refusal" in out["request-2"]["error"]["errorMessage"]
    assert out["request-3"]["modelOutput"]["output"]["message"]["content"][0]["text"] == "batch answer to converse form"
    assert manifest(s3, arn)["successRecordCount"] == 2


def test_openai_file_id_tag_uses_the_uploaded_file(gw, openai_fake):
    content = "\n".join(json.dumps(openai_record(f"request-{i}", f"What is {i} + {i}?")) for i in range(1, 4))
    file_id = openai_fake.batch_api.add_file(content.encode())
    br = control(gw, provider="openai")
    arn = create(br, f"s3://openai-files/{file_id}", name="openai-file-id", model="gpt-4o-mini",
                 output_uri="s3://openai-output/", role="not-required-for-openai",
                 tags=[{"key": "endpoint", "value": "/v1/chat/completions"}, {"key": "file_id", "value": file_id}])
    job = wait(br, arn)
    assert job["status"] == "Completed", job
    assert "POST /v1/files" not in paths(openai_fake)
    assert openai_fake.batch_api.batches[next(iter(openai_fake.batch_api.batches))]["input_file_id"] == file_id
    assert job["successRecordCount"] == 3
    body = files(gw, provider="openai").get_object(Bucket="openai-output", Key=f"{job_id(arn)}/{file_id}.out")["Body"].read().decode()
    ids = sorted(json.loads(line)["recordId"] for line in body.splitlines())
    assert ids == ["request-1", "request-2", "request-3"]


def test_openai_file_id_in_the_uri_without_the_tag(gw, openai_fake):
    file_id = openai_fake.batch_api.add_file(json.dumps(openai_record("only", "from the uri")).encode())
    br = control(gw, provider="openai")
    arn = create(br, f"s3://openai-files/{file_id}", name="openai-uri-file", model="gpt-4o-mini",
                 output_uri="s3://openai-output/")
    job = wait(br, arn)
    assert job["status"] == "Completed" and job["successRecordCount"] == 1, job
    assert "POST /v1/files" not in paths(openai_fake)
    body = files(gw, provider="openai").get_object(Bucket="openai-output", Key=f"{job_id(arn)}/{file_id}.out")["Body"].read().decode()
    assert json.loads(body)["recordId"] == "only"


def test_gemini_file_in_the_uri_is_the_batch_input(gemini_gw, gemini_fake):
    gemini_fake.reset()
    br = control(gemini_gw, provider="gemini")
    arn = create(br, "s3://gemini-files/files/abc123", name="gemini-file", model="gemini-2.0-flash",
                 output_uri="s3://gemini-output/", role="not-required-for-gemini")
    wait(br, arn, until={"InProgress", "Failed"}, check=lambda _: len(gemini_fake.requests) > 0)
    created = gemini_fake.requests[0]
    gemini_fake.reset()
    # Not readable through the files API (Gemini files cannot be downloaded): the key names the Gemini file.
    assert created.json["batch"]["inputConfig"] == {"fileName": "files/abc123"}


def test_stopping_an_openai_job_cancels_the_batch(gw, openai_fake):
    openai_fake.batch_api.hold_batches = True
    br = control(gw, provider="openai")
    uri = put_input(files(gw, provider="openai"), [openai_record("r1", "slow")], key="openai/stop.jsonl")
    arn = create(br, uri, name="openai-stop", model="gpt-4o-mini")
    wait(br, arn, until={"InProgress"}, check=lambda _: any(p.startswith("GET /v1/batches/") for p in paths(openai_fake)))
    br.stop_model_invocation_job(jobIdentifier=arn)
    job = wait(br, arn)
    assert job["status"] == "Stopped", job
    assert any(p.endswith("/cancel") for p in paths(openai_fake))


# ---- Anthropic -------------------------------------------------------------------------------------------------
def test_anthropic_message_batches_run_the_job(gw, anthropic_fake):
    s3 = files(gw)
    uri = put_input(s3, [converse_record("a-1", "What is 2 + 2?"), converse_record("a-2", "fail this one"),
                         openai_record("a-3", "openai form")], key="anthropic/input.jsonl")
    br = control(gw, provider="anthropic")
    arn = create(br, uri, name="anthropic-e2e", model="claude-sonnet-4-5")
    job = wait(br, arn)
    assert job["status"] == "PartiallyCompleted", job
    assert (job["successRecordCount"], job["errorRecordCount"]) == (2, 1)
    create_request = anthropic_fake.requests[0]
    assert f"{create_request.method} {create_request.path}" == "POST /v1/messages/batches"
    assert create_request.header("x-api-key") == "sk-ant-test" and create_request.header("anthropic-version")
    sent = create_request.json["requests"]
    assert [r["params"]["model"] for r in sent] == ["claude-sonnet-4-5"] * 3
    assert sent[0]["params"]["messages"] == [{"role": "user", "content": [{"type": "text", "text": "What is 2 + 2?"}]}]
    assert not any(r.path == "/v1/messages" for r in anthropic_fake.requests)
    out = {line["recordId"]: line for line in output_lines(s3, arn)}
    assert out["a-1"]["modelOutput"]["output"]["message"]["content"][0]["text"] == "batch answer to What is 2 + 2?"
    assert out["a-2"]["error"]["errorCode"] == 400
    assert out["a-3"]["modelOutput"]["choices"][0]["message"]["content"] == "batch answer to openai form"


def test_stopping_an_anthropic_job_cancels_the_batch(gw, anthropic_fake):
    anthropic_fake.batch_api.hold_batches = True
    br = control(gw, provider="anthropic")
    arn = create(br, put_input(files(gw), [converse_record("a", "slow")], key="anthropic/stop.jsonl"),
                 name="anthropic-stop", model="claude-sonnet-4-5")
    wait(br, arn, until={"InProgress"})
    br.stop_model_invocation_job(jobIdentifier=arn)
    job = wait(br, arn)
    assert job["status"] == "Stopped", job
    assert any(r.path.endswith("/cancel") for r in anthropic_fake.requests)


# ---- Gemini ----------------------------------------------------------------------------------------------------
def test_gemini_batch_mode_runs_the_job(gemini_gw, gemini_fake):
    gemini_fake.reset()
    s3 = files(gemini_gw, provider="gemini")
    uri = put_input(s3, [gemini_record("request-1", "What is 3 + 3?"), gemini_record("request-2", "fail now"),
                         converse_record("request-3", "converse form")], key="gemini/batch.jsonl")
    br = control(gemini_gw, provider="gemini")
    gemini_fake.requests.clear()
    arn = create(br, uri, name="gemini-e2e", model="gemini-2.0-flash", role="not-required-for-gemini")
    job = wait(br, arn)
    gemini_fake.reset()
    assert job["status"] == "PartiallyCompleted", job
    assert (job["successRecordCount"], job["errorRecordCount"]) == (2, 1)
    out = {line["recordId"]: line for line in output_lines(s3, arn, "batch.jsonl")}
    assert out["request-1"]["modelOutput"]["candidates"][0]["content"]["parts"][0]["text"] == "batch answer to What is 3 + 3?"
    assert out["request-2"]["error"]["errorCode"] == 400
    assert out["request-3"]["modelOutput"]["output"]["message"]["content"][0]["text"] == "batch answer to converse form"


def test_gemini_batch_requests_are_sent_inline(gemini_gw, gemini_fake):
    gemini_fake.reset()
    br = control(gemini_gw, provider="gemini")
    uri = put_input(files(gemini_gw, provider="gemini"), [gemini_record("k1", "inline please")], key="gemini/inline.jsonl")
    gemini_fake.requests.clear()
    arn = create(br, uri, name="gemini-inline", model="gemini-2.0-flash")
    wait(br, arn)
    created = gemini_fake.requests[0]
    gemini_fake.reset()
    assert created.path == "/v1beta/models/gemini-2.0-flash:batchGenerateContent"
    assert created.header("x-goog-api-key") and "key=" not in created.path
    requests = created.json["batch"]["inputConfig"]["requests"]["requests"]
    assert requests[0]["request"]["contents"] == [{"role": "user", "parts": [{"text": "inline please"}]}]
    assert created.json["batch"]["displayName"] == "gemini-inline"


# ---- Bedrock (AWS's own control plane: conftest's aws_gw) ------------------------------------------------------
def test_bedrock_jobs_are_forwarded_signed_to_aws(aws_gw, bedrock_fake):
    br = control(aws_gw, provider="bedrock")
    role = "arn:aws:iam::123456789012:role/BedrockBatch"
    arn = create(br, "s3://aws-bucket/in.jsonl", name="aws-job", model="anthropic.claude-3-haiku-20240307-v1:0",
                 role=role, output_uri="s3://aws-bucket/out/", timeoutDurationInHours=24)
    assert arn == AWS_JOB_ARN
    forwarded = bedrock_fake.requests[-1]
    assert f"{forwarded.method} {forwarded.path}" == "POST /model-invocation-job"
    assert forwarded.json["roleArn"] == role and forwarded.json["timeoutDurationInHours"] == 24
    assert br.get_model_invocation_job(jobIdentifier=arn)["jobName"] == "aws-side-job"
    assert bedrock_fake.requests[-1].path == "/model-invocation-job/" + arn.replace(":", "%3A").replace("/", "%2F")
    listed = br.list_model_invocation_jobs(maxResults=5, statusEquals="InProgress")
    assert [j["jobArn"] for j in listed["invocationJobSummaries"]] == [AWS_JOB_ARN]
    assert "maxResults=5" in bedrock_fake.requests[-1].path
    br.stop_model_invocation_job(jobIdentifier=arn)
    assert bedrock_fake.requests[-1].path.endswith("/stop")
    assert all(s.ok and s.service == "bedrock" and s.region == "eu-central-1" for s in bedrock_fake.signatures), \
        bedrock_fake.signatures
    # AWS's own errors come back as they are.
    with raises_client_error("ResourceNotFoundException", 404):
        br.get_model_invocation_job(jobIdentifier="abcdefghijkl")


def test_bedrock_jobs_need_an_iam_role(aws_gw, bedrock_fake):
    with raises_client_error("ValidationException", 400):
        create(control(aws_gw, provider="bedrock"), "s3://aws-bucket/in.jsonl", role="not-required-for-openai")
    assert bedrock_fake.requests == []
    # Other runners never assume the role, so a placeholder is fine there.
    arn = create(control(aws_gw), put_input(files(aws_gw), [converse_record("a", "one")], key="aws/in.jsonl"),
                 role="not-required-for-openai")
    assert wait(control(aws_gw), arn)["status"] == "Completed"


def test_openai_batch_submitted_before_a_kill9_is_not_submitted_again(gateway, tmp_path, openai_fake, anthropic_fake):
    """The gateway dies after OpenAI created the batch but before the answer reached it: the restarted gateway
    finds the batch by the job tag it set and takes it over instead of creating a second one."""
    import signal
    import threading
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(tmp_path / "data")
    first = gateway(config)
    uri = put_input(files(first, provider="openai"), [openai_record("only", "What is 2 + 2?")], key="openai/kill.jsonl")
    openai_fake.batch_api.create_gate = threading.Event()
    arn = create(control(first, provider="openai"), uri, name="openai-kill", model="gpt-4o-mini")
    deadline = time.monotonic() + 30
    while not openai_fake.batch_api.batches and time.monotonic() < deadline:  # the batch exists upstream
        time.sleep(0.05)
    assert len(openai_fake.batch_api.batches) == 1
    first.stop(signal.SIGKILL)
    openai_fake.batch_api.create_gate.set()
    openai_fake.batch_api.create_gate = None

    second = gateway(config)
    job = wait(control(second, provider="openai"), arn)
    assert job["status"] == "Completed" and job["successRecordCount"] == 1, job
    assert len(openai_fake.batch_api.batches) == 1, "the batch was submitted twice"
    assert sum(1 for r in openai_fake.requests if r.method == "POST" and r.path.endswith("/batches")) == 1
    assert any(r.method == "GET" and r.path.split("?")[0].endswith("/batches") for r in openai_fake.requests)
    assert len(openai_fake.batch_api.answered) == 1  # the one record ran once
