"""The request log and the metrics for the paths that are not a client's model call: a native OpenAI batch (its
submission, the batch runner's reads of the input and writes of the results, one row per record the provider ran,
at batch prices), an S3 upload routed to a provider's file store, and Bedrock control-plane calls forwarded to
AWS. Real boto3 against the gateway, the fakes speaking the providers' wire formats; rows read with the admin API,
`/metrics` parsed with prometheus_client."""
from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest

from batch_helpers import control, create, files, job_id, openai_record, put_input, wait
from fakes.bedrock_fake import ACCESS_KEY, AWS_JOB_ARN, SECRET_KEY
from helpers import default_config, provider
from test_metrics import COUNTERS, assert_cost, cost_usd, key, llm, moved, scrape, tokens
from test_request_log import POLL, POLLS, expected_cost, log_config, logs, row

BATCH_OPS = ("BatchSubmit", "BatchResults", "BatchRecord", "ReadBatchInput", "WriteBatchOutput")


def observed_config(openai_fake, anthropic_fake) -> dict:
    return log_config(default_config(openai_fake, anthropic_fake))


@pytest.fixture
def ogw(gateway, openai_fake, anthropic_fake):
    return gateway(observed_config(openai_fake, anthropic_fake))


def job_rows(gw, job: str, until) -> list[dict]:
    """The job's rows once `until(rows)` holds (the writer is asynchronous; bounded wait)."""
    found: list[dict] = []
    for _ in range(POLLS):
        found = [r for r in logs(gw, limit=1000)["logs"] if r["batch_job_id"] == job]
        if until(found):
            return found
        time.sleep(POLL)
    raise AssertionError(f"rows of job {job} never complete: {[(r['door'], r['operation']) for r in found]}")


def door_rows(gw, door: str, count: int) -> list[dict]:
    """The `count` rows of `door`, newest first, once the writer has written them."""
    found: list[dict] = []
    for _ in range(POLLS):
        found = [r for r in logs(gw, limit=1000)["logs"] if r["door"] == door]
        if len(found) >= count:
            return found
        time.sleep(POLL)
    raise AssertionError(f"fewer than {count} rows of door {door}: {found}")


def batch_moved(before, after) -> dict:
    """What the counters moved, without the polls (their number depends on how fast the job ran)."""
    return {k: v for k, v in moved(before, after, *COUNTERS).items() if ("operation", "BatchStatus") not in k[1]}


