"""Model routing (prefixes, aliases, custom providers, env-var mode) and key selection."""
from collections import Counter

from fakes.anthropic_fake import anthropic_message
from fakes.base import Reply
from helpers import default_config, provider, user

OPENAI_TEXT = [{"text": "Hello from fake OpenAI."}]
ANTHROPIC_TEXT = [{"text": "Hello from fake Anthropic."}]


def test_alias_routes_to_its_target(client, openai_fake):
    resp = client.converse(modelId="fast", messages=[user("Hi")])
    assert resp["output"]["message"]["content"] == OPENAI_TEXT
    req = openai_fake.last
    assert req.json["model"] == "gpt-4o-mini"
    assert req.header("authorization") == "Bearer sk-test-one"


def test_custom_openai_type_provider(client, openai_fake):
    resp = client.converse(modelId="groq/llama-3.1-8b", messages=[user("Hi")])
    assert resp["output"]["message"]["content"] == OPENAI_TEXT
    req = openai_fake.last
    assert req.path == "/v1/chat/completions"
    assert req.json["model"] == "llama-3.1-8b"
    assert req.header("authorization") == "Bearer gsk-test"


def test_model_id_with_colon_and_keyless_provider(client, openai_fake):
    resp = client.converse(modelId="ollama/llama3.2:1b", messages=[user("Hi")])
    assert resp["output"]["message"]["content"] == OPENAI_TEXT
    req = openai_fake.last
    assert req.json["model"] == "llama3.2:1b"
    assert req.header("authorization") is None


def test_model_name_keeps_later_slashes(client, openai_fake):
    resp = client.converse(modelId="groq/meta-llama/llama-4-scout", messages=[user("Hi")])
    assert resp["output"]["message"]["content"] == OPENAI_TEXT
    assert openai_fake.last.json["model"] == "meta-llama/llama-4-scout"
    assert openai_fake.last.header("authorization") == "Bearer gsk-test"


def test_custom_anthropic_type_provider_and_env_key(gateway, openai_fake, anthropic_fake):
    cfg = default_config(openai_fake, anthropic_fake)
    cfg["providers"]["claude-proxy"] = provider(anthropic_fake.url, [{"name": "p1", "value": "env.TEST_PROXY_KEY"}],
                                                type="anthropic")
    gw = gateway(cfg, env={"TEST_PROXY_KEY": "sk-ant-from-env"})
    anthropic_fake.enqueue(Reply(200, anthropic_message("via proxy")))
    resp = gw.client().converse(modelId="claude-proxy/claude-haiku-4-5", messages=[user("Hi")])
    assert resp["output"]["message"]["content"] == [{"text": "via proxy"}]
    req = anthropic_fake.last
    assert req.path == "/v1/messages"
    assert req.json["model"] == "claude-haiku-4-5"
    assert req.header("x-api-key") == "sk-ant-from-env"


def test_env_var_mode_without_config(gateway, openai_fake, anthropic_fake):
    oa = openai_fake.url + "/v1"
    gw = gateway(None, env={
        "OPENAI_API_KEY": "sk-env-openai", "OPENAI_BASE_URL": oa,
        "ANTHROPIC_API_KEY": "sk-env-anthropic", "ANTHROPIC_BASE_URL": anthropic_fake.url,
        "MISTRAL_API_KEY": "sk-env-mistral", "MISTRAL_BASE_URL": oa,
        "OLLAMA_BASE_URL": oa,
    })
    c = gw.client()
    assert c.converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])["output"]["message"]["content"] == \
        OPENAI_TEXT
    assert (openai_fake.last.json["model"], openai_fake.last.header("authorization")) == \
        ("gpt-4o-mini", "Bearer sk-env-openai")

    assert c.converse(modelId="anthropic/claude-sonnet-4-5", messages=[user("Hi")])["output"]["message"][
        "content"] == ANTHROPIC_TEXT
    assert (anthropic_fake.last.json["model"], anthropic_fake.last.header("x-api-key")) == \
        ("claude-sonnet-4-5", "sk-env-anthropic")
    assert anthropic_fake.last.header("anthropic-version") == "2023-06-01"

    c.converse(modelId="mistral/mistral-large-latest", messages=[user("Hi")])
    assert (openai_fake.last.json["model"], openai_fake.last.header("authorization")) == \
        ("mistral-large-latest", "Bearer sk-env-mistral")

    resp = c.converse(modelId="ollama/llama3.2:1b", messages=[user("Hi")])
    assert resp["output"]["message"]["content"] == OPENAI_TEXT
    assert openai_fake.last.json["model"] == "llama3.2:1b"
    assert openai_fake.last.header("authorization") is None
    assert len(openai_fake.requests) == 3 and len(anthropic_fake.requests) == 1


# ---- keys ---------------------------------------------------------------------------------------------------
def keyed_config(openai_fake, anthropic_fake, keys: list[dict]) -> dict:
    cfg = default_config(openai_fake, anthropic_fake)
    cfg["providers"]["openai"]["keys"] = keys
    return cfg


def used_keys(fake) -> Counter:
    return Counter(r.header("authorization") for r in fake.requests)


def test_weighted_keys_are_all_used(gateway, openai_fake, anthropic_fake):
    gw = gateway(keyed_config(openai_fake, anthropic_fake, [
        {"name": "heavy", "value": "sk-heavy", "weight": 3}, {"name": "light", "value": "sk-light", "weight": 1}]))
    c = gw.client()
    for _ in range(40):
        assert c.converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])["output"]["message"]["content"] == \
            OPENAI_TEXT
    counts = used_keys(openai_fake)
    assert set(counts) == {"Bearer sk-heavy", "Bearer sk-light"}, counts  # P(one unused) < 1e-4
    assert sum(counts.values()) == 40


def test_model_allow_lists(gateway, openai_fake, anthropic_fake):
    gw = gateway(keyed_config(openai_fake, anthropic_fake, [
        {"name": "mini", "value": "sk-mini", "models": ["gpt-4o-mini"]},
        {"name": "big", "value": "sk-big", "models": ["gpt-4o"]},
        {"name": "any", "value": "sk-any", "weight": 1, "models": []}]))
    c = gw.client()
    for model in ["gpt-4o-mini", "gpt-4o", "o3-mini"] * 10:
        c.converse(modelId=f"openai/{model}", messages=[user("Hi")])
    by_model: dict[str, set] = {}
    for r in openai_fake.requests:
        by_model.setdefault(r.json["model"], set()).add(r.header("authorization"))
    assert by_model["gpt-4o-mini"] <= {"Bearer sk-mini", "Bearer sk-any"}, by_model
    assert by_model["gpt-4o"] <= {"Bearer sk-big", "Bearer sk-any"}, by_model
    assert by_model["o3-mini"] == {"Bearer sk-any"}, by_model


def test_pinned_key_header(gateway, openai_fake, anthropic_fake):
    gw = gateway(keyed_config(openai_fake, anthropic_fake, [
        {"name": "main", "value": "sk-main", "weight": 100}, {"name": "pinned", "value": "sk-pinned", "weight": 1}]))
    pinned = gw.client(headers={"x-bf-api-key": "pinned"})
    for _ in range(10):
        resp = pinned.converse(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
        assert resp["output"]["message"]["content"] == OPENAI_TEXT
    resp = pinned.converse_stream(modelId="openai/gpt-4o-mini", messages=[user("Hi")])
    assert any("messageStop" in e for e in resp["stream"])
    assert used_keys(openai_fake) == Counter({"Bearer sk-pinned": 11})
