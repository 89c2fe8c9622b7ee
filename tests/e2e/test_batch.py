"""Batch inference (model invocation jobs) run by the gateway itself: boto3 `bedrock` for the jobs, boto3 `s3` for
the input and output files, the OpenAI fake answering the records."""
from __future__ import annotations

import re
import signal
import subprocess
import threading

import pytest

from batch_helpers import (ARN_PATTERN, IN_BUCKET, OUTPUT_URI, control, converse_record, create, files, gemini_record,
                           job_id, last_user_text, manifest, openai_record, output_lines, put_input, wait)
from conftest import start_gateway
from fakes.base import Delay, Reply
from fakes.openai_fake import openai_error, openai_text_completion
from helpers import default_config, raises_client_error, require_binary


def chat_requests(fake) -> list:
    return [r for r in fake.requests if r.path.endswith("/chat/completions")]


def test_gateway_job_runs_end_to_end(gw, openai_fake):
    s3, br = files(gw), control(gw)
    uri = put_input(s3, [converse_record(f"request-{i}", f"What is {i} + {i}?") for i in range(1, 4)])
    arn = create(br, uri, name="e2e-gateway-1", tags=[{"key": "team", "value": "ml"}])
    assert re.fullmatch(ARN_PATTERN, arn), arn

    job = wait(br, arn)
    assert job["status"] == "Completed", job
    assert job["jobArn"] == arn and job["jobName"] == "e2e-gateway-1" and job["modelId"] == "openai/gpt-4o-mini"
    assert (job["totalRecordCount"], job["processedRecordCount"], job["successRecordCount"], job["errorRecordCount"]) == (3, 3, 3, 0)
    assert job["submitTime"] <= job["lastModifiedTime"] and job["endTime"] >= job["submitTime"]
    assert job["inputDataConfig"] == {"s3InputDataConfig": {"s3Uri": uri, "s3InputFormat": "JSONL"}}
    assert job["outputDataConfig"] == {"s3OutputDataConfig": {"s3Uri": OUTPUT_URI}}
    assert "jobExpirationTime" in job and "message" not in job

    summaries = br.list_model_invocation_jobs(maxResults=100)["invocationJobSummaries"]
    listed = [s for s in summaries if s["jobArn"] == arn]
    assert len(listed) == 1 and listed[0]["status"] == "Completed" and listed[0]["successRecordCount"] == 3

    lines = output_lines(s3, arn)
    assert sorted(line["recordId"] for line in lines) == ["request-1", "request-2", "request-3"]
    for line in lines:
        assert "error" not in line, line
        assert line["modelInput"]["messages"][0]["content"][0]["text"].startswith("What is")
        assert line["modelOutput"]["output"]["message"]["content"][0]["text"] == "Hello from fake OpenAI."
    assert manifest(s3, arn) == {"totalRecordCount": 3, "processedRecordCount": 3, "successRecordCount": 3,
                                 "errorRecordCount": 0, "inputTokenCount": 30, "outputTokenCount": 15}
    assert sorted(last_user_text(r.json) for r in chat_requests(openai_fake)) == [f"What is {i} + {i}?" for i in (1, 2, 3)]