# ---- native OpenAI batch ----------------------------------------------------------------------------------------
def test_native_openai_batch_logs_the_submission_the_files_and_each_record(ogw, openai_fake):
    s3 = files(ogw, provider="openai")
    uri = put_input(s3, [openai_record("request-1", "What is 1 + 1?"), openai_record("request-2", "What is 2 + 2?"),
                         openai_record("request-3", "fail please")], key="openai/observed.jsonl")
    before = scrape(ogw)
    br = control(ogw, provider="openai")
    arn = create(br, uri, name="observed-native", model="gpt-4o-mini")
    assert wait(br, arn)["status"] == "PartiallyCompleted"
    job = job_id(arn)

    rows = job_rows(ogw, job, lambda rs: sum(r["operation"] == "WriteBatchOutput" for r in rs) >= 2)
    after = scrape(ogw)
    assert all(r["door"] == "batch" for r in rows), [(r["door"], r["operation"]) for r in rows]
    by_op: dict[str, list[dict]] = {}
    for r in rows:
        by_op.setdefault(r["operation"], []).append(r)
    assert set(by_op) - {"BatchStatus"} == set(BATCH_OPS), sorted(by_op)
    assert len(by_op["BatchSubmit"]) == len(by_op["BatchResults"]) == 1
    # The input was read before the submission and again to match the results; the results file and the manifest
    # were written once each.
    assert len(by_op["ReadBatchInput"]) == 2 and len(by_op["WriteBatchOutput"]) == 2
    for r in by_op["ReadBatchInput"]:
        # The input is an OpenAI file: the read is one Files API call, with the provider's account key.
        assert (r["provider"], r["provider_key_name"], r["http_status"], r["error_code"]) == ("openai", "k1", 200, None), r
        assert r["model_resolved"] is None and Decimal(r["cost_usd"]) == 0, r
    submit = by_op["BatchSubmit"][0]
    assert (submit["provider"], submit["model_resolved"], submit["http_status"], submit["input_tokens"]) == \
        ("openai", "gpt-4o-mini", 200, 0), submit
    assert Decimal(submit["cost_usd"]) == 0, submit

    records = {r["id"]: r for r in by_op["BatchRecord"]}
    assert set(records) == {f"{job}-r0", f"{job}-r1", f"{job}-r2"}, sorted(records)
    batch_cost = expected_cost("openai/gpt-4o-mini", uncached=10, output=5, batch=True)
    for ok in (records[f"{job}-r0"], records[f"{job}-r1"]):
        assert (ok["provider"], ok["model_requested"], ok["model_resolved"], ok["http_status"], ok["error_code"]) == \
            ("openai", "gpt-4o-mini", "gpt-4o-mini", 200, None), ok
        assert (ok["input_tokens"], ok["output_tokens"], ok["stop_reason"]) == (10, 5, "end_turn"), ok
        assert Decimal(ok["cost_usd"]) == batch_cost and batch_cost < expected_cost("openai/gpt-4o-mini", uncached=10, output=5)
    failed = records[f"{job}-r2"]
    assert (failed["http_status"], failed["error_class"], failed["output_tokens"]) == (400, "caller", 0), failed

    assert batch_moved(before, after) == {
        llm("batch", "BatchSubmit", "openai", "gpt-4o-mini"): 1.0,
        llm("batch", "BatchResults", "openai", "gpt-4o-mini"): 1.0,
        llm("batch", "ReadBatchInput", "openai", "other"): 2.0,
        llm("batch", "WriteBatchOutput", "other", "other"): 2.0,
        llm("batch", "BatchRecord", "openai", "gpt-4o-mini"): 2.0,
        llm("batch", "BatchRecord", "openai", "gpt-4o-mini", outcome="error", error_class="caller"): 1.0,
        **tokens("openai", "gpt-4o-mini", input=20, output=10),
    }
    assert_cost(before, after, "openai", "gpt-4o-mini", 2 * cost_usd("openai/gpt-4o-mini", input=10, output=5, batch=True))


def test_gateway_run_batch_files_are_logged_under_the_job(ogw):
    s3 = files(ogw)
    uri = put_input(s3, [{"recordId": "a", "modelInput": {"messages": [{"role": "user", "content": [{"text": "Hi"}]}]}}],
                    key="jobs/observed.jsonl")
    br = control(ogw)
    arn = create(br, uri, name="observed-gateway")
    assert wait(br, arn)["status"] == "Completed"
    rows = job_rows(ogw, job_id(arn), lambda rs: sum(r["operation"] == "WriteBatchOutput" for r in rs) >= 2)
    ops = sorted(r["operation"] for r in rows)
    assert ops == ["BatchRecord", "ReadBatchInput", "WriteBatchOutput", "WriteBatchOutput"], ops
    for r in rows:
        if r["operation"] != "BatchRecord":
            # The gateway's own store: no provider was called.
            assert (r["door"], r["provider"], r["http_status"], r["error_code"], Decimal(r["cost_usd"])) == \
                ("batch", None, 200, None, 0), r


# ---- an S3 upload routed to a provider ---------------------------------------------------------------------------
def test_s3_upload_to_openai_is_one_logged_and_counted_call(ogw, openai_fake):
    s3 = files(ogw, provider="openai")
    before = scrape(ogw)
    body = b"\n".join(json.dumps(openai_record(f"r{i}", "Hi")).encode() for i in range(2))
    resp = s3.put_object(Bucket="openai-files", Key="observed/in.jsonl", Body=body, ContentType="application/jsonl")
    after = scrape(ogw)
    assert [r.path for r in openai_fake.requests if r.method == "POST"] == ["/v1/files"]

    r = row(ogw, resp["ResponseMetadata"]["RequestId"])
    assert (r["door"], r["operation"], r["route"], r["provider"], r["provider_key_name"]) == \
        ("s3", "PutObject", "/bedrock/files/{bucket}/{key+}", "openai", "k1"), r
    assert (r["http_status"], r["error_code"], r["error_class"], r["model_resolved"], r["retries"]) == \
        (200, None, None, None, 0), r
    # A file call spends no tokens: it costs nothing, and is not an unpriced call.
    assert Decimal(r["cost_usd"]) == 0 and r["input_tokens"] == 0 and r["upstream_latency_ms"] >= 0, r
    assert r["user_agent"].startswith("Boto3/") and "sk-test" not in json.dumps(r)

    assert moved(before, after, *COUNTERS) == {llm("s3", "PutObject", "openai", "other"): 1.0}
    http = dict(route="/bedrock/files/**", method="PUT", status="200")  # the HTTP router's template
    assert after.get(key("switchyard_http_requests_total", **http), 0) - before.get(key("switchyard_http_requests_total", **http), 0) == 1
    assert after.get(key("switchyard_active_requests", door="s3"), 0) == 0


