"""The OpenAI-compatible door (`/v1`) through the official `openai` SDK, unmodified except for its base URL.

One suite runs against every kind of upstream: the OpenAI fake (same dialect: the caller's bytes go up), the
Anthropic, Gemini and Bedrock fakes (translated through the canonical model). Then what the platform adds, the same
as on the Bedrock door: virtual keys as bearer tokens, budgets, rate limits, allowed models, the request log and
the answer cache.
"""
from __future__ import annotations

import base64
import json
import time

import httpx2 as httpx  # the HTTP client the openai SDK is built on
import openai
import pytest

from conftest import start_gateway
from fakes.anthropic_fake import anthropic_error, anthropic_message, anthropic_stream_events_for, tool_use_block
from fakes.base import Reply, Stream
from fakes.bedrock_fake import ACCESS_KEY, SECRET_KEY, aws_error, converse_answer, converse_stream_frames, event, event_stream
from fakes.gemini_fake import function_call_part, gemini_error, gemini_response, gemini_stream
from fakes.openai_fake import fake_vector, openai_completion, openai_error, openai_stream_events_for, tool_call
from helpers import PNG, admin_get, default_config, provider, with_admin_token

B64_PNG = base64.b64encode(PNG).decode()
WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Current weather for a city",
                                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                           "required": ["city"]}}}


# ---- the upstreams, each scripted in its own wire format ---------------------------------------------------------
class Upstream:
    name: str
    model: str
    fake = None

    def sent(self) -> dict:
        return self.fake.last.json

    def sent_text(self) -> str:
        return json.dumps(self.sent())


class OpenAIUp(Upstream):
    name, model = "openai", "openai/gpt-4o-mini"

    def text(self, text, inp, out):
        self.fake.enqueue(Reply(200, openai_completion(text, prompt_tokens=inp, completion_tokens=out)))

    def stream(self, pieces, inp, out, include_usage=True):
        self.fake.enqueue(Stream(openai_stream_events_for(pieces, prompt_tokens=inp, completion_tokens=out,
                                                          include_usage=include_usage)))

    def tool(self, call_id, name, args):
        self.fake.enqueue(Reply(200, openai_completion(None, tool_calls=[tool_call(call_id, name, args)])))

    def tool_stream(self, call_id, name, fragments):
        self.fake.enqueue(Stream(openai_stream_events_for(None, tool_calls=[(call_id, name, fragments)])))

    def throttle(self):
        self.fake.enqueue(openai_error(429, "Rate limit reached", type="requests", code="rate_limit_exceeded"))


class AnthropicUp(Upstream):
    name, model = "anthropic", "anthropic/claude-sonnet-4-5"

    def text(self, text, inp, out):
        self.fake.enqueue(Reply(200, anthropic_message(text, input_tokens=inp, output_tokens=out)))

    def stream(self, pieces, inp, out, include_usage=True):
        self.fake.enqueue(Stream(anthropic_stream_events_for(pieces, input_tokens=inp, output_tokens=out)))

    def tool(self, call_id, name, args):
        self.fake.enqueue(Reply(200, anthropic_message([tool_use_block(call_id, name, args)])))

    def tool_stream(self, call_id, name, fragments):
        self.fake.enqueue(Stream(anthropic_stream_events_for(None, tool_use=[(call_id, name, fragments)])))

    def throttle(self):
        self.fake.enqueue(anthropic_error(429, "Number of requests has exceeded your rate limit", "rate_limit_error"))


class GeminiUp(Upstream):
    name, model = "gemini", "gemini/gemini-2.0-flash"

    def text(self, text, inp, out):
        self.fake.enqueue(Reply(200, gemini_response(text, prompt_tokens=inp, candidates_tokens=out)))

    def stream(self, pieces, inp, out, include_usage=True):
        self.fake.enqueue(gemini_stream(pieces, prompt_tokens=inp, candidates_tokens=out))

    def tool(self, call_id, name, args):
        self.fake.enqueue(Reply(200, gemini_response([function_call_part(name, args)])))

    def tool_stream(self, call_id, name, fragments):
        self.fake.enqueue(gemini_stream(None, function_calls=[(name, json.loads("".join(fragments)), None)]))

    def throttle(self):
        self.fake.enqueue(gemini_error(429, "Resource has been exhausted (e.g. check quota)."))


