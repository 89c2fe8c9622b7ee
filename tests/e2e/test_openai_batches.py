"""`/v1/files` and `/v1/batches` through the official `openai` SDK, unmodified except for its base URL.

The files live in the gateway's own store (the S3 door's), each owned by the uploading virtual key; a batch is a job of
the gateway's batch runner, whose lines go through the engine one by one to whichever provider their model routes to
(here the OpenAI and Anthropic fakes), and whose answers come back as OpenAI's output and error files.
"""
from __future__ import annotations

import json
import signal
import threading
import time

import openai
import pytest

from fakes.base import Delay, Reply
from fakes.openai_fake import openai_text_completion
from helpers import default_config

ANTHROPIC_MODEL = "anthropic/claude-sonnet-4-5"
OPENAI_MODEL = "openai/gpt-4o-mini"
# Upper bound of polls for a batch to reach a state (each poll sleeps POLL seconds): a safety net, not a threshold.
POLLS, POLL = 600, 0.05
DONE = {"completed", "failed", "expired", "cancelled"}


def sdk(gw, api_key: str = "sk-anything") -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.url + "/v1", api_key=api_key, max_retries=0, timeout=20)


def chat_line(custom_id: str, text: str, model: str = OPENAI_MODEL, **body) -> dict:
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions",
            "body": {"model": model, "messages": [{"role": "user", "content": text}], "max_tokens": 50, **body}}