def test_every_record_form_answers_in_its_own_shape(gw, openai_fake):
    s3, br = files(gw), control(gw)
    anthropic_body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
                      "messages": [{"role": "user", "content": [{"type": "text", "text": "invoke family"}]}]}
    uri = put_input(s3, [openai_record("oa-1", "openai form"), gemini_record("gm-1", "gemini form"),
                         {"recordId": "an-1", "modelInput": anthropic_body}, {"modelInput": anthropic_body}],
                    key="forms/mixed.jsonl")
    arn = create(br, uri, name="forms")
    job = wait(br, arn)
    assert job["status"] == "Completed", job
    lines = {line["recordId"]: line for line in output_lines(s3, arn, "mixed.jsonl")}
    assert set(lines) == {"oa-1", "gm-1", "an-1", "CALL0000004"}
    assert lines["oa-1"]["modelOutput"]["object"] == "chat.completion"
    assert lines["oa-1"]["modelOutput"]["choices"][0]["message"]["content"] == "Hello from fake OpenAI."
    assert lines["oa-1"]["modelInput"]["messages"][0]["content"] == "openai form"
    assert lines["gm-1"]["modelOutput"]["candidates"][0]["content"]["parts"] == [{"text": "Hello from fake OpenAI."}]
    assert lines["an-1"]["modelOutput"]["type"] == "message"
    assert lines["an-1"]["modelOutput"]["content"] == [{"type": "text", "text": "Hello from fake OpenAI."}]


def test_record_errors_make_the_job_partially_completed(gw, openai_fake):
    def answer(req):
        text = last_user_text(req.json)
        return openai_error(400, f"refused {text}") if text.startswith("bad") else Reply(200, openai_text_completion())
    openai_fake.enqueue(*[answer] * 3)
    s3, br = files(gw), control(gw)
    uri = put_input(s3, [converse_record("ok-1", "fine"), converse_record("bad-1", "bad one"),
                         converse_record("ok-2", "fine too")], key="errors/input.jsonl")
    arn = create(br, uri, name="with-errors")
    job = wait(br, arn)
    assert job["status"] == "PartiallyCompleted", job
    assert (job["successRecordCount"], job["errorRecordCount"], job["processedRecordCount"]) == (2, 1, 3)
    assert "1 of 3" in job["message"]
    bad = next(line for line in output_lines(s3, arn) if line["recordId"] == "bad-1")
    assert bad["error"]["errorCode"] == 400 and "refused bad one" in bad["error"]["errorMessage"]
    assert "modelOutput" not in bad and bad["modelInput"]["messages"][0]["content"][0]["text"] == "bad one"
    assert manifest(s3, arn)["errorRecordCount"] == 1


def test_unreadable_input_fails_the_job(gw):
    br = control(gw)
    arn = create(br, f"s3://{IN_BUCKET}/does/not/exist.jsonl", name="missing-input")
    job = wait(br, arn)
    assert job["status"] == "Failed" and "does/not/exist.jsonl" in job["message"], job


@pytest.mark.parametrize("change", [
    {"jobName": "bad name!"},
    {"jobName": "x" * 64},
    {"inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://UPPER-case/input.jsonl"}}},
    {"inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://batch-in/has space.jsonl"}}},
    {"outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "https://batch-out/results/"}}},
    {"inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://batch-in/in.jsonl", "s3InputFormat": "CSV"}}},
    {"timeoutDurationInHours": 169},
    {"timeoutDurationInHours": 999},
    {"modelInvocationType": "Batch"},
    {"tags": [{"key": "team", "value": "no!"}]},
    {"clientRequestToken": "not_a_token"},
], ids=["jobName-pattern", "jobName-length", "s3Uri-bucket", "s3Uri-space", "s3Uri-scheme", "input-format",
        "timeout-169", "timeout-999", "invocation-type", "tag-pattern", "token-pattern"])
def test_invalid_create_requests_are_validation_errors(gw, change):
    request = {"jobName": "valid-name", "modelId": "openai/gpt-4o-mini", "roleArn": "not-required",
               "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://batch-in/in.jsonl"}},
               "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": OUTPUT_URI}}, **change}
    with raises_client_error("ValidationException", 400) as raised:
        control(gw).create_model_invocation_job(**request)
    assert "failed to satisfy constraint" in str(raised.value) or "must" in str(raised.value)


def test_unknown_model_and_provider_are_refused(gw):
    with raises_client_error("ResourceNotFoundException"):
        create(control(gw), "s3://batch-in/in.jsonl", model="nowhere/model-x")
    with raises_client_error("ValidationException"):
        create(control(gw, provider="nobody"), "s3://batch-in/in.jsonl")