CLAUDE_ON_BEDROCK = "anthropic.claude-3-5-sonnet-20240620-v1:0"


class BedrockUp(Upstream):
    name, model = "bedrock", "bedrock/" + CLAUDE_ON_BEDROCK

    def text(self, text, inp, out):
        self.fake.enqueue(Reply(200, converse_answer(text, input_tokens=inp, output_tokens=out)))

    def stream(self, pieces, inp, out, include_usage=True):
        self.fake.enqueue(event_stream(converse_stream_frames(pieces, input_tokens=inp, output_tokens=out)))

    def tool(self, call_id, name, args):
        self.fake.enqueue(Reply(200, {
            "output": {"message": {"role": "assistant", "content": [{"toolUse": {"toolUseId": call_id, "name": name,
                                                                                   "input": args}}]}},
            "stopReason": "tool_use", "usage": {"inputTokens": 9, "outputTokens": 4, "totalTokens": 13},
            "metrics": {"latencyMs": 5}}))

    def tool_stream(self, call_id, name, fragments):
        frames = [event("messageStart", {"role": "assistant"}),
                  event("contentBlockStart", {"contentBlockIndex": 0,
                                              "start": {"toolUse": {"toolUseId": call_id, "name": name}}})]
        frames += [event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": f}}})
                   for f in fragments]
        frames += [event("contentBlockStop", {"contentBlockIndex": 0}), event("messageStop", {"stopReason": "tool_use"}),
                   event("metadata", {"usage": {"inputTokens": 9, "outputTokens": 4, "totalTokens": 13},
                                      "metrics": {"latencyMs": 5}})]
        self.fake.enqueue(event_stream(frames))

    def throttle(self):
        self.fake.enqueue(aws_error(429, "ThrottlingException", "Too many requests, please wait before trying again."))


UPSTREAMS = [OpenAIUp, AnthropicUp, GeminiUp, BedrockUp]


def four_provider_config(openai_fake, anthropic_fake, gemini_fake, bedrock_fake) -> dict:
    config = default_config(openai_fake, anthropic_fake, gemini_fake=gemini_fake)
    config["providers"]["bedrock"] = provider(
        bedrock_fake.url, [{"name": "aws1", "access_key_id": ACCESS_KEY, "secret_access_key": SECRET_KEY}],
        region="us-east-1")
    return with_admin_token(config)


@pytest.fixture(scope="module")
def door_gw(tmp_path_factory, openai_fake, anthropic_fake, gemini_fake, bedrock_fake):
    gw = start_gateway(tmp_path_factory.mktemp("openai-door"),
                       four_provider_config(openai_fake, anthropic_fake, gemini_fake, bedrock_fake))
    yield gw
    gw.stop()


@pytest.fixture(params=UPSTREAMS, ids=lambda u: u.name)
def up(request, openai_fake, anthropic_fake, gemini_fake, bedrock_fake):
    fakes = {"openai": openai_fake, "anthropic": anthropic_fake, "gemini": gemini_fake, "bedrock": bedrock_fake}
    for fake in (gemini_fake, bedrock_fake):
        fake.reset()
    u = request.param()
    u.fake = fakes[u.name]
    yield u
    for fake in (gemini_fake, bedrock_fake):
        fake.reset()


def sdk(gw, api_key="sk-anything", **kw) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.url + "/v1", api_key=api_key, max_retries=kw.pop("max_retries", 0), timeout=20, **kw)


def ask(text="Say hello"):
    return [{"role": "system", "content": "You are terse."}, {"role": "user", "content": text}]