def upload(client: openai.OpenAI, tmp_path, lines: list[dict], name: str = "in.jsonl", purpose: str = "batch"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    with open(path, "rb") as f:
        return client.files.create(file=f, purpose=purpose)


def wait(client: openai.OpenAI, batch_id: str, until=DONE, check=None):
    batch = None
    for _ in range(POLLS):
        batch = client.batches.retrieve(batch_id)
        if batch.status in until and (check is None or check(batch)):
            return batch
        time.sleep(POLL)
    raise AssertionError(f"batch {batch_id} never reached {until}: last seen {batch}")


def read_lines(client: openai.OpenAI, file_id: str) -> dict[str, dict]:
    text = client.files.content(file_id).text
    return {line["custom_id"]: line for line in map(json.loads, text.splitlines()) if line}


def chat_requests(fake) -> list:
    return [r for r in fake.requests if r.path.endswith("/chat/completions")]


def run_batch(client, tmp_path, lines, name="in.jsonl", **kw):
    file = upload(client, tmp_path, lines, name=name)
    batch = client.batches.create(input_file_id=file.id, endpoint=kw.pop("endpoint", "/v1/chat/completions"),
                                  completion_window="24h", **kw)
    return file, batch, wait(client, batch.id)


# ---- files ----------------------------------------------------------------------------------------------------------
def test_files_upload_retrieve_content_list_delete(gw, tmp_path):
    client = sdk(gw)
    lines = [chat_line("a", "hello")]
    file = upload(client, tmp_path, lines, name="requests.jsonl")
    assert file.id.startswith("file-") and file.object == "file" and file.purpose == "batch"
    assert file.filename == "requests.jsonl" and file.status == "processed"
    assert file.bytes == len(json.dumps(lines[0]) + "\n") and abs(file.created_at - time.time()) < 60

    assert client.files.retrieve(file.id) == file
    assert client.files.content(file.id).content == (json.dumps(lines[0]) + "\n").encode()
    other = upload(client, tmp_path, lines, name="notes.jsonl", purpose="user_data")
    listed = [f.id for f in client.files.list()]
    assert listed.index(other.id) < listed.index(file.id)  # newest first
    assert file.id in [f.id for f in client.files.list(purpose="batch")]
    assert other.id not in [f.id for f in client.files.list(purpose="batch")]
    # The SDK pages with `after` while has_more.
    assert [f.id for f in client.files.list(limit=1, purpose="batch")][:2] == [f.id for f in client.files.list(purpose="batch")][:2]

    deleted = client.files.delete(file.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (file.id, "file", True)
    with pytest.raises(openai.NotFoundError) as caught:
        client.files.retrieve(file.id)
    assert caught.value.status_code == 404 and file.id in caught.value.message
    with pytest.raises(openai.NotFoundError):
        client.files.content(file.id)
    with pytest.raises(openai.NotFoundError):
        client.files.delete(file.id)


def test_file_upload_refusals(gw, tmp_path):
    client = sdk(gw)
    with pytest.raises(openai.BadRequestError) as caught:
        upload(client, tmp_path, [chat_line("a", "x")], purpose="no-such-purpose")
    assert caught.value.status_code == 400 and caught.value.body["param"] == "purpose"
    with pytest.raises(openai.NotFoundError):
        client.files.retrieve("file-doesnotexist000000000000")


# ---- batches --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("model,fake_name,text", [
    (OPENAI_MODEL, "openai_fake", "Hello from fake OpenAI."),
    (ANTHROPIC_MODEL, "anthropic_fake", "Hello from fake Anthropic."),
], ids=["openai", "anthropic"])
def test_a_batch_runs_every_line_through_the_engine(gw, tmp_path, request, model, fake_name, text):
    client, fake = sdk(gw), request.getfixturevalue(fake_name)
    lines = [chat_line(f"req-{i}", f"What is {i} + {i}?", model=model) for i in range(1, 4)]
    file, created, batch = run_batch(client, tmp_path, lines, metadata={"team": "ml", "run": "nightly"})
    assert created.id.startswith("batch_") and created.object == "batch"
    assert created.status in ("validating", "in_progress", "finalizing", "completed")
    assert created.input_file_id == file.id and created.endpoint == "/v1/chat/completions"
    assert created.completion_window == "24h" and created.metadata == {"team": "ml", "run": "nightly"}

    assert batch.status == "completed", batch
    assert (batch.request_counts.total, batch.request_counts.completed, batch.request_counts.failed) == (3, 3, 0)
    assert batch.error_file_id is None and batch.output_file_id
    assert batch.completed_at >= batch.created_at and batch.expires_at == batch.created_at + 24 * 3600
    assert batch.in_progress_at is not None

    output = read_lines(client, batch.output_file_id)
    assert set(output) == {"req-1", "req-2", "req-3"}
    for line in output.values():
        assert line["id"].startswith("batch_req_") and line["error"] is None
        response = line["response"]
        assert response["status_code"] == 200 and response["request_id"]
        assert response["body"]["object"] == "chat.completion"
        assert response["body"]["choices"][0]["message"]["content"] == text
    assert len({line["id"] for line in output.values()}) == 3
    asked = sorted(json.dumps(r.json) for r in fake.requests)
    assert len(asked) == 3 and all("What is" in a for a in asked)

    out_file = client.files.retrieve(batch.output_file_id)
    assert out_file.purpose == "batch_output" and out_file.filename.endswith("_output.jsonl")
    assert batch.id in [b.id for b in client.batches.list()]
    assert client.batches.retrieve(batch.id).output_file_id == batch.output_file_id


def test_an_embeddings_batch(gw, tmp_path):
    client = sdk(gw)
    lines = [{"custom_id": f"e{i}", "method": "POST", "url": "/v1/embeddings",
              "body": {"model": "openai/text-embedding-3-small", "input": f"text {i}"}} for i in range(2)]
    _, _, batch = run_batch(client, tmp_path, lines, endpoint="/v1/embeddings")
    assert batch.status == "completed" and batch.request_counts.completed == 2, batch
    output = read_lines(client, batch.output_file_id)
    body = output["e1"]["response"]["body"]
    assert body["object"] == "list" and isinstance(body["data"][0]["embedding"], list)