def test_a_streamed_get_object_ends_after_its_body(ogw, openai_fake):
    import threading
    from fakes.base import Stream
    s3 = files(ogw, provider="openai")
    head, rest = b"a" * 1000, [bytes([65 + i % 26]) * 65536 for i in range(64)]
    data = head + b"".join(rest)
    s3.put_object(Bucket="openai-files", Key="observed/big.bin", Body=data)

    gate = threading.Event()
    openai_fake.enqueue(Stream([head, *rest], gate=gate, gate_before=1))
    got = s3.get_object(Bucket="openai-files", Key="observed/big.bin")
    request_id = got["ResponseMetadata"]["RequestId"]
    assert got["Body"].read(len(head)) == head
    # A call that ended later has its row; the GetObject, whose body is still on its way, has none yet.
    marker = s3.head_object(Bucket="openai-files", Key="observed/big.bin")
    row(ogw, marker["ResponseMetadata"]["RequestId"])
    assert request_id not in {r["id"] for r in logs(ogw, limit=1000)["logs"]}
    gate.set()
    assert got["Body"].read() == data[len(head):]
    r = row(ogw, request_id)
    assert (r["operation"], r["provider"], r["http_status"], r["error_code"], r["error_class"]) == \
        ("GetObject", "openai", 200, None, None), r

    # A client that leaves mid-body is logged as gone.
    gate = threading.Event()
    openai_fake.enqueue(Stream([head, *rest], gate=gate, gate_before=1))
    got = s3.get_object(Bucket="openai-files", Key="observed/big.bin")
    assert got["Body"].read(len(head)) == head
    got["Body"].close()
    gate.set()
    r = row(ogw, got["ResponseMetadata"]["RequestId"])
    assert (r["operation"], r["http_status"], r["error_code"], r["error_class"]) == \
        ("GetObject", 200, "ClientClosedRequest", None), r


# ---- Bedrock control plane forwarded to AWS ------------------------------------------------------------------------
@pytest.fixture
def aws_gw_config(openai_fake, anthropic_fake) -> dict:
    """conftest's aws_gw, with the request log on."""
    return observed_config(openai_fake, anthropic_fake)


def test_forwarded_control_plane_calls_are_logged_and_counted(aws_gw, bedrock_fake):
    br = control(aws_gw, provider="bedrock")
    before = scrape(aws_gw)
    created = br.create_model_invocation_job(
        jobName="aws-job", modelId="anthropic.claude-3-haiku-20240307-v1:0", roleArn="arn:aws:iam::123456789012:role/B",
        inputDataConfig={"s3InputDataConfig": {"s3Uri": "s3://aws-bucket/in.jsonl"}},
        outputDataConfig={"s3OutputDataConfig": {"s3Uri": "s3://aws-bucket/out/"}})
    assert created["jobArn"] == AWS_JOB_ARN
    got = br.get_model_invocation_job(jobIdentifier=AWS_JOB_ARN)
    listed = br.list_model_invocation_jobs(maxResults=5)
    stopped = br.stop_model_invocation_job(jobIdentifier=AWS_JOB_ARN)
    after = scrape(aws_gw)
    assert [r.path.split("?")[0].split("/")[1] for r in bedrock_fake.requests] == \
        ["model-invocation-job", "model-invocation-job", "model-invocation-jobs", "model-invocation-job"]

    expected = {"CreateModelInvocationJob": ("POST", "/bedrock/model-invocation-job"),
                "GetModelInvocationJob": ("GET", "/bedrock/model-invocation-job/{jobIdentifier}"),
                "ListModelInvocationJobs": ("GET", "/bedrock/model-invocation-jobs"),
                "StopModelInvocationJob": ("POST", "/bedrock/model-invocation-job/{jobIdentifier}/stop")}
    # The answers are AWS's own, request id included; the rows are the gateway's, one per call, in order.
    found = door_rows(aws_gw, "bedrock", 4)
    assert [r["operation"] for r in reversed(found)] == list(expected), [r["operation"] for r in found]
    for r in found:
        assert (r["route"], r["provider"], r["provider_key_name"]) == (expected[r["operation"]][1], "bedrock", "aws1"), r
        assert (r["http_status"], r["error_code"], r["error_class"], Decimal(r["cost_usd"])) == (200, None, None, 0), r
        assert r["upstream_latency_ms"] >= 0 and r["user_agent"].startswith("Boto3/") and SECRET_KEY not in json.dumps(r)

    assert moved(before, after, *COUNTERS) == {
        llm("bedrock", operation, "bedrock", "other"): 1.0 for operation in expected}
    assert after.get(key("switchyard_active_requests", door="bedrock"), 0) == 0