# ---- one suite, every upstream ---------------------------------------------------------------------------------
def test_chat_completion(door_gw, up):
    up.text("Hello there!", 11, 4)
    resp = sdk(door_gw).chat.completions.create(model=up.model, messages=ask("Say hello"), max_tokens=64, temperature=0.2)
    assert resp.object == "chat.completion" and resp.model in (up.model, up.model.split("/", 1)[1])
    assert resp.choices[0].message.content == "Hello there!"
    assert resp.choices[0].message.role == "assistant"
    assert resp.choices[0].finish_reason == "stop"
    assert (resp.usage.prompt_tokens, resp.usage.completion_tokens, resp.usage.total_tokens) == (11, 4, 15)
    sent = up.sent_text()
    assert "Say hello" in sent and "You are terse." in sent
    # The caller's key never goes up, whatever the upstream's own key header is.
    assert all("sk-anything" not in (up.fake.last.header(h) or "") for h in ("authorization", "x-api-key", "x-goog-api-key"))


def test_same_dialect_goes_up_as_written(door_gw, openai_fake):
    openai_fake.enqueue(Reply(200, openai_completion("ok")))
    sdk(door_gw).chat.completions.create(model="openai/gpt-4o-mini", messages=ask(), seed=7, presence_penalty=0.5,
                                         logit_bias={"50256": -100}, user="alice")
    sent = openai_fake.last.json
    # Only the model's name changes: every field the caller wrote reaches the upstream as written.
    assert sent == {"model": "gpt-4o-mini", "messages": ask(), "seed": 7, "presence_penalty": 0.5,
                    "logit_bias": {"50256": -100}, "user": "alice"}
    assert openai_fake.last.header("authorization") == "Bearer sk-test-one"


def test_same_dialect_keeps_the_callers_bytes(door_gw, openai_fake):
    # Spacing, member order, an unknown member and a unicode escape: none of it survives a decode and re-encode.
    body = b'{ "messages" : [{"role":"user","content":"caf\\u00e9 \\"model\\""}],\n  "model":"openai/gpt-4o-mini", "x_vendor":1.50 }'
    openai_fake.enqueue(Reply(200, openai_completion("ok")))
    r = httpx.post(f"{door_gw.url}/v1/chat/completions", content=body,
                   headers={"authorization": "Bearer sk-anything", "content-type": "application/json"}, timeout=30)
    assert r.status_code == 200, r.text
    assert openai_fake.last.body == body.replace(b'"openai/gpt-4o-mini"', b'"gpt-4o-mini"')


def test_a_body_with_two_models_is_refused_not_forwarded(door_gw, openai_fake):
    before = len(openai_fake.requests)
    r = httpx.post(f"{door_gw.url}/v1/chat/completions",
                   content=b'{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"model":"openai/gpt-4o"}',
                   headers={"authorization": "Bearer sk-anything", "content-type": "application/json"}, timeout=30)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["type"] == "invalid_request_error"
    assert len(openai_fake.requests) == before