def test_unknown_and_malformed_job_identifiers(gw):
    br = control(gw)
    with raises_client_error("ResourceNotFoundException", 404):
        br.get_model_invocation_job(jobIdentifier="arn:aws:bedrock:us-west-2:000000000000:model-invocation-job/zzzzzzzzzzzz")
    with raises_client_error("ResourceNotFoundException", 404):
        br.get_model_invocation_job(jobIdentifier="zzzzzzzzzzzz")
    with raises_client_error("ResourceNotFoundException", 404):
        br.stop_model_invocation_job(jobIdentifier="zzzzzzzzzzzz")
    for bad in ["arn:aws:bedrock:us-west-2:000000000000:model-invocation-job/SHORT", "not-an-arn", "ABCDEFGHIJKL"]:
        with raises_client_error("ValidationException", 400):
            br.get_model_invocation_job(jobIdentifier=bad)
        with raises_client_error("ValidationException", 400):
            br.stop_model_invocation_job(jobIdentifier=bad)


def test_get_takes_the_arn_or_the_bare_id(gw):
    s3, br = files(gw), control(gw)
    arn = create(br, put_input(s3, [converse_record("a", "one")], key="ids/input.jsonl"), name="by-id")
    assert br.get_model_invocation_job(jobIdentifier=job_id(arn))["jobArn"] == arn
    assert br.get_model_invocation_job(jobIdentifier=arn)["jobArn"] == arn
    wait(br, arn)


def test_list_filters_sorts_and_pages(gw):
    s3, br = files(gw), control(gw)
    uri = put_input(s3, [converse_record("a", "one")], key="list/input.jsonl")
    arns = [create(br, uri, name=f"listing-{i}") for i in range(3)]
    for arn in arns:
        wait(br, arn)
    named = br.list_model_invocation_jobs(nameContains="listing-1")["invocationJobSummaries"]
    assert [j["jobArn"] for j in named] == [arns[1]]
    ascending = [j["jobArn"] for j in br.list_model_invocation_jobs(sortBy="CreationTime", sortOrder="Ascending",
                                                                      nameContains="listing-")["invocationJobSummaries"]]
    assert ascending == arns
    descending = [j["jobArn"] for j in br.list_model_invocation_jobs(nameContains="listing-")["invocationJobSummaries"]]
    assert descending == arns[::-1]
    completed = br.list_model_invocation_jobs(statusEquals="Completed", nameContains="listing-")["invocationJobSummaries"]
    assert {j["jobArn"] for j in completed} == set(arns)
    assert br.list_model_invocation_jobs(statusEquals="Failed", nameContains="listing-")["invocationJobSummaries"] == []
    first = br.list_model_invocation_jobs(submitTimeAfter="2000-01-01T00:00:00Z", nameContains="listing-")
    assert len(first["invocationJobSummaries"]) == 3
    assert br.list_model_invocation_jobs(submitTimeBefore="2000-01-01T00:00:00Z")["invocationJobSummaries"] == []
    pages = br.get_paginator("list_model_invocation_jobs").paginate(nameContains="listing-", PaginationConfig={"PageSize": 2})
    sizes, seen = [], []
    for page in pages:
        sizes.append(len(page["invocationJobSummaries"]))
        seen += [j["jobArn"] for j in page["invocationJobSummaries"]]
    assert sizes == [2, 1] and seen == arns[::-1]
    for bad in [{"maxResults": 1001}, {"statusEquals": "Running"}, {"nextToken": "bogus"}, {"sortBy": "Name"},
                {"sortOrder": "Sideways"}]:
        with raises_client_error("ValidationException", 400):
            br.list_model_invocation_jobs(**bad)


