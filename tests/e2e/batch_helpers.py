"""Clients, inputs and polling for the batch (model invocation job) tests."""
from __future__ import annotations

import json
import time

import boto3
from botocore.config import Config

from fakes.bedrock_fake import ACCESS_KEY, SECRET_KEY
from helpers import provider as provider_config

TERMINAL = {"Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"}
ARN_PATTERN = r"arn:aws:bedrock:us-west-2:[0-9]{12}:model-invocation-job/[a-z0-9]{12}"
IN_BUCKET, OUT_BUCKET = "batch-in", "batch-out"
OUTPUT_URI = f"s3://{OUT_BUCKET}/results/"
# Upper bound of polls for a job to reach a state (each poll sleeps POLL seconds): a safety net, not a threshold.
POLLS, POLL = 600, 0.05


def _kw(env_credentials: bool) -> dict:
    # With env_credentials boto3 finds its credentials itself (AWS_ACCESS_KEY_ID, …), as the seed's clients do.
    credentials = {} if env_credentials else dict(aws_access_key_id="any", aws_secret_access_key="any")
    return dict(region_name="us-west-2", **credentials,
                config=Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30))


def _with_provider(client, provider: str | None):
    if provider:
        def add_provider_header(request, **_):
            request.headers["x-model-provider"] = provider
        client.meta.events.register("before-send", add_provider_header)
    return client


def control(gw, provider: str | None = None, *, env_credentials: bool = False):
    """boto3 `bedrock` on the gateway, as the seed sets it up (x-model-provider added before send)."""
    return _with_provider(boto3.client("bedrock", endpoint_url=gw.bedrock_url, **_kw(env_credentials)), provider)


def files(gw, provider: str | None = None, *, env_credentials: bool = False):
    return _with_provider(boto3.client("s3", endpoint_url=gw.url + "/bedrock/files", **_kw(env_credentials)), provider)


def with_aws_control_plane(config: dict, fake) -> dict:
    """A Bedrock provider whose control plane is `fake` playing AWS (model invocation jobs run there)."""
    config["providers"]["bedrock"] = provider_config(
        fake.url, [{"name": "aws1", "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}],
        region="eu-central-1", control_plane_url=fake.url)
    return config


def converse_record(record_id: str, text: str) -> dict:
    """A Bedrock-form record whose modelInput is Converse-shaped, as in the seed."""
    return {"recordId": record_id, "modelInput": {"messages": [{"role": "user", "content": [{"text": text}]}],
                                                  "inferenceConfig": {"maxTokens": 100}}}


def openai_record(custom_id: str, text: str, model: str = "gpt-4o-mini") -> dict:
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": model, "messages": [{"role": "user", "content": text}], "max_tokens": 100}}


def gemini_record(key: str, text: str) -> dict:
    return {"request": {"contents": [{"role": "user", "parts": [{"text": text}]}],
                        "generationConfig": {"maxOutputTokens": 100}}, "metadata": {"key": key}}


def jsonl(records: list[dict]) -> str:
    return "\n".join(json.dumps(r) for r in records)


def put_input(s3, records: list[dict], key: str = "jobs/input.jsonl", bucket: str = IN_BUCKET) -> str:
    s3.put_object(Bucket=bucket, Key=key, Body=jsonl(records).encode(), ContentType="application/jsonl")
    return f"s3://{bucket}/{key}"


def create(br, input_uri: str, *, name: str = "batch-test", model: str = "openai/gpt-4o-mini",
           output_uri: str = OUTPUT_URI, role: str = "not-required-for-openai", **extra) -> str:
    return br.create_model_invocation_job(
        jobName=name, modelId=model, roleArn=role,
        inputDataConfig={"s3InputDataConfig": {"s3Uri": input_uri, "s3InputFormat": "JSONL"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": output_uri}}, **extra)["jobArn"]


def wait(br, arn: str, until=TERMINAL, check=None) -> dict:
    """Poll GetModelInvocationJob until the status is in `until` (and `check(job)` holds, when given)."""
    job = {}
    for _ in range(POLLS):
        job = br.get_model_invocation_job(jobIdentifier=arn)
        if job["status"] in until and (check is None or check(job)):
            return job
        time.sleep(POLL)
    raise AssertionError(f"job {arn} never reached {until}: last seen {job}")


def job_id(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def output_lines(s3, arn: str, input_name: str = "input.jsonl", prefix: str = "results/") -> list[dict]:
    body = s3.get_object(Bucket=OUT_BUCKET, Key=f"{prefix}{job_id(arn)}/{input_name}.out")["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines() if line.strip()]


def manifest(s3, arn: str, prefix: str = "results/") -> dict:
    return json.loads(s3.get_object(Bucket=OUT_BUCKET, Key=f"{prefix}{job_id(arn)}/manifest.json.out")["Body"].read())


def last_user_text(body: dict) -> str:
    content = (body.get("messages") or [{}])[-1].get("content")
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or [])
