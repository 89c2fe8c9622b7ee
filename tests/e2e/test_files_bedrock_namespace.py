"""The seed's Bedrock files workflow on a gateway with no Bedrock provider: boto3 `s3` and `bedrock` send
`x-model-provider: bedrock`, the files land in the gateway's own store (as the batch runner already runs such
jobs itself), and a batch job reads the uploaded file and completes on the first-party provider the built-in
table maps the Bedrock model id to (the Anthropic fake)."""
from __future__ import annotations

import json

from batch_helpers import OUT_BUCKET, control, files, job_id, output_lines, wait
from helpers import raises_client_error

BUCKET = "your-s3-bucket"
KEY = "bifrost-batch-input/batch_input.jsonl"
MODEL = "anthropic.claude-3-sonnet-20240229-v1:0"


def seed_jsonl(num_requests: int = 2) -> str:
    """The seed's `create_bedrock_batch_jsonl`."""
    return "\n".join(json.dumps({
        "recordId": f"request-{i + 1}",
        "modelInput": {"messages": [{"role": "user", "content": [
            {"text": f"Hello, this is test message {i + 1}. Say hi back briefly."}]}],
            "inferenceConfig": {"maxTokens": 100}},
    }) for i in range(num_requests))


def test_seed_files_workflow_without_a_bedrock_provider(gw, openai_fake, anthropic_fake):
    s3 = files(gw, "bedrock")
    body = seed_jsonl().encode()
    uploaded = s3.put_object(Bucket=BUCKET, Key=KEY, Body=body, ContentType="application/jsonl")
    file_id = uploaded["ETag"].strip('"')
    assert file_id

    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="bifrost-batch-input/")
    assert [(o["Key"], o["Size"]) for o in listed["Contents"]] == [(KEY, len(body))]

    head = s3.head_object(Bucket=BUCKET, Key=KEY, IfMatch=file_id)
    assert head["ContentLength"] == len(body)
    assert head["ContentType"] == "application/jsonl"
    assert head["ETag"].strip('"') == file_id
    with raises_client_error("412", 412):
        s3.head_object(Bucket=BUCKET, Key=KEY, IfMatch="0" * 32)

    assert s3.get_object(Bucket=BUCKET, Key=KEY, IfMatch=file_id)["Body"].read() == body

    # The same store as the gateway namespace: no header sees the file too.
    assert files(gw).head_object(Bucket=BUCKET, Key=KEY)["ETag"].strip('"') == file_id

    assert s3.delete_object(Bucket=BUCKET, Key=KEY, IfMatch=file_id)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with raises_client_error("404", 404):
        s3.head_object(Bucket=BUCKET, Key=KEY)
    assert openai_fake.requests == [] and anthropic_fake.requests == [], "no provider's store is asked"


def test_a_batch_job_reads_the_uploaded_file_and_completes(gw, anthropic_fake):
    s3, br = files(gw, "bedrock"), control(gw, "bedrock")
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=seed_jsonl().encode(), ContentType="application/jsonl")
    arn = br.create_model_invocation_job(
        jobName="bifrost-batch-seed", modelId=MODEL, roleArn="arn:aws:iam::123456789:role/BedrockBatchRole",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": f"s3://{BUCKET}/{KEY}", "s3InputFormat": "JSONL"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": f"s3://{OUT_BUCKET}/bifrost-batch-output/"}},
        tags=[{"key": "endpoint", "value": "/v1/chat/completions"}, {"key": "source", "value": "bifrost-docs"}],
    )["jobArn"]

    job = wait(br, arn)
    assert job["status"] == "Completed", job
    assert (job["totalRecordCount"], job["successRecordCount"], job["errorRecordCount"]) == (2, 2, 0)
    lines = {line["recordId"]: line for line in output_lines(s3, arn, "batch_input.jsonl", prefix="bifrost-batch-output/")}
    assert set(lines) == {"request-1", "request-2"}
    for line in lines.values():
        assert line["modelOutput"]["output"]["message"]["content"][0]["text"] == "Hello from fake Anthropic."
    sent = [r for r in anthropic_fake.requests if r.path.endswith("/messages")]
    assert sorted(r.json["model"] for r in sent) == ["claude-3-sonnet-20240229"] * 2
    assert job_id(arn) in {o["Key"].split("/")[1] for o in s3.list_objects_v2(
        Bucket=OUT_BUCKET, Prefix="bifrost-batch-output/")["Contents"]}
