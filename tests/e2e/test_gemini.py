"""Converse and ConverseStream through a Gemini API upstream (`gemini/<model>`)."""
import json
import re

import pytest
import requests

from fakes.base import Reply, Stream
from fakes.gemini_fake import (blocked_prompt_response, function_call_part, gemini_error, gemini_response,
                               gemini_stream, gemini_stream_error_event, gemini_stream_events_for, text_part,
                               thought_part)
from helpers import (drop_after_seen, B64, GEMINI_KEY, PDF, PNG, STREAM_ERROR_CODES, WEATHER_TOOL, assert_metrics, assert_usage,
                     assistant, blocks_of, check_stream, collect, collect_until_error, default_config, event_name,
                     raises_client_error, stop_reason, text_deltas, usage_of, user)

MODEL = "gemini/gemini-2.0-flash"
TIME_TOOL = {"toolSpec": {"name": "get_time", "description": "Local time in a city",
                          "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}},
                                                   "required": ["city"]}}}}
TOOL_USE_ID = re.compile(r"[a-zA-Z0-9_.:-]{1,64}")  # Converse's own rule: the ids must survive the next request


@pytest.fixture(autouse=True)
def _fresh_gemini(gemini_fake):
    gemini_fake.reset()
    yield
    gemini_fake.reset()


@pytest.fixture
def client(gemini_gw):
    """A boto3 client of the gateway whose `gemini` provider is the fake."""
    return gemini_gw.client()


def assert_gemini_request(req, method="generateContent", model="gemini-2.0-flash"):
    path, _, query = req.path.partition("?")
    assert (req.method, path) == ("POST", f"/v1beta/models/{model}:{method}")
    assert query == ("alt=sse" if method == "streamGenerateContent" else "")
    assert req.header("x-goog-api-key") == GEMINI_KEY
    # URLs end up in access logs: the key travels in the header only.
    assert GEMINI_KEY not in req.path and "key=" not in req.path
    assert req.header("authorization") is None


# ---- Converse -----------------------------------------------------------------------------------------------
def test_text_with_system_and_inference_config(client, gemini_fake):
    gemini_fake.enqueue(Reply(200, gemini_response("Hi there!", prompt_tokens=12, candidates_tokens=3)))
    resp = client.converse(
        modelId=MODEL,
        system=[{"text": "Be brief."}, {"text": "Answer in English."}],
        messages=[user("Hello")],
        inferenceConfig={"maxTokens": 100, "temperature": 0.5, "topP": 0.9, "stopSequences": ["END"]},
    )
    assert resp["output"]["message"] == {"role": "assistant", "content": [{"text": "Hi there!"}]}
    assert resp["stopReason"] == "end_turn"
    assert_usage(resp["usage"], input=12, output=3)
    assert_metrics(resp["metrics"])

    req = gemini_fake.last
    assert_gemini_request(req)
    body = req.json
    assert body["systemInstruction"] == {"parts": [{"text": "Be brief."}, {"text": "Answer in English."}]}
    assert body["contents"] == [{"role": "user", "parts": [{"text": "Hello"}]}]
    config = body["generationConfig"]
    assert config["maxOutputTokens"] == 100
    assert config["temperature"] == pytest.approx(0.5)
    assert config["topP"] == pytest.approx(0.9)
    assert config["stopSequences"] == ["END"]
    assert "thinkingConfig" not in config
    for absent in ("tools", "toolConfig", "model", "stream"):
        assert absent not in body, body