def test_stream_with_usage(door_gw, up):
    up.stream(["Hel", "lo ", "world"], 8, 3)
    chunks = list(sdk(door_gw).chat.completions.create(
        model=up.model, messages=ask(), stream=True, stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Hello world"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes == ["stop"]
    assert chunks[-1].choices == [] and (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (8, 3)


def test_stream_without_usage_shows_no_usage_chunk(door_gw, up):
    up.stream(["Hi", " you"], 8, 3, include_usage=False)
    chunks = list(sdk(door_gw).chat.completions.create(model=up.model, messages=ask(), stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == "Hi you"
    assert all(c.usage is None for c in chunks)
    assert all(c.choices for c in chunks)


def test_tool_call_and_its_result(door_gw, up):
    up.tool("call_abc", "get_weather", {"city": "Paris"})
    client = sdk(door_gw)
    first = client.chat.completions.create(model=up.model, messages=ask("Weather in Paris?"), tools=[WEATHER])
    call = first.choices[0].message.tool_calls[0]
    assert first.choices[0].finish_reason == "tool_calls"
    assert call.type == "function" and call.function.name == "get_weather" and call.id
    assert json.loads(call.function.arguments) == {"city": "Paris"}
    assert "get_weather" in up.sent_text()

    up.text("It is sunny.", 20, 4)
    messages = ask("Weather in Paris?") + [
        {"role": "assistant", "content": None, "tool_calls": [call.model_dump(exclude_none=True)]},
        {"role": "tool", "tool_call_id": call.id, "content": "sunny, 21 C"}]
    second = client.chat.completions.create(model=up.model, messages=messages, tools=[WEATHER])
    assert second.choices[0].message.content == "It is sunny."
    sent = up.sent_text()
    assert "sunny, 21 C" in sent and call.id in sent if up.name != "gemini" else "sunny, 21 C" in sent


def test_streamed_tool_call(door_gw, up):
    up.tool_stream("call_s1", "get_weather", ['{"ci', 'ty": "Os', 'lo"}'])
    chunks = list(sdk(door_gw).chat.completions.create(model=up.model, messages=ask("Weather in Oslo?"),
                                                       tools=[WEATHER], stream=True))
    deltas = [tc for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
    assert deltas and deltas[0].function.name == "get_weather" and deltas[0].id
    assert {d.index for d in deltas} == {0}
    assert json.loads("".join(d.function.arguments or "" for d in deltas)) == {"city": "Oslo"}
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == ["tool_calls"]


def test_image_as_a_data_url(door_gw, up):
    up.text("A red pixel.", 30, 4)
    resp = sdk(door_gw).chat.completions.create(model=up.model, messages=[{"role": "user", "content": [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{B64_PNG}"}}]}])
    assert resp.choices[0].message.content == "A red pixel."
    assert B64_PNG in up.sent_text()


def test_json_mode(door_gw, up):
    up.text('{"ok": true}', 12, 5)
    resp = sdk(door_gw).chat.completions.create(model=up.model, messages=ask("Answer in JSON"),
                                                response_format={"type": "json_object"})
    assert json.loads(resp.choices[0].message.content) == {"ok": True}
    if up.name == "openai":
        assert up.sent()["response_format"] == {"type": "json_object"}
    else:
        assert "response_format" not in up.sent_text() and "valid JSON object" in up.sent_text()


def test_upstream_throttling_is_a_rate_limit_error(door_gw, up):
    up.throttle()
    with pytest.raises(openai.RateLimitError) as caught:
        sdk(door_gw).chat.completions.create(model=up.model, messages=ask())
    assert caught.value.status_code == 429
    assert caught.value.response.headers.get("x-request-id")


# ---- requests the door refuses ----------------------------------------------------------------------------------
@pytest.mark.parametrize("body, fragment", [
    ({"model": "openai/gpt-4o-mini"}, "messages"),
    ({"messages": [{"role": "user", "content": "hi"}]}, "model"),
    ({"model": "openai/gpt-4o-mini", "messages": [{"role": "wizard", "content": "hi"}]}, "wizard"),
    ({"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "n": 3}, "'n'"),
    ({"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}]}, "data URL"),
])
def test_bad_requests_are_bad_request_errors(door_gw, openai_fake, body, fragment):
    r = httpx.post(door_gw.url + "/v1/chat/completions", json=body, headers={"authorization": "Bearer x"}, timeout=10)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error" and fragment in error["message"], error
    assert set(error) == {"message", "type", "param", "code"}
    assert r.headers["x-request-id"]
    assert openai_fake.requests == []


def test_broken_json_and_unknown_model(door_gw):
    r = httpx.post(door_gw.url + "/v1/chat/completions", content=b"{not json",
                   headers={"content-type": "application/json"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"]["type"] == "invalid_request_error", r.text
    client = sdk(door_gw)
    with pytest.raises((openai.NotFoundError, openai.BadRequestError)) as caught:
        client.chat.completions.create(model="nowhere/model-x", messages=ask())
    assert "nowhere" in str(caught.value)


# ---- embeddings and models ------------------------------------------------------------------------------------
def test_embeddings_float_and_base64(door_gw, openai_fake):
    client = sdk(door_gw)
    resp = client.embeddings.create(model="openai/text-embedding-3-small", input=["hello world", "bye"],
                                    encoding_format="float")
    assert [d.index for d in resp.data] == [0, 1]
    assert resp.data[0].embedding == pytest.approx(fake_vector("hello world"), rel=1e-6)
    assert resp.usage.prompt_tokens == 3
    # The SDK's default asks for base64 (little-endian float32) and decodes it itself.
    resp = client.embeddings.create(model="openai/text-embedding-3-small", input="hello world")
    assert resp.data[0].embedding == pytest.approx(fake_vector("hello world"), rel=1e-6)
    assert openai_fake.last.json["input"] == ["hello world"]


def test_models_list_what_the_gateway_routes(door_gw):
    models = {m.id: m.owned_by for m in sdk(door_gw).models.list()}
    assert models.get(CLAUDE_ON_BEDROCK) == "bedrock" and models.get("fast") == "openai", models
    assert sdk(door_gw).models.retrieve("fast").owned_by == "openai"
    with pytest.raises(openai.NotFoundError):
        sdk(door_gw).models.retrieve("no/such-model")


def test_request_log_row(door_gw, openai_fake):
    openai_fake.enqueue(Reply(200, openai_completion("logged", prompt_tokens=13, completion_tokens=2)))
    raw = sdk(door_gw).chat.completions.with_raw_response.create(model="openai/gpt-4o-mini", messages=ask())
    request_id = raw.headers["x-request-id"]
    for _ in range(100):
        rows = [r for r in admin_get(door_gw, "/api/logs", limit=200).json()["logs"] if r["id"] == request_id]
        if rows:
            break
        time.sleep(0.05)
    assert rows, "no log row"
    row = rows[0]
    assert (row["door"], row["operation"], row["provider"], row["model_requested"], row["model_resolved"]) == \
        ("openai", "ChatCompletions", "openai", "openai/gpt-4o-mini", "gpt-4o-mini"), row
    assert (row["input_tokens"], row["output_tokens"], row["http_status"]) == (13, 2, 200), row
    assert row["cost_usd"] is not None


# ---- governance: the same keys as the Bedrock door, as bearer tokens ---------------------------------------------
ACCESS_KEY_ID = "SWYDOPENAIDOORKEY001"
SECRET = "openai-door-secret-0123456789abcdefghij"
TOKEN = f"sk-swyd-{ACCESS_KEY_ID}.{SECRET}"


def governed(gateway, tmp_path, openai_fake, anthropic_fake, **key_settings):
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(tmp_path / "data")
    key = {"name": "team", "access_key_id": ACCESS_KEY_ID, "secret": "env.SWYD_TEAM_SECRET", **key_settings}
    config["governance"] = {"enforce": True, "keys": [key]}
    return gateway(config, env={"SWYD_TEAM_SECRET": SECRET})


def counting_client(gw, api_key, max_retries=2):
    sent = []
    http = httpx.Client(event_hooks={"request": [lambda request: sent.append(request.url.path)]})
    return sdk(gw, api_key=api_key, max_retries=max_retries, http_client=http), sent


def test_a_key_is_needed_and_taken_as_a_bearer_token(gateway, tmp_path, openai_fake, anthropic_fake):
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake)
    with pytest.raises(openai.AuthenticationError) as caught:
        sdk(gw, api_key="sk-not-a-virtual-key").chat.completions.create(model="openai/gpt-4o-mini", messages=ask())
    assert caught.value.status_code == 401 and caught.value.body["type"] == "invalid_request_error"
    with pytest.raises(openai.AuthenticationError) as caught:
        sdk(gw, api_key=f"sk-swyd-{ACCESS_KEY_ID}.wrong-secret").models.list()
    assert SECRET not in gw.log_tail(400) and "wrong-secret" not in gw.log_tail(400)
    resp = sdk(gw, api_key=TOKEN).chat.completions.create(model="openai/gpt-4o-mini", messages=ask())
    assert resp.choices[0].message.content
    # The virtual key never goes up; the provider's own key does.
    assert openai_fake.last.header("authorization") == "Bearer sk-test-one"
    assert SECRET not in json.dumps(openai_fake.last.json)


def test_an_exhausted_budget_is_not_retried(gateway, tmp_path, openai_fake, anthropic_fake):
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake,
                  budgets=[{"id": "daily", "limit_usd": "0.00000001", "period": "1d"}])
    client, sent = counting_client(gw, TOKEN, max_retries=3)
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="openai/gpt-4o-mini", messages=ask(), max_tokens=100)
    assert caught.value.code == "insufficient_quota" and caught.value.response.headers["x-should-retry"] == "false"
    assert len(sent) == 1  # the SDK obeyed x-should-retry
    assert openai_fake.requests == []


def test_a_rate_limit_says_when_to_come_back(gateway, tmp_path, openai_fake, anthropic_fake):
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake, rate_limit={"requests": 1, "window_seconds": 60})
    client, _ = counting_client(gw, TOKEN, max_retries=0)
    client.chat.completions.create(model="openai/gpt-4o-mini", messages=ask())
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model="openai/gpt-4o-mini", messages=ask())
    assert caught.value.code == "rate_limit_exceeded"
    assert 0 < int(caught.value.response.headers["retry-after"]) <= 60
    assert len(openai_fake.requests) == 1


def test_allowed_models_hold_on_calls_and_listings(gateway, tmp_path, openai_fake, anthropic_fake):
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake, allowed_models=["openai/gpt-4o-mini"])
    client = sdk(gw, api_key=TOKEN)
    with pytest.raises(openai.PermissionDeniedError):
        client.chat.completions.create(model="anthropic/claude-sonnet-4-5", messages=ask())
    assert anthropic_fake.requests == []
    # Listed: what resolves to the allowed model (the alias, the Bedrock ids the built-in table sends there); no Claude.
    ids = [m.id for m in client.models.list()]
    assert "fast" in ids and not any("claude" in i or i.startswith("anthropic") for i in ids), ids


# ---- the answer cache ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5"])
def test_a_repeated_call_is_answered_from_the_cache(gateway, tmp_path, openai_fake, anthropic_fake, model):
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(tmp_path / "data")
    config["cache"] = {"enabled": True, "ttl": "5m"}
    gw = gateway(config)
    client = sdk(gw)
    first = client.chat.completions.with_raw_response.create(model=model, messages=ask("cache me"))
    second = client.chat.completions.with_raw_response.create(model=model, messages=ask("cache me"))
    assert first.headers["x-swyd-cache"] == "miss" and second.headers["x-swyd-cache"] == "hit"
    assert first.parse().choices[0].message.content == second.parse().choices[0].message.content
    fake = openai_fake if model.startswith("openai") else anthropic_fake
    assert len(fake.requests) == 1


def test_the_anthropic_door_takes_the_same_key_in_x_api_key(gateway, tmp_path, openai_fake, anthropic_fake):
    import anthropic
    gw = governed(gateway, tmp_path, openai_fake, anthropic_fake)
    client = anthropic.Anthropic(base_url=gw.url + "/anthropic", api_key=TOKEN, max_retries=0)
    answer = client.messages.create(model="openai/gpt-4o-mini", max_tokens=32, messages=[{"role": "user", "content": "hi"}])
    assert answer.content[0].text
    with pytest.raises(anthropic.AuthenticationError) as caught:
        anthropic.Anthropic(base_url=gw.url + "/anthropic", api_key="sk-ant-not-a-virtual-key", max_retries=0).messages.create(
            model="openai/gpt-4o-mini", max_tokens=32, messages=[{"role": "user", "content": "hi"}])
    assert caught.value.body["error"]["type"] == "authentication_error"
    assert SECRET not in json.dumps(openai_fake.last.json) and openai_fake.last.header("authorization") == "Bearer sk-test-one"