def test_client_request_token_is_idempotent(gw):
    s3, br = files(gw), control(gw)
    uri = put_input(s3, [converse_record("a", "one")], key="token/input.jsonl")
    first = create(br, uri, name="token-job", clientRequestToken="token-123")
    again = create(br, uri, name="token-job", clientRequestToken="token-123")
    assert first == again
    other = create(br, uri, name="token-job", clientRequestToken="token-456")
    assert other != first
    listed = [j["jobArn"] for j in br.list_model_invocation_jobs(nameContains="token-job")["invocationJobSummaries"]]
    assert sorted(listed) == sorted([first, other])
    assert br.get_model_invocation_job(jobIdentifier=first)["clientRequestToken"] == "token-123"
    wait(br, first)
    wait(br, other)


def test_stop_is_honoured_between_records(gw, openai_fake):
    gate = threading.Event()
    openai_fake.enqueue(*[Delay(gate=gate, then=Reply(200, openai_text_completion())) for _ in range(8)])
    s3, br = files(gw), control(gw)
    uri = put_input(s3, [converse_record(f"r{i}", f"record {i}") for i in range(8)], key="stop/input.jsonl")
    arn = create(br, uri, name="to-stop")
    wait(br, arn, until={"InProgress"}, check=lambda _: len(chat_requests(openai_fake)) > 0)
    assert br.stop_model_invocation_job(jobIdentifier=arn)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert br.get_model_invocation_job(jobIdentifier=arn)["status"] in ("Stopping", "Stopped")
    in_flight = len(chat_requests(openai_fake))
    gate.set()
    job = wait(br, arn)
    assert job["status"] == "Stopped" and "endTime" in job, job
    # The records in flight when the stop came finish; no other record starts.
    assert len(chat_requests(openai_fake)) == in_flight < 8
    assert job["processedRecordCount"] == in_flight and job["totalRecordCount"] == 8
    assert len(output_lines(s3, arn)) == in_flight
    with raises_client_error("ValidationException"):
        br.stop_model_invocation_job(jobIdentifier=arn)


def test_a_provider_without_a_batch_api_runs_on_the_gateway(gw, openai_fake):
    s3, br = files(gw), control(gw, provider="groq")
    uri = put_input(files(gw), [converse_record("g1", "hello groq")], key="groq/input.jsonl")
    arn = create(br, uri, name="groq-job", model="llama-3.1-8b-instant")
    job = wait(br, arn)
    assert job["status"] == "Completed", job
    request = chat_requests(openai_fake)[-1]
    assert request.header("authorization") == "Bearer gsk-test"
    assert request.json["model"] == "llama-3.1-8b-instant"
    # groq has no file store of its own: its jobs' files are the gateway's.
    assert output_lines(s3, arn)[0]["recordId"] == "g1"


def test_bedrock_header_without_a_bedrock_provider_runs_on_the_gateway(gw, anthropic_fake):
    s3, br = files(gw), control(gw, provider="bedrock")
    uri = put_input(s3, [converse_record("request-1", "What is 1 + 1? Answer briefly.")], key="seed/batch_input.jsonl")
    arn = create(br, uri, name="bifrost-e2e-1", model="anthropic.claude-3-sonnet-20240229-v1:0",
                 role="arn:aws:iam::123456789:role/BedrockBatchRole",
                 tags=[{"key": "endpoint", "value": "/v1/chat/completions"}, {"key": "source", "value": "bifrost-docs"}])
    job = wait(br, arn)
    assert job["status"] == "Completed", job
    assert arn in [j["jobArn"] for j in br.list_model_invocation_jobs(maxResults=20)["invocationJobSummaries"]]
    assert anthropic_fake.requests[-1].path == "/v1/messages"
    assert output_lines(s3, arn, "batch_input.jsonl")[0]["recordId"] == "request-1"