def test_failed_lines_land_in_the_error_file(gw, tmp_path, openai_fake):
    client = sdk(gw)
    lines = [chat_line("good", "fine"),
             chat_line("unknown-model", "x", model="nowhere/model-x"),
             {"custom_id": "bad-body", "method": "POST", "url": "/v1/chat/completions", "body": {"model": OPENAI_MODEL}},
             {"custom_id": "wrong-url", "method": "POST", "url": "/v1/embeddings",
              "body": {"model": OPENAI_MODEL, "input": "x"}}]
    _, _, batch = run_batch(client, tmp_path, lines)
    # OpenAI fails a batch only as a whole: one whose lines were all tried is completed, errors counted.
    assert batch.status == "completed", batch
    assert (batch.request_counts.total, batch.request_counts.completed, batch.request_counts.failed) == (4, 1, 3)
    assert set(read_lines(client, batch.output_file_id)) == {"good"}

    errors = read_lines(client, batch.error_file_id)
    assert set(errors) == {"unknown-model", "bad-body", "wrong-url"}
    unknown = errors["unknown-model"]["response"]
    assert unknown["status_code"] == 404 and unknown["body"]["error"]["code"] == "model_not_found"
    assert "nowhere/model-x" in unknown["body"]["error"]["message"] and errors["unknown-model"]["error"] is None
    bad = errors["bad-body"]["response"]
    assert bad["status_code"] == 400 and bad["body"]["error"]["type"] == "invalid_request_error"
    wrong = errors["wrong-url"]
    assert wrong["response"] is None and wrong["error"]["code"] == "invalid_request"
    assert "/v1/embeddings" in wrong["error"]["message"]
    assert len(chat_requests(openai_fake)) == 1  # only the good line went up
    assert client.files.retrieve(batch.error_file_id).filename.endswith("_error.jsonl")


def test_create_refusals(gw, tmp_path):
    client = sdk(gw)
    file = upload(client, tmp_path, [chat_line("a", "x")])
    with pytest.raises(openai.BadRequestError) as caught:
        client.batches.create(input_file_id=file.id, endpoint="/v1/images/generations", completion_window="24h")
    assert caught.value.body["param"] == "endpoint"
    with pytest.raises(openai.BadRequestError) as caught:
        client.batches.create(input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="48h")
    assert caught.value.body["param"] == "completion_window"
    with pytest.raises(openai.NotFoundError):
        client.batches.create(input_file_id="file-missing0000000000000000", endpoint="/v1/chat/completions",
                              completion_window="24h")
    notes = upload(client, tmp_path, [chat_line("a", "x")], purpose="user_data")
    with pytest.raises(openai.BadRequestError) as caught:
        client.batches.create(input_file_id=notes.id, endpoint="/v1/chat/completions", completion_window="24h")
    assert caught.value.body["param"] == "input_file_id"
    with pytest.raises(openai.BadRequestError):
        client.batches.create(input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="24h",
                              metadata={f"k{i}": "v" for i in range(17)})
    for missing in ("batch_zzzzzzzzzzzz", "batch_nope", "nonsense"):
        with pytest.raises(openai.NotFoundError):
            client.batches.retrieve(missing)


def test_batches_list_pages(gw, tmp_path):
    client = sdk(gw)
    file = upload(client, tmp_path, [chat_line("a", "x")])
    made = [client.batches.create(input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="24h").id
            for _ in range(3)]
    page = client.batches.list(limit=2)
    assert len(page.data) == 2 and page.has_more
    listed = [b.id for b in client.batches.list(limit=2)]  # auto-pagination follows `after`
    assert listed.index(made[2]) < listed.index(made[1]) < listed.index(made[0])  # newest first
    for batch_id in made:
        wait(client, batch_id)


def test_cancel_keeps_what_was_answered(gw, tmp_path, openai_fake):
    gate = threading.Event()
    openai_fake.enqueue(*[Delay(gate=gate, then=Reply(200, openai_text_completion())) for _ in range(8)])
    client = sdk(gw)
    file = upload(client, tmp_path, [chat_line(f"r{i}", f"record {i}") for i in range(8)])
    batch = client.batches.create(input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="24h")
    wait(client, batch.id, until={"in_progress"}, check=lambda _: len(chat_requests(openai_fake)) > 0)
    cancelling = client.batches.cancel(batch.id)
    assert cancelling.status in ("cancelling", "cancelled") and cancelling.cancelling_at is not None
    in_flight = len(chat_requests(openai_fake))
    gate.set()
    done = wait(client, batch.id)
    assert done.status == "cancelled" and done.cancelled_at is not None, done
    # The lines in flight when the cancel came finish and are kept; no other starts.
    assert len(chat_requests(openai_fake)) == in_flight < 8
    assert (done.request_counts.total, done.request_counts.completed) == (8, in_flight)
    assert len(read_lines(client, done.output_file_id)) == in_flight
    with pytest.raises(openai.BadRequestError):
        client.batches.cancel(batch.id)