def test_multi_turn_tool_use_round_trip(client, gemini_fake):
    tools = {"tools": [WEATHER_TOOL, TIME_TOOL], "toolChoice": {"auto": {}}}
    gemini_fake.enqueue(Reply(200, gemini_response(
        [text_part("Let me check both."), function_call_part("get_weather", {"city": "Paris"}),
         function_call_part("get_time", {"city": "Paris"})], prompt_tokens=80, candidates_tokens=20)))
    first = [user("Weather and time in Paris?")]
    resp = client.converse(modelId=MODEL, messages=first, toolConfig=tools)
    assert resp["stopReason"] == "tool_use"
    assert_usage(resp["usage"], input=80, output=20)
    text, weather, time_ = resp["output"]["message"]["content"]
    assert text == {"text": "Let me check both."}
    weather, time_ = weather["toolUse"], time_["toolUse"]
    assert (weather["name"], weather["input"]) == ("get_weather", {"city": "Paris"})
    assert (time_["name"], time_["input"]) == ("get_time", {"city": "Paris"})
    assert weather["toolUseId"] != time_["toolUseId"]
    assert TOOL_USE_ID.fullmatch(weather["toolUseId"]) and TOOL_USE_ID.fullmatch(time_["toolUseId"])

    body = gemini_fake.last.json
    assert_gemini_request(gemini_fake.last)
    assert body["tools"] == [{"functionDeclarations": [
        {"name": "get_weather", "description": "Current weather for a city",
         "parameters": WEATHER_TOOL["toolSpec"]["inputSchema"]["json"]},
        {"name": "get_time", "description": "Local time in a city",
         "parameters": TIME_TOOL["toolSpec"]["inputSchema"]["json"]}]}]
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "AUTO"}}

    # The results come back in the other order; each must reach Gemini under its own function's name.
    gemini_fake.enqueue(Reply(200, gemini_response("Sunny and 21°C; it is noon.")))
    resp2 = client.converse(modelId=MODEL, toolConfig=tools, messages=first + [
        resp["output"]["message"],
        user({"toolResult": {"toolUseId": time_["toolUseId"], "content": [{"text": "12:00"}]}},
             {"toolResult": {"toolUseId": weather["toolUseId"], "content": [{"json": {"temp": 21, "sky": "clear"}}]}}),
    ])
    assert resp2["output"]["message"]["content"] == [{"text": "Sunny and 21°C; it is noon."}]
    assert resp2["stopReason"] == "end_turn"

    assert len(gemini_fake.requests) == 2
    contents = gemini_fake.last.json["contents"]
    assert [c["role"] for c in contents] == ["user", "model", "user"], contents
    assert contents[1]["parts"] == [
        {"text": "Let me check both."},
        {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
        {"functionCall": {"name": "get_time", "args": {"city": "Paris"}}},
    ]
    assert contents[2]["parts"] == [
        {"functionResponse": {"name": "get_time", "response": {"content": "12:00"}}},
        {"functionResponse": {"name": "get_weather", "response": {"temp": 21, "sky": "clear"}}},
    ]


def test_tool_ids_stay_unique_across_turns(client, gemini_fake):
    gemini_fake.enqueue(Reply(200, gemini_response([function_call_part("get_weather", {"city": "Rome"})])))
    history = [user("Weather in Paris?"),
               assistant({"toolUse": {"toolUseId": "get_weather_0", "name": "get_weather", "input": {"city": "Paris"}}}),
               user({"toolResult": {"toolUseId": "get_weather_0", "content": [{"text": "sunny"}]}}, "And Rome?")]
    resp = client.converse(modelId=MODEL, messages=history, toolConfig={"tools": [WEATHER_TOOL]})
    (block,) = resp["output"]["message"]["content"]
    assert block["toolUse"]["toolUseId"] != "get_weather_0"
    assert TOOL_USE_ID.fullmatch(block["toolUse"]["toolUseId"])
    parts = gemini_fake.last.json["contents"][2]["parts"]
    assert parts == [{"functionResponse": {"name": "get_weather", "response": {"content": "sunny"}}},
                     {"text": "And Rome?"}]


@pytest.mark.parametrize("choice,expected", [
    ({"any": {}}, {"mode": "ANY"}),
    ({"tool": {"name": "get_weather"}}, {"mode": "ANY", "allowedFunctionNames": ["get_weather"]}),
])
def test_tool_choice_and_error_tool_result(client, gemini_fake, choice, expected):
    gemini_fake.enqueue(Reply(200, gemini_response("Sorry, I could not find that city.")))
    resp = client.converse(
        modelId=MODEL,
        messages=[
            user("Weather in Atlantis?"),
            # An id another provider chose: the name still comes from the tool use earlier in the conversation.
            assistant({"toolUse": {"toolUseId": "tooluse_Xy9", "name": "get_weather", "input": {"city": "Atlantis"}}}),
            user({"toolResult": {"toolUseId": "tooluse_Xy9", "status": "error",
                                 "content": [{"text": "city not found"}]}}),
        ],
        toolConfig={"tools": [WEATHER_TOOL], "toolChoice": choice},
    )
    assert resp["output"]["message"]["content"] == [{"text": "Sorry, I could not find that city."}]
    assert resp["stopReason"] == "end_turn"

    body = gemini_fake.last.json
    assert_gemini_request(gemini_fake.last)
    assert body["toolConfig"] == {"functionCallingConfig": expected}
    contents = body["contents"]
    assert contents[1] == {"role": "model", "parts": [
        {"functionCall": {"name": "get_weather", "args": {"city": "Atlantis"}}}]}
    assert contents[2] == {"role": "user", "parts": [
        {"functionResponse": {"name": "get_weather", "response": {"error": "city not found"}}}]}


def test_tool_schemas_are_cleaned_for_gemini(client, gemini_fake):
    strict = {"toolSpec": {"name": "search", "description": "Search the web", "inputSchema": {"json": {
        "$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "additionalProperties": False,
        "properties": {"query": {"type": "string", "minLength": 1},
                       "site": {"type": ["string", "null"], "format": "hostname"}},
        "required": ["query"]}}}}
    no_params = {"toolSpec": {"name": "now", "inputSchema": {"json": {"type": "object", "properties": {}}}}}
    gemini_fake.enqueue(Reply(200, gemini_response("ok")))
    client.converse(modelId=MODEL, messages=[user("Find it")], toolConfig={"tools": [strict, no_params]})
    (declarations,) = gemini_fake.last.json["tools"]
    assert declarations["functionDeclarations"] == [
        {"name": "search", "description": "Search the web", "parameters": {
            "type": "object", "required": ["query"],
            "properties": {"query": {"type": "string", "minLength": 1}, "site": {"type": "string", "nullable": True}}}},
        {"name": "now"},
    ]


def test_image_and_documents(client, gemini_fake):
    gemini_fake.enqueue(Reply(200, gemini_response("A tiny image, a report and some notes.")))
    resp = client.converse(modelId=MODEL, messages=[user(
        "Describe these.",
        {"image": {"format": "png", "source": {"bytes": PNG}}},
        {"document": {"format": "pdf", "name": "report", "source": {"bytes": PDF}}},
        {"document": {"format": "txt", "name": "notes", "source": {"bytes": b"remember the milk"}}},
    )])
    assert resp["output"]["message"]["content"] == [{"text": "A tiny image, a report and some notes."}]

    assert_gemini_request(gemini_fake.last)
    (content,) = gemini_fake.last.json["contents"]
    assert content == {"role": "user", "parts": [
        {"text": "Describe these."},
        {"inlineData": {"mimeType": "image/png", "data": B64(PNG)}},
        {"inlineData": {"mimeType": "application/pdf", "data": B64(PDF)}},
        {"inlineData": {"mimeType": "text/plain", "data": B64(b"remember the milk")}},
    ]}


def test_thinking_usage_and_signature_round_trip(client, gemini_fake):
    thinking = {"thinking": {"type": "enabled", "budget_tokens": 2048}}
    gemini_fake.enqueue(Reply(200, gemini_response(
        [thought_part("2+2 ", None), thought_part("is 4.", "c2lnLXRob3VnaHQ="), text_part("The answer is 4.")],
        prompt_tokens=100, candidates_tokens=20, cached_tokens=40, thoughts_tokens=30)))
    resp = client.converse(modelId=MODEL, messages=[user("What is 2+2?")], inferenceConfig={"maxTokens": 4096},
                           additionalModelRequestFields=thinking)
    message = resp["output"]["message"]
    assert message["content"] == [
        {"reasoningContent": {"reasoningText": {"text": "2+2 is 4.", "signature": "c2lnLXRob3VnaHQ="}}},
        {"text": "The answer is 4."},
    ]
    # Cached tokens are not input; thoughts are output.
    assert_usage(resp["usage"], input=60, output=50, cache_read=40)

    body = gemini_fake.last.json
    assert body["generationConfig"] == {"maxOutputTokens": 4096,
                                        "thinkingConfig": {"thinkingBudget": 2048, "includeThoughts": True}}
    assert "thinking" not in body

    gemini_fake.enqueue(Reply(200, gemini_response("Yes.")))
    client.converse(modelId=MODEL, messages=[user("What is 2+2?"), message, user("Sure?")],
                    additionalModelRequestFields=thinking)
    contents = gemini_fake.last.json["contents"]
    assert contents[1] == {"role": "model", "parts": [
        {"text": "2+2 is 4.", "thought": True, "thoughtSignature": "c2lnLXRob3VnaHQ="},
        {"text": "The answer is 4."}]}


def test_signed_function_call_gets_its_signature_back(client, gemini_fake):
    # Gemini 3 signs function calls and refuses the next turn if the signature is not on the call.
    gemini_fake.enqueue(Reply(200, gemini_response([function_call_part("get_weather", {"city": "Oslo"}, "ZmMtc2ln")])))
    resp = client.converse(modelId=MODEL, messages=[user("Weather in Oslo?")], toolConfig={"tools": [WEATHER_TOOL]})
    message = resp["output"]["message"]
    signature, call = message["content"]
    assert signature == {"reasoningContent": {"reasoningText": {"text": "", "signature": "ZmMtc2ln"}}}
    assert (call["toolUse"]["name"], call["toolUse"]["input"]) == ("get_weather", {"city": "Oslo"})
    assert resp["stopReason"] == "tool_use"

    gemini_fake.enqueue(Reply(200, gemini_response("Cold.")))
    client.converse(modelId=MODEL, toolConfig={"tools": [WEATHER_TOOL]}, messages=[
        user("Weather in Oslo?"), message,
        user({"toolResult": {"toolUseId": call["toolUse"]["toolUseId"], "content": [{"json": {"temp": -3}}]}})])
    contents = gemini_fake.last.json["contents"]
    assert contents[1]["parts"] == [
        {"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}, "thoughtSignature": "ZmMtc2ln"}]
    assert contents[2]["parts"] == [{"functionResponse": {"name": "get_weather", "response": {"temp": -3}}}]


def test_additional_model_request_fields(client, gemini_fake):
    safety = [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_NONE"}]
    gemini_fake.enqueue(Reply(200, gemini_response('{"ok": true}')))
    client.converse(modelId=MODEL, messages=[user("JSON please")], inferenceConfig={"temperature": 0.7},
                    additionalModelRequestFields={
                        "top_k": 40, "safetySettings": safety,
                        "generationConfig": {"responseMimeType": "application/json", "seed": 7},
                        "anthropic_beta": ["x-beta"], "reasoning_effort": "low"})
    body = gemini_fake.last.json
    assert body["generationConfig"] == {"temperature": pytest.approx(0.7), "topK": 40,
                                        "responseMimeType": "application/json", "seed": 7}
    assert body["safetySettings"] == safety
    for dropped in ("top_k", "anthropic_beta", "reasoning_effort", "seed"):
        assert dropped not in body, body


@pytest.mark.parametrize("finish,expected", [
    ("STOP", "end_turn"), ("MAX_TOKENS", "max_tokens"), ("SAFETY", "content_filtered"),
    ("RECITATION", "content_filtered"), ("BLOCKLIST", "content_filtered"), ("PROHIBITED_CONTENT", "content_filtered"),
    ("SPII", "content_filtered"), ("MALFORMED_FUNCTION_CALL", "malformed_tool_use"),
])
def test_finish_reason_mapping(client, gemini_fake, finish, expected):
    gemini_fake.enqueue(Reply(200, gemini_response("partial", finish_reason=finish)))
    resp = client.converse(modelId=MODEL, messages=[user("Hi")])
    assert resp["stopReason"] == expected
    assert resp["output"]["message"]["content"] == [{"text": "partial"}]
    assert_gemini_request(gemini_fake.last)


def test_blocked_prompt_is_content_filtered(client, gemini_fake):
    gemini_fake.enqueue(Reply(200, blocked_prompt_response("PROHIBITED_CONTENT", prompt_tokens=8)))
    resp = client.converse(modelId=MODEL, messages=[user("Something bad")])
    assert resp["stopReason"] == "content_filtered"
    assert resp["output"]["message"]["content"] == []
    assert_usage(resp["usage"], input=8, output=0)
    assert_gemini_request(gemini_fake.last)


def test_custom_provider_name_with_gemini_type(gateway, openai_fake, anthropic_fake, gemini_fake):
    config = default_config(openai_fake, anthropic_fake)
    config["providers"]["google"] = {"type": "gemini", "base_url": gemini_fake.url + "/v1beta/",
                                     "keys": [{"value": GEMINI_KEY}], "max_retries": 0}
    gemini_fake.enqueue(Reply(200, gemini_response("From a custom name.")))
    resp = gateway(config).client().converse(modelId="google/gemini-2.5-pro", messages=[user("Hi")])
    assert resp["output"]["message"]["content"] == [{"text": "From a custom name."}]
    assert_gemini_request(gemini_fake.last, model="gemini-2.5-pro")


# ---- upstream errors ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("status,code", [
    (400, "ValidationException"), (404, "ResourceNotFoundException"), (429, "ThrottlingException"),
    (500, "InternalServerException"), (503, "ServiceUnavailableException"),
])
def test_upstream_status_mapping(client, gemini_fake, status, code):
    gemini_fake.enqueue(gemini_error(status, f"upstream said {status}"))
    with raises_client_error(code, status) as raised:
        client.converse(modelId=MODEL, messages=[user("Hi")])
    assert f"upstream said {status}" in raised.value.response["Error"]["Message"]
    assert len(gemini_fake.requests) == 1  # max_retries: 0
    assert_gemini_request(gemini_fake.last)


@pytest.mark.parametrize("status,message", [
    (403, f"Permission denied: Consumer 'api_key:{GEMINI_KEY}' has been suspended."),
    # Gemini answers a wrong key with 400 INVALID_ARGUMENT; it is still an authentication failure.
    (400, "API key not valid. Please pass a valid API key."),
])
def test_auth_errors_are_access_denied_without_the_key(gemini_gw, client, gemini_fake, status, message):
    gemini_fake.enqueue(gemini_error(status, message), gemini_error(status, message))
    with raises_client_error("AccessDeniedException", 403) as raised:
        client.converse(modelId=MODEL, messages=[user("Hi")])
    assert GEMINI_KEY not in json.dumps(raised.value.response, default=str)
    assert GEMINI_KEY[:12] not in json.dumps(raised.value.response, default=str)

    r = requests.post(gemini_gw.converse_url(MODEL), json={"messages": [{"role": "user", "content": [{"text": "Hi"}]}]},
                      timeout=10)
    assert r.status_code == 403 and r.headers["x-amzn-ErrorType"].split(":")[0] == "AccessDeniedException"
    assert GEMINI_KEY.encode() not in r.content
    assert len(gemini_fake.requests) == 2
    assert_gemini_request(gemini_fake.requests[0])


# ---- ConverseStream -----------------------------------------------------------------------------------------
def test_text_stream(client, gemini_fake):
    gemini_fake.enqueue(gemini_stream(["Hel", "lo", " wor", "ld!"], prompt_tokens=20, candidates_tokens=7,
                                      cached_tokens=5))
    resp = client.converse_stream(modelId=MODEL, system=[{"text": "Be brief."}], messages=[user("Say hello")],
                                  inferenceConfig={"maxTokens": 50})
    events = collect(resp["stream"])
    check_stream(events)
    assert blocks_of(events) == [{"text": "Hello world!"}]
    assert text_deltas(events) == ["Hel", "lo", " wor", "ld!"]
    assert stop_reason(events) == "end_turn"
    assert_usage(usage_of(events), input=15, output=7, cache_read=5)

    req = gemini_fake.last
    assert_gemini_request(req, "streamGenerateContent")
    assert req.json["systemInstruction"] == {"parts": [{"text": "Be brief."}]}
    assert req.json["contents"] == [{"role": "user", "parts": [{"text": "Say hello"}]}]
    assert req.json["generationConfig"] == {"maxOutputTokens": 50}


def test_thinking_text_and_tool_calls_stream(client, gemini_fake):
    gemini_fake.enqueue(gemini_stream(
        "Let me check both.", thoughts=["Two cities, ", "two calls."], thought_signature="dGhvdWdodA==",
        function_calls=[("get_weather", {"city": "Paris"}, "ZmMx"), ("get_weather", {"city": "Rome", "day": "today"}, None)],
        prompt_tokens=50, candidates_tokens=30, thoughts_tokens=12))
    resp = client.converse_stream(modelId=MODEL, messages=[user("Weather in Paris and Rome?")],
                                  toolConfig={"tools": [WEATHER_TOOL], "toolChoice": {"any": {}}},
                                  additionalModelRequestFields={"thinking": {"type": "enabled", "budget_tokens": 1024}})
    events = collect(resp["stream"])
    check_stream(events)
    thought, text, call_signature, call_a, call_b = blocks_of(events)
    assert thought == {"reasoning": {"text": "Two cities, two calls.", "signature": "dGhvdWdodA=="}}
    assert text == {"text": "Let me check both."}
    assert call_signature == {"reasoning": {"signature": "ZmMx"}}
    assert (call_a["toolUse"]["toolUseId"], call_a["toolUse"]["name"]) == ("get_weather_0", "get_weather")
    assert json.loads(call_a["toolUse"]["input"]) == {"city": "Paris"}
    assert (call_b["toolUse"]["toolUseId"], call_b["toolUse"]["name"]) == ("get_weather_1", "get_weather")
    assert json.loads(call_b["toolUse"]["input"]) == {"city": "Rome", "day": "today"}
    # One whole-input delta per function call.
    tool_deltas = [e for e in events if "toolUse" in e.get("contentBlockDelta", {}).get("delta", {})]
    assert len(tool_deltas) == 2
    assert stop_reason(events) == "tool_use"
    assert_usage(usage_of(events), input=50, output=42)

    req = gemini_fake.last
    assert_gemini_request(req, "streamGenerateContent")
    assert req.json["toolConfig"] == {"functionCallingConfig": {"mode": "ANY"}}
    assert req.json["generationConfig"] == {"thinkingConfig": {"thinkingBudget": 1024, "includeThoughts": True}}


@pytest.mark.parametrize("finish,expected", [("MAX_TOKENS", "max_tokens"), ("SAFETY", "content_filtered")])
def test_stream_finish_reasons(client, gemini_fake, finish, expected):
    gemini_fake.enqueue(gemini_stream(["cut ", "short"], finish_reason=finish))
    events = collect(client.converse_stream(modelId=MODEL, messages=[user("Go")])["stream"])
    check_stream(events)
    assert stop_reason(events) == expected
    assert "".join(text_deltas(events)) == "cut short"
    assert_gemini_request(gemini_fake.last, "streamGenerateContent")


def test_stream_without_finish_reason_is_a_stream_error(client, gemini_fake):
    gemini_fake.enqueue(gemini_stream(["partial", " answer"], finish_reason=None))
    resp = client.converse_stream(modelId=MODEL, messages=[user("Go")])
    seen, err = collect_until_error(resp["stream"])
    assert err.response["Error"]["Code"] == "modelStreamErrorException", err.response
    assert event_name(seen[0]) == "messageStart"
    assert "".join(text_deltas(seen)) == "partial answer"
    assert not any("messageStop" in e for e in seen)
    assert_gemini_request(gemini_fake.last, "streamGenerateContent")


def test_dropped_upstream_connection(client, gemini_fake):
    frames = gemini_stream_events_for(["partial", " answer", " never", " finished"])
    seen, err = drop_after_seen(gemini_fake, frames, 2,
                                lambda: client.converse_stream(modelId=MODEL, messages=[user("Go")])["stream"],
                                "partial answer")
    assert err.response["Error"]["Code"] == "modelStreamErrorException", err.response
    assert "".join(text_deltas(seen)) == "partial answer"
    assert len(gemini_fake.requests) == 1  # nothing is retried once bytes were streamed
    assert_gemini_request(gemini_fake.last, "streamGenerateContent")


@pytest.mark.parametrize("code,status,expected", [
    (503, "UNAVAILABLE", "serviceUnavailableException"), (429, "RESOURCE_EXHAUSTED", "throttlingException"),
    (500, "INTERNAL", "internalServerException"),
])
def test_error_chunk_mid_stream(client, gemini_fake, code, status, expected):
    frames = gemini_stream_events_for(["partial"], finish_reason=None)
    gemini_fake.enqueue(Stream(frames + [gemini_stream_error_event(code, "The model is overloaded.", status)]))
    resp = client.converse_stream(modelId=MODEL, messages=[user("Go")])
    seen, err = collect_until_error(resp["stream"])
    assert err.response["Error"]["Code"] == expected, err.response
    assert err.response["Error"]["Code"] in STREAM_ERROR_CODES
    assert "".join(text_deltas(seen)) == "partial"
    assert not any("messageStop" in e for e in seen)
    assert_gemini_request(gemini_fake.last, "streamGenerateContent")


@pytest.mark.parametrize("status,code", [(429, "ThrottlingException"), (400, "ValidationException"),
                                         (403, "AccessDeniedException")])
def test_http_error_before_stream_is_a_normal_error(client, gemini_fake, status, code):
    gemini_fake.enqueue(gemini_error(status, f"no stream for you ({status}) {GEMINI_KEY}"))
    with raises_client_error(code, status) as raised:
        client.converse_stream(modelId=MODEL, messages=[user("Go")])
    assert f"no stream for you ({status})" in raised.value.response["Error"]["Message"]
    assert GEMINI_KEY not in json.dumps(raised.value.response, default=str)
    assert len(gemini_fake.requests) == 1
    assert_gemini_request(gemini_fake.last, "streamGenerateContent")
