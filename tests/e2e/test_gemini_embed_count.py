"""Gemini behind the Bedrock door's other runtime operations: embeddings (InvokeModel with a Titan or Cohere body)
and CountTokens with Gemini's own counter."""
import json

import pytest

from fakes.base import Reply
from helpers import user


@pytest.fixture(autouse=True)
def _fresh_gemini(gemini_fake):
    gemini_fake.reset()
    yield
    gemini_fake.reset()


def test_titan_embedding_body_served_by_gemini(gemini_gw, gemini_fake):
    gemini_fake.enqueue(Reply(200, {"embeddings": [{"values": [3.0, 4.0]}]}))
    resp = gemini_gw.client().invoke_model(modelId="gemini/text-embedding-004",
                                           body=json.dumps({"inputText": "hello", "dimensions": 256, "normalize": True}))
    out = json.loads(resp["body"].read())
    assert out["embedding"] == pytest.approx([0.6, 0.8])  # normalised as the Titan body asked
    sent = gemini_fake.last
    assert sent.path.split("?")[0].endswith("/models/text-embedding-004:batchEmbedContents")
    assert sent.json["requests"][0]["content"] == {"parts": [{"text": "hello"}]}
    assert sent.json["requests"][0]["outputDimensionality"] == 256
    assert "key=" not in sent.path and sent.header("x-goog-api-key")


def test_cohere_embedding_body_served_by_gemini(gemini_gw, gemini_fake):
    resp = gemini_gw.client().invoke_model(modelId="gemini/text-embedding-004",
                                           body=json.dumps({"texts": ["a", "b"], "input_type": "search_query"}))
    out = json.loads(resp["body"].read())
    assert out["embeddings"] == [[1.0, 0.0, 0.0], [2.0, 0.0, 0.0]]
    requests = gemini_fake.last.json["requests"]
    assert [r["content"]["parts"][0]["text"] for r in requests] == ["a", "b"]
    assert all(r["taskType"] == "RETRIEVAL_QUERY" for r in requests)


def test_count_tokens_uses_geminis_counter(gemini_gw, gemini_fake):
    gemini_fake.enqueue(Reply(200, {"totalTokens": 17}))
    resp = gemini_gw.client().count_tokens(
        modelId="gemini/gemini-2.0-flash",
        input={"converse": {"messages": [user("Count these words")], "system": [{"text": "Be brief."}]}})
    assert resp["inputTokens"] == 17
    sent = gemini_fake.last
    assert sent.path.split("?")[0].endswith("/models/gemini-2.0-flash:countTokens")
    request = sent.json["generateContentRequest"]
    assert request["contents"][0]["parts"] == [{"text": "Count these words"}]
    assert request["systemInstruction"]["parts"] == [{"text": "Be brief."}]