def test_kill9_mid_job_resumes_without_losing_or_repeating_records(gateway, tmp_path, openai_fake, anthropic_fake):
    config = default_config(openai_fake, anthropic_fake, timeout_seconds=60)
    config["server"].update({"data_dir": str(tmp_path / "data"), "batch_concurrency": 2})
    first = gateway(config)
    gate = threading.Event()
    # Three records are answered at once; the next two hang until after the kill.
    openai_fake.enqueue(*[Reply(200, openai_text_completion()) for _ in range(3)],
                        *[Delay(gate=gate, then=Reply(200, openai_text_completion())) for _ in range(2)])
    s3, br = files(first), control(first)
    records = [converse_record(f"rec-{i}", f"record {i}") for i in range(8)]
    arn = create(br, put_input(s3, records, key="kill/input.jsonl"), name="survives-kill")
    wait(br, arn, until={"InProgress"}, check=lambda j: j["processedRecordCount"] == 3 and len(chat_requests(openai_fake)) == 5)
    answered_before = {last_user_text(r.json) for r in chat_requests(openai_fake)[:3]}
    in_flight = {last_user_text(r.json) for r in chat_requests(openai_fake)[3:5]}
    first.stop(signal.SIGKILL)
    assert first.proc.returncode == -signal.SIGKILL
    gate.set()

    second = gateway(config)
    s3, br = files(second), control(second)
    job = wait(br, arn)
    assert job["status"] == "Completed", job
    assert (job["totalRecordCount"], job["processedRecordCount"], job["successRecordCount"]) == (8, 8, 8)
    counts: dict[str, int] = {}
    for request in chat_requests(openai_fake):
        text = last_user_text(request.json)
        counts[text] = counts.get(text, 0) + 1
    for i in range(8):
        text = f"record {i}"
        limit = 2 if text in in_flight else 1
        assert 1 <= counts.get(text, 0) <= limit, (text, counts)
    assert all(counts[text] == 1 for text in answered_before)
    ids = [line["recordId"] for line in output_lines(s3, arn)]
    assert sorted(ids) == sorted(f"rec-{i}" for i in range(8)) and len(ids) == len(set(ids))
    assert manifest(s3, arn)["processedRecordCount"] == 8


def test_cli_lists_describes_and_watches_jobs(gateway, tmp_path, openai_fake, anthropic_fake):
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(tmp_path / "cli-data")
    gw = gateway(config)
    gate = threading.Event()
    openai_fake.enqueue(*[Delay(gate=gate, then=Reply(200, openai_text_completion())) for _ in range(3)])
    s3, br = files(gw), control(gw)
    arn = create(br, put_input(s3, [converse_record(f"c{i}", f"cli {i}") for i in range(3)], key="cli/input.jsonl"),
                 name="cli-job")
    wait(br, arn, until={"InProgress"})
    binary = str(require_binary())
    watch = subprocess.Popen([binary, "batch", "watch", arn, "--data-dir", config["server"]["data_dir"], "--interval", "0.05"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = watch.stdout.readline()
    gate.set()
    out, err = watch.communicate(timeout=60)
    assert watch.returncode == 0, err
    lines = [first.strip()] + out.strip().splitlines()
    assert lines[-1].startswith("[##############################] 3/3 (100%) Completed"), out
    assert len(lines) >= 2 and "InProgress" in lines[0], out

    config_file = str(gw.workdir / "switchyard.json")
    listed = subprocess.run([binary, "batch", "list", "--config", config_file], capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert job_id(arn) in listed.stdout and "cli-job" in listed.stdout and "Completed" in listed.stdout and "3/3" in listed.stdout
    got = subprocess.run([binary, "batch", "get", job_id(arn), "--config", config_file], capture_output=True, text=True, timeout=60)
    assert got.returncode == 0, got.stderr
    assert f"jobArn                 {arn}" in got.stdout and "successRecordCount     3" in got.stdout
    missing = subprocess.run([binary, "batch", "get", "zzzzzzzzzzzz", "--data-dir", config["server"]["data_dir"]],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "no batch job" in missing.stderr
