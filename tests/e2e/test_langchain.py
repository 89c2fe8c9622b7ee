"""LangChain's ChatBedrockConverse (langchain-aws) with a virtual key as its AWS credentials, on a gateway that enforces
keys: it invokes and streams with no code change beyond `endpoint_url`, and a wrong secret fails with boto3's error."""
from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from langchain_aws import ChatBedrockConverse

from conftest import start_gateway
from helpers import default_config

KEY_ID = "SWYDLANGCHAINKEY0001"
SECRET = "langchain-key-secret-0123456789abcdefghij"
MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"  # a Bedrock id: the built-in table sends it to the Anthropic fake


@pytest.fixture(scope="module")
def enforced(tmp_path_factory, openai_fake, anthropic_fake):
    work = tmp_path_factory.mktemp("langchain")
    config = default_config(openai_fake, anthropic_fake)
    config["server"]["data_dir"] = str(work / "data")
    config["governance"] = {"enforce": True, "keys": [
        {"name": "langchain", "access_key_id": KEY_ID, "secret": "env.LANGCHAIN_KEY_SECRET"}]}
    gw = start_gateway(work / "gw", config, env={"LANGCHAIN_KEY_SECRET": SECRET})
    yield gw
    gw.stop()


def chat(gw, secret: str = SECRET) -> ChatBedrockConverse:
    return ChatBedrockConverse(
        model=MODEL, region_name="us-west-2", endpoint_url=gw.bedrock_url,
        aws_access_key_id=KEY_ID, aws_secret_access_key=secret, max_tokens=64, temperature=0.2,
        config=Config(retries={"total_max_attempts": 1}))


def test_invoke_with_the_key_as_credentials(enforced, anthropic_fake):
    answer = chat(enforced).invoke("Hello from LangChain")
    assert answer.content == "Hello from fake Anthropic."
    assert (answer.usage_metadata["input_tokens"], answer.usage_metadata["output_tokens"]) != (0, 0)
    sent = anthropic_fake.last.json
    assert sent["model"] == "claude-3-5-sonnet-20240620" and sent["max_tokens"] == 64
    assert sent["messages"] == [{"role": "user", "content": [{"type": "text", "text": "Hello from LangChain"}]}]


def test_stream_with_the_key_as_credentials(enforced, anthropic_fake):
    chunks = list(chat(enforced).stream("Tell me a story"))
    text = "".join(c.content if isinstance(c.content, str) else "".join(p.get("text", "") for p in c.content)
                   for c in chunks)
    assert text == "Hello from fake Anthropic."
    assert len(chunks) > 1, "streamed in pieces"
    assert anthropic_fake.last.json["stream"] is True


def test_a_wrong_secret_fails_with_the_boto3_error_inside(enforced, anthropic_fake):
    with pytest.raises(Exception) as raised:
        chat(enforced, secret="x" * 40).invoke("Hello")
    error, seen = raised.value, []
    while error is not None and not isinstance(error, ClientError):
        seen.append(error)
        error = error.__cause__ or error.__context__
    assert isinstance(error, ClientError), f"no botocore ClientError in {seen!r}"
    assert error.response["Error"]["Code"] == "InvalidSignatureException"
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert anthropic_fake.requests == []