# ---- keys and restarts ----------------------------------------------------------------------------------------------
KEYS = {"team": ("SWYDBATCHTEAMKEY0001", "batch-team-secret-0123456789abcdefghij"),
        "other": ("SWYDBATCHOTHERKEY001", "batch-other-secret-0123456789abcdefghi")}


def token(name: str) -> str:
    access_key_id, secret = KEYS[name]
    return f"sk-swyd-{access_key_id}.{secret}"


def test_another_key_sees_neither_the_file_nor_the_batch(gateway, tmp_path, openai_fake, anthropic_fake):
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(tmp_path / "data")
    config["governance"] = {"enforce": True, "keys": [
        {"name": name, "access_key_id": access_key_id, "secret": f"env.SWYD_{name.upper()}_SECRET"}
        for name, (access_key_id, _) in KEYS.items()]}
    gw = gateway(config, env={f"SWYD_{name.upper()}_SECRET": secret for name, (_, secret) in KEYS.items()})
    team, other = sdk(gw, token("team")), sdk(gw, token("other"))
    file, _, batch = run_batch(team, tmp_path, [chat_line("a", "mine")])
    assert batch.status == "completed"

    for call in (lambda: other.files.retrieve(file.id), lambda: other.files.content(file.id),
                 lambda: other.files.delete(file.id), lambda: other.files.content(batch.output_file_id),
                 lambda: other.batches.retrieve(batch.id), lambda: other.batches.cancel(batch.id),
                 lambda: other.batches.create(input_file_id=file.id, endpoint="/v1/chat/completions",
                                              completion_window="24h")):
        with pytest.raises(openai.NotFoundError):
            call()
    assert file.id not in [f.id for f in other.files.list()]
    assert batch.id not in [b.id for b in other.batches.list()]
    # The owner still has everything.
    assert team.files.retrieve(file.id).id == file.id
    assert set(read_lines(team, batch.output_file_id)) == {"a"}
    with pytest.raises(openai.AuthenticationError):
        sdk(gw, "sk-not-a-key").files.list()


def test_a_batch_survives_a_gateway_restart(gateway, tmp_path, openai_fake, anthropic_fake):
    config = default_config(openai_fake, anthropic_fake, timeout_seconds=60)
    config["server"].update({"data_dir": str(tmp_path / "data"), "batch_concurrency": 2})
    first = gateway(config)
    gate = threading.Event()
    # Three lines are answered at once; the next two hang until after the kill.
    openai_fake.enqueue(*[Reply(200, openai_text_completion()) for _ in range(3)],
                        *[Delay(gate=gate, then=Reply(200, openai_text_completion())) for _ in range(2)])
    client = sdk(first)
    file = upload(client, tmp_path, [chat_line(f"rec-{i}", f"record {i}") for i in range(8)])
    batch = client.batches.create(input_file_id=file.id, endpoint="/v1/chat/completions", completion_window="24h")
    wait(client, batch.id, until={"in_progress"},
         check=lambda b: b.request_counts.completed == 3 and len(chat_requests(openai_fake)) == 5)
    first.stop(signal.SIGKILL)
    gate.set()

    second = gateway(config)
    client = sdk(second)
    done = wait(client, batch.id)
    assert done.status == "completed", done
    assert (done.request_counts.total, done.request_counts.completed, done.request_counts.failed) == (8, 8, 0)
    assert set(read_lines(client, done.output_file_id)) == {f"rec-{i}" for i in range(8)}
    assert client.files.retrieve(file.id).id == file.id
    # Answered lines were not sent again; only the two in flight at the kill may have been.
    assert 8 <= len(chat_requests(openai_fake)) <= 10