def test_a_control_plane_error_is_logged_as_aws_answered_it(aws_gw, bedrock_fake):
    from helpers import raises_client_error
    br = control(aws_gw, provider="bedrock")
    with raises_client_error("ResourceNotFoundException", 404) as raised:
        br.get_model_invocation_job(jobIdentifier="abcdefghijkl")
    (r,) = door_rows(aws_gw, "bedrock", 1)
    assert (r["operation"], r["provider"], r["http_status"], r["error_code"], r["error_class"]) == \
        ("GetModelInvocationJob", "bedrock", 404, "ResourceNotFoundException", "caller"), r


# ---- Bedrock passthrough content ------------------------------------------------------------------------------------
def test_passthrough_content_is_captured_redacted_and_truncated(gateway, bedrock_fake):
    from fakes.base import Reply
    from fakes.bedrock_fake import converse_answer, converse_stream_frames, event_stream
    from helpers import collect, user
    from test_request_log import SECRET, rows_until
    fake = bedrock_fake
    fake.reset()
    keys = [{"name": "aws1", "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}]
    gw = gateway(log_config({"providers": {"bedrock": provider(fake.url, keys, region="eu-central-1")}},
                            content=True, content_max_bytes=200))
    model = "anthropic.claude-3-5-sonnet-20240620-v1:0"
    fake.enqueue(Reply(200, converse_answer("Bonjour", input_tokens=3, output_tokens=2)))
    gw.client().converse(modelId=model, messages=[user(f"my key is {SECRET} please keep it " + "x" * 400)])
    fake.enqueue(event_stream(converse_stream_frames(["Once", " upon"], input_tokens=12, output_tokens=7)))
    streamed = gw.client().converse_stream(modelId=model, messages=[user("tell me")])
    collect(streamed["stream"])
    fake.enqueue(Reply(200, {"content": [{"type": "text", "text": "invoked answer"}], "stop_reason": "end_turn"}))
    body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "messages": [{"role": "user", "content": "Hi"}]})
    gw.client().invoke_model(modelId=model, body=body)["body"].read()

    # The answers carry AWS's own request ids; the rows come newest first.
    i, s, r = rows_until(gw, 3)[:3]
    assert [x["operation"] for x in (i, s, r)] == ["InvokeModel", "ConverseStream", "Converse"]
    assert r["provider"] == "bedrock" and r["content_in"] is not None, r
    # The request's own JSON, as it went up: redacted, then truncated.
    assert SECRET not in r["content_in"] and "[redacted]" in r["content_in"] and "my key is" in r["content_in"], r
    assert r["content_in"].endswith("…[truncated]") and len(r["content_in"].encode()) <= 200 + len("…[truncated]".encode())
    assert r["content_out"] == "Bonjour", r
    assert "tell me" in s["content_in"] and s["content_out"] == "Once upon", s
    assert json.loads(i["content_in"])["messages"][0]["content"] == "Hi", i
    assert "invoked answer" in i["content_out"], i
