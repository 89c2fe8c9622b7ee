"""The seed documents' boto3 snippets with a virtual key as their credentials, on gateways that enforce keys.

../shared/seeds/000 (the runtime door: Converse, Invoke, streams, direct keys) and 002 (files and batch jobs): every
test below is one snippet or one documented workflow, kept as the seed writes it — the same clients, calls and
arguments — so a reader can put the two side by side. What differs:
- the endpoint (the test gateway instead of http://localhost:8080);
- the credentials: where a runtime snippet passes boto3 dummy credentials (`bifrost-dummy-key`), it passes the
  virtual key's access key id and secret; the files and batch snippets pass none, so boto3 finds the key in the
  environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), which a real deployment would also use;
- placeholders a snippet cannot mean literally (`file_id = "abc123"`, a made-up job ARN) are the ids the snippets
  before it printed;
- the batch snippets' and workflows' shared steps (setting up the clients, building the records, creating the job,
  polling for completion with a short sleep instead of the seed's ten seconds) are batch_helpers' functions, which
  make the same calls with the same arguments, and their progress prints are left out.
The gateway has `governance.enforce: true` and the key declared in `governance.keys`, its secret from the
environment; the fake upstreams answer. The last tests run the same snippets without the key: refused with the
errors AWS models for it.
"""
from __future__ import annotations

import json
import threading
import time

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import start_gateway
from fakes.anthropic_fake import anthropic_message, anthropic_stream
from fakes.base import Delay, Reply
from fakes.bedrock_fake import ACCESS_KEY, SECRET_KEY
from batch_helpers import control, converse_record, create, files, gemini_record, jsonl, openai_record, put_input, wait
from helpers import GEMINI_KEY, invoke_config, provider, raises_client_error

KEY_ID = "SWYDSEEDSNIPPETS0001"
SECRET = "seed-snippets-secret-0123456789abcdefghij"
KEY = {"name": "seed-team", "access_key_id": KEY_ID, "secret": "env.SEED_TEAM_SECRET"}
KEY_ENV = {"SEED_TEAM_SECRET": SECRET}
# The seed's "Using Direct Keys": the caller's own AWS credentials, which the Bedrock fake knows.
CALLER_AK = "AKIASEEDCALLER000001"
CALLER_SECRET = "seedCallerSecret/0123456789abcdefghijklm"


def governed(config: dict, data_dir) -> dict:
    config["server"]["data_dir"] = str(data_dir)
    config["governance"] = {**config.get("governance", {}), "enforce": True, "keys": [dict(KEY)]}
    return config


@pytest.fixture(scope="module")
def seed_gw(tmp_path_factory, openai_fake, anthropic_fake, gemini_fake):
    """No Bedrock provider: Bedrock ids reach the first-party fakes through the built-in table, `bedrock` files and
    jobs live and run on the gateway; OpenAI and Gemini files and batches go to those fakes' APIs."""
    work = tmp_path_factory.mktemp("seeds-with-keys")
    config = invoke_config(openai_fake, anthropic_fake)
    config["providers"]["gemini"] = provider(gemini_fake.url, [{"name": "g1", "value": GEMINI_KEY}])
    gw = start_gateway(work / "gw", governed(config, work / "data"), env=KEY_ENV)
    yield gw
    gw.stop()


