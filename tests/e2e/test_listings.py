"""Model listings in AWS's shapes (boto3 `bedrock` client): what the gateway can route to, aliases included."""
import boto3
import pytest
from botocore.config import Config

from helpers import default_config, provider, raises_client_error, user


def control_client(gw):
    return boto3.client("bedrock", endpoint_url=gw.bedrock_url, region_name="eu-west-1", aws_access_key_id="any",
                        aws_secret_access_key="any", config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def listing_gw(gateway, openai_fake, anthropic_fake):
    config = default_config(openai_fake, anthropic_fake)
    del config["providers"]["ollama"], config["providers"]["groq"]  # nothing here serves Meta's models
    config["providers"]["openai"]["models"] = ["gpt-4o-mini", "text-embedding-3-small"]
    config["providers"]["anthropic"]["keys"].append({"name": "a2", "value": "sk-ant-two", "models": ["claude-sonnet-4-5"]})
    config["providers"]["restricted"] = provider(openai_fake.url + "/v1", [{"value": "sk-r", "models": ["only-this"]}],
                                                 type="openai", models=["only-this", "not-this"])
    config["aliases"]["team-claude"] = "anthropic/claude-sonnet-4-5"
    return gateway(config)


def test_list_foundation_models_shows_routable_models(listing_gw, openai_fake, anthropic_fake):
    bedrock = control_client(listing_gw)
    summaries = bedrock.list_foundation_models()["modelSummaries"]
    ids = {s["modelId"]: s for s in summaries}
    assert "openai/gpt-4o-mini" in ids and "anthropic/claude-sonnet-4-5" in ids
    assert "anthropic.claude-3-5-sonnet-20240620-v1:0" in ids  # a Bedrock id served by the first-party key
    assert "amazon.titan-embed-text-v2:0" in ids  # served by openai (built-in table)
    assert not any(i.startswith("meta.") for i in ids)  # no provider can serve Meta models in this config
    assert "restricted/only-this" in ids and "restricted/not-this" not in ids  # no key may serve it
    gpt = ids["openai/gpt-4o-mini"]
    assert gpt["modelArn"] == "arn:aws:bedrock:eu-west-1::foundation-model/openai/gpt-4o-mini"
    assert gpt["providerName"] == "OpenAI" and gpt["outputModalities"] == ["TEXT"]
    assert ids["openai/text-embedding-3-small"]["outputModalities"] == ["EMBEDDING"]
    assert ids["anthropic.claude-3-5-sonnet-20240620-v1:0"]["providerName"] == "Anthropic"

    anthropic_only = bedrock.list_foundation_models(byProvider="anthropic")["modelSummaries"]
    assert anthropic_only and all(s["providerName"] == "Anthropic" for s in anthropic_only)
    embeddings = bedrock.list_foundation_models(byOutputModality="EMBEDDING")["modelSummaries"]
    assert {s["modelId"] for s in embeddings} >= {"openai/text-embedding-3-small", "amazon.titan-embed-text-v2:0"}
    assert all(s["outputModalities"] == ["EMBEDDING"] for s in embeddings)
    assert openai_fake.requests == [] and anthropic_fake.requests == []

    # What is listed is what routes: converse with a listed Bedrock id reaches the first-party upstream.
    rt = listing_gw.client()
    rt.converse(modelId="anthropic.claude-3-5-sonnet-20240620-v1:0", messages=[user("Hi")])
    assert anthropic_fake.last.json["model"] == "claude-3-5-sonnet-20240620"


def test_get_foundation_model(listing_gw):
    bedrock = control_client(listing_gw)
    details = bedrock.get_foundation_model(modelIdentifier="openai/gpt-4o-mini")["modelDetails"]
    assert details["modelId"] == "openai/gpt-4o-mini" and details["providerName"] == "OpenAI"
    with raises_client_error("ResourceNotFoundException"):
        bedrock.get_foundation_model(modelIdentifier="nobody/nothing")


def test_inference_profiles_list_paginate_and_get(listing_gw):
    bedrock = control_client(listing_gw)
    app = bedrock.list_inference_profiles(typeEquals="APPLICATION")["inferenceProfileSummaries"]
    assert {p["inferenceProfileId"] for p in app} == {"fast", "team-claude"}
    team = next(p for p in app if p["inferenceProfileId"] == "team-claude")
    assert team["models"] == [{"modelArn": "arn:aws:bedrock:eu-west-1::foundation-model/anthropic/claude-sonnet-4-5"}]
    assert team["status"] == "ACTIVE"

    pages = list(bedrock.get_paginator("list_inference_profiles").paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) > 1 and all(len(p["inferenceProfileSummaries"]) <= 2 for p in pages)
    everything = [p for page in pages for p in page["inferenceProfileSummaries"]]
    ids = [p["inferenceProfileId"] for p in everything]
    assert len(ids) == len(set(ids))
    assert "us.anthropic.claude-3-5-sonnet-20240620-v1:0" in ids

    by_id = bedrock.get_inference_profile(inferenceProfileIdentifier="team-claude")
    assert by_id["inferenceProfileArn"] == team["inferenceProfileArn"]
    by_arn = bedrock.get_inference_profile(inferenceProfileIdentifier=team["inferenceProfileArn"])
    assert by_arn["inferenceProfileId"] == "team-claude"
    system = bedrock.get_inference_profile(inferenceProfileIdentifier="us.anthropic.claude-3-5-sonnet-20240620-v1:0")
    assert system["type"] == "SYSTEM_DEFINED"
    with raises_client_error("ResourceNotFoundException"):
        bedrock.get_inference_profile(inferenceProfileIdentifier="nope")


def test_listed_profile_ids_route(listing_gw, anthropic_fake):
    """A listed system profile id is accepted by the runtime and reaches the model it lists."""
    listing_gw.client().converse(modelId="us.anthropic.claude-3-5-sonnet-20240620-v1:0", messages=[user("Hi")])
    assert anthropic_fake.last.json["model"] == "claude-3-5-sonnet-20240620"
    listing_gw.client().converse(modelId="team-claude", messages=[user("Hi")])
    assert anthropic_fake.last.json["model"] == "claude-sonnet-4-5"


@pytest.mark.parametrize("identifier", ["arn:aws:bedrock", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/",
                                        "x" * 300])
def test_odd_profile_identifiers_are_not_found(listing_gw, identifier):
    with raises_client_error("ResourceNotFoundException"):
        control_client(listing_gw).get_inference_profile(inferenceProfileIdentifier=identifier)
    assert listing_gw.alive()