@pytest.fixture(scope="module")
def bedrock_gw(tmp_path_factory, openai_fake, anthropic_fake, bedrock_fake):
    """A Bedrock provider (the Bedrock fake) and `governance.allow_direct_keys`, for the seed's direct keys."""
    work = tmp_path_factory.mktemp("seeds-with-keys-bedrock")
    config = invoke_config(openai_fake, anthropic_fake)
    config["providers"]["bedrock"] = provider(
        bedrock_fake.url, [{"name": "aws1", "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}],
        region="eu-central-1")
    config["governance"] = {"allow_direct_keys": True}
    gw = start_gateway(work / "gw", governed(config, work / "data"), env=KEY_ENV)
    yield gw
    gw.stop()


@pytest.fixture(autouse=True)
def _fresh(bedrock_fake, gemini_fake):
    bedrock_fake.reset()
    bedrock_fake.accounts[CALLER_AK] = (CALLER_SECRET, None)
    gemini_fake.reset()
    yield
    bedrock_fake.reset()
    gemini_fake.reset()


@pytest.fixture
def key_in_env(monkeypatch):
    """The virtual key where boto3 looks for credentials first: what the files and batch snippets sign with."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_BEARER_TOKEN_BEDROCK"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)


def chat_models(fake) -> list[str]:
    return [r.json["model"] for r in fake.requests if r.path.endswith(("/messages", "/chat/completions"))]


# ---- 000: the runtime door --------------------------------------------------------------------------------------
def test_setup(seed_gw, anthropic_fake, capsys):
    # Configure boto3 Bedrock client to use the gateway, signing with the virtual key
    client = boto3.client(
        service_name="bedrock-runtime",
        endpoint_url=f"{seed_gw.url}/bedrock",
        region_name="us-west-2",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )

    # Make requests as usual
    response = client.converse(
        modelId="anthropic.claude-3-5-sonnet-20240620-v1:0",
        messages=[
            {
                "role": "user",
                "content": [{"text": "Hello!"}]
            }
        ]
    )

    print(response)

    assert response["output"]["message"]["content"] == [{"text": "Hello from fake Anthropic."}]
    assert "Hello from fake Anthropic." in capsys.readouterr().out
    assert chat_models(anthropic_fake) == ["claude-3-5-sonnet-20240620"]
    assert anthropic_fake.last.header("x-api-key") == "sk-ant-test"


def test_provider_model_usage_examples(seed_gw, anthropic_fake, openai_fake):
    client = boto3.client(
        service_name="bedrock-runtime",
        endpoint_url=f"{seed_gw.url}/bedrock",
        region_name="us-west-2",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )

    # Anthropic via Bedrock (Converse API)
    anthropic_response = client.converse(
        modelId="anthropic.claude-3-sonnet-20240229",
        messages=[{"role": "user", "content": [{"text": "Hello from Claude!"}]}]
    )

    # Mistral via Bedrock (Converse API)
    mistral_response = client.converse(
        modelId="mistral.mistral-large-2407",
        messages=[{"role": "user", "content": [{"text": "Hello from Mistral!"}]}]
    )

    # Mistral via Bedrock (Invoke API)
    mistral_invoke_response = client.invoke_model(
        modelId="mistral.mistral-large-2407",
        contentType="application/json",
        accept="application/json",
        body=json.dumps({
            "prompt": "Say hello from Mistral using Invoke API.",
            "max_tokens": 50,
            "temperature": 0.7
        }),
    )

    assert anthropic_response["output"]["message"]["content"][0]["text"] == "Hello from fake Anthropic."
    assert mistral_response["output"]["message"]["content"][0]["text"]
    assert json.loads(mistral_invoke_response["body"].read())["outputs"][0]["text"]
    assert chat_models(anthropic_fake) == ["claude-3-sonnet-20240229"]
    assert chat_models(openai_fake) == ["mistral-large-2407", "mistral-large-2407"]
    assert {r.header("authorization") for r in openai_fake.requests} == {"Bearer mistral-test-key"}
    assert openai_fake.last.json["messages"] == [{"role": "user", "content": "Say hello from Mistral using Invoke API."}]


def test_converse_stream(seed_gw, anthropic_fake, capsys):
    client = boto3.client(
        service_name="bedrock-runtime",
        endpoint_url=f"{seed_gw.url}/bedrock",
        region_name="us-west-2",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )

    response = client.converse_stream(
        modelId="anthropic.claude-3-5-sonnet-20240620-v1:0",
        messages=[{"role": "user", "content": [{"text": "Tell me a story about a brave knight."}]}],
        inferenceConfig={"maxTokens": 512, "temperature": 0.5}
    )

    print("Response:")
    for chunk in response["stream"]:
        if "contentBlockDelta" in chunk:
            text = chunk["contentBlockDelta"]["delta"]["text"]
            print(text, end="", flush=True)

    assert capsys.readouterr().out == "Response:\nHello from fake Anthropic."
    sent = anthropic_fake.last.json
    assert (sent["model"], sent["max_tokens"], sent["temperature"], sent["stream"]) == \
        ("claude-3-5-sonnet-20240620", 512, 0.5, True)


def test_invoke_stream(seed_gw, anthropic_fake, capsys):
    anthropic_fake.enqueue(anthropic_stream(["Code flows", " like rain,", " bugs hide."]))
    client = boto3.client(
        service_name="bedrock-runtime",
        endpoint_url=f"{seed_gw.url}/bedrock",
        region_name="us-west-2",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )

    # Example for Claude 3 (Messages API format)
    body = json.dumps({
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 1024,
        "messages": [
            {"role": "user", "content": "Write a haiku about coding."}
        ]
    })

    response = client.invoke_model_with_response_stream(
        modelId="anthropic.claude-3-haiku-20240307-v1:0",
        body=body,
        contentType="application/json",
        accept="application/json"
    )

    print("Response:")
    for event in response.get("body"):
        if "chunk" in event:
            chunk = event["chunk"]
            if "bytes" in chunk:
                # The chunk bytes contain the model-specific JSON response
                result = json.loads(chunk["bytes"].decode("utf-8"))

                # Extract content based on model (e.g., Claude)
                if "delta" in result and "text" in result["delta"]:
                    print(result["delta"]["text"], end="", flush=True)
                elif "completion" in result:
                    print(result["completion"], end="", flush=True)

    assert capsys.readouterr().out == "Response:\nCode flows like rain, bugs hide."
    assert chat_models(anthropic_fake) == ["claude-3-haiku-20240307"]


def test_setup_through_a_bedrock_provider(bedrock_gw, bedrock_fake):
    """The setup snippet where a Bedrock provider serves the id: forwarded, signed with the gateway's AWS key."""
    client = boto3.client(
        service_name="bedrock-runtime",
        endpoint_url=f"{bedrock_gw.url}/bedrock",
        region_name="us-west-2",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )

    response = client.converse(
        modelId="anthropic.claude-3-5-sonnet-20240620-v1:0",
        messages=[
            {
                "role": "user",
                "content": [{"text": "Hello!"}]
            }
        ]
    )

    assert response["output"]["message"]["content"][0]["text"]
    (sig,) = bedrock_fake.signatures
    assert sig.ok and sig.access_key == ACCESS_KEY, sig
    assert KEY_ID not in json.dumps(bedrock_fake.last.headers)


def test_using_direct_keys(bedrock_gw, bedrock_fake):
    """The seed passes the caller's AWS credentials as boto3's. With keys enforced the SigV4 credentials are the
    virtual key, and the caller's own AWS credentials travel in the x-bf-bedrock-* headers (a SigV4 signature is
    bound to the gateway's host and never carries the secret, so it cannot be re-signed for AWS: README)."""
    # When direct keys are enabled, pass real AWS credentials to the gateway beside the virtual key
    client = boto3.client(
        service_name="bedrock-runtime",
        endpoint_url=f"{bedrock_gw.url}/bedrock",
        region_name="us-west-2",
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )

    def add_direct_keys(request, **kwargs):
        request.headers["x-bf-bedrock-access-key"] = CALLER_AK
        request.headers["x-bf-bedrock-secret-key"] = CALLER_SECRET
    client.meta.events.register_first("before-sign.bedrock-runtime.*", add_direct_keys)

    response = client.converse(
        modelId="anthropic.claude-3-5-sonnet-20240620-v1:0",
        messages=[{"role": "user", "content": [{"text": "Hello!"}]}]
    )

    assert response["output"]["message"]["content"][0]["text"]
    (sig,) = bedrock_fake.signatures
    assert sig.ok and sig.access_key == CALLER_AK, sig
    assert not [h for h in bedrock_fake.last.headers if h.startswith("x-bf-")]


def test_using_direct_keys_as_written_is_refused_under_enforcement(bedrock_gw, bedrock_fake):
    """The seed's direct-keys snippet verbatim: its AWS credentials are no virtual key, so an enforcing gateway
    refuses them as AWS refuses an unknown access key."""
    client = boto3.client(
        service_name="bedrock-runtime",
        endpoint_url=f"{bedrock_gw.url}/bedrock",
        region_name="us-west-2",
        aws_access_key_id="your-aws-access-key",  # Real credentials when direct keys enabled
        aws_secret_access_key="your-aws-secret-key"  # Real credentials when direct keys enabled
    )
    with pytest.raises(client.exceptions.ClientError) as refused:
        client.converse(
            modelId="anthropic.claude-3-5-sonnet-20240620-v1:0",
            messages=[{"role": "user", "content": [{"text": "Hello!"}]}]
        )
    assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"
    assert bedrock_fake.requests == []


# ---- 002: files (S3-compatible) -------------------------------------------------------------------------------
def test_files_snippets(seed_gw, key_in_env, capsys, openai_fake, anthropic_fake):
    def add_bedrock_header(request, **kwargs):
        request.headers["x-model-provider"] = "bedrock"

    s3_client = boto3.client(
        "s3",
        region_name="us-west-2",
        endpoint_url=f"{seed_gw.url}/bedrock/files",
    )
    s3_client.meta.events.register("before-send", add_bedrock_header)

    # Upload a File
    def create_bedrock_batch_jsonl(model_id: str, num_requests: int = 2) -> str:
        lines = []
        for i in range(num_requests):
            record = {
                "recordId": f"request-{i+1}",
                "modelInput": {
                    "messages": [
                        {
                            "role": "user",
                            "content": [
                                {"text": f"Hello, this is test message {i+1}. Say hi back briefly."}
                            ],
                        }
                    ],
                    "inferenceConfig": {"maxTokens": 100},
                },
            }
            lines.append(json.dumps(record))
        return "\n".join(lines)

    jsonl_content = create_bedrock_batch_jsonl("anthropic.claude-3-sonnet-20240229-v1:0")

    s3_bucket = "your-s3-bucket"
    s3_key = f"bifrost-batch-input/batch_input_{int(time.time())}.jsonl"

    response = s3_client.put_object(
        Bucket=s3_bucket,
        Key=s3_key,
        Body=jsonl_content.encode(),
        ContentType="application/jsonl",
    )

    file_id = response.get("ETag", "").strip('"')
    print(f"Uploaded file ID: {file_id}")
    print(f"S3 URI: s3://{s3_bucket}/{s3_key}")
    assert len(file_id) == 32
    uploaded_key = s3_key

    # List Files
    s3_bucket = "your-s3-bucket"
    response = s3_client.list_objects_v2(
        Bucket=s3_bucket,
        Prefix="bifrost-batch-input/"
    )

    if "Contents" in response:
        for obj in response["Contents"]:
            print(f"Key: {obj['Key']}")
            print(f"Size: {obj['Size']} bytes")
            print(f"Last Modified: {obj['LastModified']}")
            print("---")
    assert [(o["Key"], o["Size"]) for o in response["Contents"]] == [(uploaded_key, len(jsonl_content))]

    # Retrieve File Metadata (HEAD request), on the key the upload wrote
    s3_key = uploaded_key
    response = s3_client.head_object(
        Bucket=s3_bucket,
        Key=s3_key,
        IfMatch=file_id
    )

    print(f"Content Length: {response['ContentLength']} bytes")
    print(f"Content Type: {response['ContentType']}")
    print(f"ETag (File ID): {response['ETag']}")
    assert (response["ContentLength"], response["ContentType"]) == (len(jsonl_content), "application/jsonl")

    # Download File Content (before the delete snippet removes it)
    response = s3_client.get_object(
        Bucket=s3_bucket,
        Key=s3_key,
        IfMatch=file_id
    )

    content = response["Body"].read().decode("utf-8")
    print(f"File content:\n{content}")
    assert content == jsonl_content

    # Delete a File
    s3_client.delete_object(
        Bucket=s3_bucket,
        Key=s3_key,
        IfMatch=file_id
    )

    print(f"Deleted file: {s3_key}")
    with raises_client_error("404", 404):
        s3_client.head_object(Bucket=s3_bucket, Key=s3_key)
    out = capsys.readouterr().out
    assert f"Uploaded file ID: {file_id}" in out and f"Deleted file: {s3_key}" in out
    assert openai_fake.requests == [] and anthropic_fake.requests == []


# ---- 002: batch jobs --------------------------------------------------------------------------------------------
# Each workflow's "Setup clients" (boto3 `s3` and `bedrock` on the gateway, x-model-provider added before send, the
# key from the environment) and "Poll for completion" are batch_helpers' `files`, `control` and `wait`; its
# records are batch_helpers' `converse_record`, `openai_record` and `gemini_record`, the seed's shapes.
def seed_clients(gw, provider: str):
    return files(gw, provider, env_credentials=True), control(gw, provider, env_credentials=True)


def arithmetic(record, count: int = 3) -> str:
    """The workflows' "Step 1: Create JSONL content": `count` records asking "What is i + i?"."""
    return jsonl([record(f"request-{i+1}", f"What is {i+1} + {i+1}? Answer briefly.") for i in range(count)])


@pytest.fixture
def batch_input(seed_gw, key_in_env):
    """The upload snippet, to the key the batch snippets name ("file should already be uploaded")."""
    s3_client, _ = seed_clients(seed_gw, "bedrock")
    put_input(s3_client, [converse_record(f"request-{i+1}", f"Hello, this is test message {i+1}. Say hi back briefly.")
                          for i in range(2)], bucket="your-s3-bucket", key="bifrost-batch-input/batch_input.jsonl")


def create_batch_job(bedrock_client) -> str:
    """The seed's "Create a Batch Job" snippet."""
    # Configuration
    s3_bucket = "your-s3-bucket"
    role_arn = "arn:aws:iam::123456789:role/BedrockBatchRole"
    model_id = "anthropic.claude-3-sonnet-20240229-v1:0"

    # Input/output URIs (file should already be uploaded)
    input_uri = f"s3://{s3_bucket}/bifrost-batch-input/batch_input.jsonl"
    output_uri = f"s3://{s3_bucket}/bifrost-batch-output/"

    # Create batch job
    job_arn = create(bedrock_client, input_uri, name=f"bifrost-batch-{int(time.time())}", model=model_id, role=role_arn,
                     output_uri=output_uri, tags=[{"key": "endpoint", "value": "/v1/chat/completions"},
                                                  {"key": "source", "value": "bifrost-docs"}])
    print(f"Created batch job: {job_arn}")
    return job_arn


def test_batch_snippets_create_list_retrieve(seed_gw, batch_input, anthropic_fake, capsys):
    _, bedrock_client = seed_clients(seed_gw, "bedrock")
    job_arn = create_batch_job(bedrock_client)

    # List Batch Jobs
    response = bedrock_client.list_model_invocation_jobs(maxResults=10)

    if "invocationJobSummaries" in response:
        for job in response["invocationJobSummaries"]:
            print(f"Job ARN: {job['jobArn']}")
            print(f"Job Name: {job['jobName']}")
            print(f"Status: {job['status']}")
            print(f"Model ID: {job.get('modelId', 'N/A')}")
            print("---")
    assert job_arn in [job["jobArn"] for job in response["invocationJobSummaries"]]

    # Retrieve Batch Job Status (polled until the job ends, so the statistics branch is reached)
    response = wait(bedrock_client, job_arn)

    print(f"Job ARN: {response['jobArn']}")
    print(f"Job Name: {response['jobName']}")
    print(f"Status: {response['status']}")
    print(f"Model ID: {response['modelId']}")

    if response["status"] == "Completed" and "statistics" in response:
        stats = response["statistics"]
        print(f"Total Records: {stats.get('totalRecordCount', 'N/A')}")
        print(f"Successful: {stats.get('successfulRecordCount', 'N/A')}")
        print(f"Failed: {stats.get('failedRecordCount', 'N/A')}")

    assert response["status"] == "Completed", response
    # The service model has the counts at the top level (the seed's `statistics` branch never runs on AWS either).
    assert (response["totalRecordCount"], response["successRecordCount"], response["errorRecordCount"]) == (2, 2, 0)
    assert chat_models(anthropic_fake) == ["claude-3-sonnet-20240229"] * 2
    assert f"Created batch job: {job_arn}" in capsys.readouterr().out


def test_batch_snippet_stop(seed_gw, batch_input, anthropic_fake, capsys):
    gate = threading.Event()
    anthropic_fake.enqueue(*[Delay(Reply(200, anthropic_message("late")), gate=gate) for _ in range(2)])
    _, bedrock_client = seed_clients(seed_gw, "bedrock")
    job_arn = create_batch_job(bedrock_client)
    try:
        anthropic_fake.wait_for_requests(1)

        # Stop a Batch Job
        bedrock_client.stop_model_invocation_job(jobIdentifier=job_arn)

        print(f"Stopped job: {job_arn}")
    finally:
        gate.set()
    assert wait(bedrock_client, job_arn)["status"] == "Stopped"
    assert f"Stopped job: {job_arn}" in capsys.readouterr().out


def test_end_to_end_batch_workflow_bedrock_provider(seed_gw, key_in_env, anthropic_fake):
    # Configuration
    s3_bucket = "your-s3-bucket"
    role_arn = "arn:aws:iam::123456789:role/BedrockBatchRole"
    model_id = "anthropic.claude-3-sonnet-20240229-v1:0"
    s3_client, bedrock_client = seed_clients(seed_gw, "bedrock")

    # Step 1: Create JSONL content
    jsonl_content = arithmetic(converse_record)

    # Step 2: Upload input file to S3
    timestamp = int(time.time())
    s3_key = f"bifrost-batch-input/batch_{timestamp}.jsonl"

    upload_response = s3_client.put_object(
        Bucket=s3_bucket,
        Key=s3_key,
        Body=jsonl_content.encode(),
        ContentType="application/jsonl",
    )
    file_id = upload_response.get("ETag", "").strip('"')
    input_uri = f"s3://{s3_bucket}/{s3_key}"

    # Step 3: Create batch job
    output_uri = f"s3://{s3_bucket}/bifrost-batch-output/"
    job_arn = create(bedrock_client, input_uri, name=f"bifrost-e2e-{timestamp}", model=model_id, role=role_arn,
                     output_uri=output_uri, tags=[{"key": "endpoint", "value": "/v1/chat/completions"},
                                                  {"key": "file_id", "value": file_id}])

    # Step 4: Poll for completion
    status_response = wait(bedrock_client, job_arn)

    # Step 5: Verify job is in list
    list_response = bedrock_client.list_model_invocation_jobs(maxResults=20)
    job_arns = [job["jobArn"] for job in list_response.get("invocationJobSummaries", [])]
    assert job_arn in job_arns, f"Job {job_arn} should be in list"

    assert status_response["status"] == "Completed", status_response
    assert status_response["successRecordCount"] == 3
    assert chat_models(anthropic_fake) == ["claude-3-sonnet-20240229"] * 3
    job_id = job_arn.rsplit("/", 1)[1]
    out = s3_client.get_object(Bucket=s3_bucket, Key=f"bifrost-batch-output/{job_id}/batch_{timestamp}.jsonl.out")
    assert len(out["Body"].read().decode().splitlines()) == 3


def test_end_to_end_batch_workflow_openai_provider(seed_gw, key_in_env, openai_fake):
    # Configuration (no S3 bucket needed for OpenAI)
    model_id = "gpt-4o-mini"
    s3_client, bedrock_client = seed_clients(seed_gw, "openai")

    # Step 1: Create OpenAI JSONL content
    jsonl_content = arithmetic(lambda custom_id, text: openai_record(custom_id, text, model=model_id))

    # Step 2: Upload input file (bucket/key are routing identifiers)
    timestamp = int(time.time())

    upload_response = s3_client.put_object(
        Bucket="openai-files",  # Routing identifier, not actual S3
        Key=f"batch_{timestamp}.jsonl",
        Body=jsonl_content.encode(),
        ContentType="application/jsonl",
    )
    file_id = upload_response.get("ETag", "").strip('"')

    # Step 3: Create batch job
    job_arn = create(bedrock_client, f"s3://openai-files/{file_id}", name=f"openai-e2e-{timestamp}", model=model_id,
                     role="not-required-for-openai", output_uri="s3://openai-output/",
                     tags=[{"key": "endpoint", "value": "/v1/chat/completions"}, {"key": "file_id", "value": file_id}])

    # Step 4: Poll for completion
    status_response = wait(bedrock_client, job_arn)

    assert file_id.startswith("file-") and file_id in openai_fake.batch_api.files
    assert status_response["status"] == "Completed", status_response
    assert status_response["successRecordCount"] == 3
    (batch,) = openai_fake.batch_api.batches.values()
    assert batch["input_file_id"] == file_id
    assert {r.header("authorization") for r in openai_fake.requests} == {"Bearer sk-test-one"}


def test_end_to_end_batch_workflow_gemini_provider(seed_gw, key_in_env, gemini_fake):
    # Configuration (no S3 bucket needed for Gemini)
    model_id = "gemini-1.5-flash"
    s3_client, bedrock_client = seed_clients(seed_gw, "gemini")

    # Step 1: Create Gemini JSONL content
    jsonl_content = arithmetic(gemini_record)

    # Step 2: Upload input file (bucket/key are routing identifiers)
    timestamp = int(time.time())

    upload_response = s3_client.put_object(
        Bucket="gemini-files",  # Routing identifier, not actual S3
        Key=f"batch_{timestamp}.jsonl",
        Body=jsonl_content.encode(),
        ContentType="application/jsonl",
    )
    file_id = upload_response.get("ETag", "").strip('"')

    # Step 3: Create batch job
    job_arn = create(bedrock_client, f"s3://gemini-files/{file_id}", name=f"gemini-e2e-{timestamp}", model=model_id,
                     role="not-required-for-gemini", output_uri="s3://gemini-output/")

    # Step 4: Poll for completion (same as Bedrock)
    status_response = wait(bedrock_client, job_arn)

    assert file_id.startswith("files/") and file_id in gemini_fake.files_api.files
    assert gemini_fake.files_api.files[file_id]["_content"] == jsonl_content.encode()
    assert status_response["status"] == "Completed", status_response
    assert status_response["successRecordCount"] == 3
    created = next(r for r in gemini_fake.requests if ":batchGenerateContent" in r.path)
    assert created.path == f"/v1beta/models/{model_id}:batchGenerateContent"
    assert created.header("x-goog-api-key") == GEMINI_KEY


# ---- the same snippets without the key ------------------------------------------------------------------------
def test_the_snippets_without_the_key_are_refused(seed_gw, monkeypatch, openai_fake, anthropic_fake):
    """As the seed writes them (boto3 dummy credentials), and unsigned (no credentials at all; boto3 itself stops
    a client that finds none, so the refusal over the wire is seen with an unsigned client)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK"):
        monkeypatch.delenv(name, raising=False)
    runtime_calls = [
        lambda c: c.converse(modelId="anthropic.claude-3-5-sonnet-20240620-v1:0",
                             messages=[{"role": "user", "content": [{"text": "Hello!"}]}]),
        lambda c: c.converse_stream(modelId="anthropic.claude-3-5-sonnet-20240620-v1:0",
                                    messages=[{"role": "user", "content": [{"text": "Tell me a story about a brave knight."}]}],
                                    inferenceConfig={"maxTokens": 512, "temperature": 0.5}),
        lambda c: c.invoke_model(modelId="mistral.mistral-large-2407", contentType="application/json",
                                 accept="application/json",
                                 body=json.dumps({"prompt": "Say hello from Mistral using Invoke API.", "max_tokens": 50,
                                                  "temperature": 0.7})),
        lambda c: c.invoke_model_with_response_stream(
            modelId="anthropic.claude-3-haiku-20240307-v1:0", contentType="application/json", accept="application/json",
            body=json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1024,
                             "messages": [{"role": "user", "content": "Write a haiku about coding."}]})),
    ]
    dummy = boto3.client(service_name="bedrock-runtime", endpoint_url=f"{seed_gw.url}/bedrock", region_name="us-west-2",
                         aws_access_key_id="bifrost-dummy-key", aws_secret_access_key="bifrost-dummy-secret")
    unsigned = boto3.client(service_name="bedrock-runtime", endpoint_url=f"{seed_gw.url}/bedrock",
                            region_name="us-west-2", config=Config(signature_version=UNSIGNED))
    for call in runtime_calls:
        with raises_client_error("UnrecognizedClientException", 403) as raised:
            call(dummy)
        assert raised.value.response["Error"]["Message"] == "The security token included in the request is invalid."
        with pytest.raises(unsigned.exceptions.ClientError) as missing:
            call(unsigned)
        assert missing.value.response["Error"]["Code"] == "MissingAuthenticationTokenException"
        assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    def add_bedrock_header(request, **kwargs):
        request.headers["x-model-provider"] = "bedrock"

    s3_client = boto3.client("s3", region_name="us-west-2", endpoint_url=f"{seed_gw.url}/bedrock/files",
                             config=Config(signature_version=UNSIGNED))
    s3_client.meta.events.register("before-send", add_bedrock_header)
    s3_calls = [
        lambda: s3_client.put_object(Bucket="your-s3-bucket", Key="bifrost-batch-input/batch_input.jsonl",
                                     Body=b"{}", ContentType="application/jsonl"),
        lambda: s3_client.list_objects_v2(Bucket="your-s3-bucket", Prefix="bifrost-batch-input/"),
        lambda: s3_client.get_object(Bucket="your-s3-bucket", Key="bifrost-batch-input/batch_input.jsonl",
                                     IfMatch="abc123"),
        lambda: s3_client.delete_object(Bucket="your-s3-bucket", Key="bifrost-batch-input/batch_input.jsonl",
                                        IfMatch="abc123"),
    ]
    for call in s3_calls:
        with raises_client_error("AccessDenied", 403):
            call()
    with raises_client_error("403", 403):  # HEAD: S3 sends no body, so boto3 knows only the status
        s3_client.head_object(Bucket="your-s3-bucket", Key="bifrost-batch-input/batch_input.jsonl", IfMatch="abc123")

    bedrock_client = boto3.client("bedrock", region_name="us-west-2", endpoint_url=f"{seed_gw.url}/bedrock",
                                  config=Config(signature_version=UNSIGNED))
    bedrock_client.meta.events.register("before-send", add_bedrock_header)
    job_arn = "arn:aws:bedrock:us-west-2:123456789:model-invocation-job/abc123"
    control_calls = [
        lambda: bedrock_client.list_model_invocation_jobs(maxResults=10),
        lambda: bedrock_client.get_model_invocation_job(jobIdentifier=job_arn),
        lambda: bedrock_client.stop_model_invocation_job(jobIdentifier=job_arn),
        lambda: bedrock_client.create_model_invocation_job(
            jobName="bifrost-batch-1", modelId="anthropic.claude-3-sonnet-20240229-v1:0",
            roleArn="arn:aws:iam::123456789:role/BedrockBatchRole",
            inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://your-s3-bucket/bifrost-batch-input/batch_input.jsonl",
                                                   "s3InputFormat": "JSONL"}},
            outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://your-s3-bucket/bifrost-batch-output/"}}),
    ]
    for call in control_calls:
        with pytest.raises(ClientError) as missing:
            call()
        assert missing.value.response["Error"]["Code"] == "MissingAuthenticationTokenException", missing.value.response
    assert openai_fake.requests == [] and anthropic_fake.requests == []
