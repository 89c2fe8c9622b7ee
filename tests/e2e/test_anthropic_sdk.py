"""The Anthropic SDK's AnthropicBedrock client, pointed at the gateway, creating and streaming messages with tools."""
import anthropic  # anthropic[bedrock], pinned in tests/requirements.txt

from fakes.anthropic_fake import anthropic_message, anthropic_stream, text_block, tool_use_block
from fakes.base import Reply

MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
TOOL = {"name": "get_weather", "description": "Weather for a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


def sdk(gw):
    return anthropic.AnthropicBedrock(aws_access_key="any", aws_secret_key="any", aws_region="us-west-2",
                                      base_url=gw.bedrock_url, max_retries=0)


def test_create_message_with_tools(gw, anthropic_fake):
    anthropic_fake.enqueue(Reply(200, anthropic_message(
        [text_block("Let me check."), tool_use_block("toolu_1", "get_weather", {"city": "Paris"})],
        input_tokens=30, output_tokens=12)))
    msg = sdk(gw).messages.create(model=MODEL, max_tokens=300, tools=[TOOL],
                                  messages=[{"role": "user", "content": "Weather in Paris?"}])
    assert msg.stop_reason == "tool_use"
    assert msg.content[0].type == "text" and msg.content[0].text == "Let me check."
    assert msg.content[1].type == "tool_use"
    assert (msg.content[1].id, msg.content[1].name, msg.content[1].input) == ("toolu_1", "get_weather", {"city": "Paris"})
    assert (msg.usage.input_tokens, msg.usage.output_tokens) == (30, 12)

    sent = anthropic_fake.last.json
    assert sent["model"] == "claude-3-5-sonnet-20240620"
    assert sent["max_tokens"] == 300
    assert sent["tools"] == [TOOL]
    assert sent["messages"][0]["role"] == "user"
    assert sent["messages"][0]["content"] in ("Weather in Paris?", [{"type": "text", "text": "Weather in Paris?"}])


def test_tool_result_round_trip(gw, anthropic_fake):
    anthropic_fake.enqueue(Reply(200, anthropic_message("It is sunny, 21°C.")))
    msg = sdk(gw).messages.create(model=MODEL, max_tokens=100, tools=[TOOL], messages=[
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                           "input": {"city": "Paris"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1",
                                      "content": [{"type": "text", "text": "sunny, 21"}]}]},
    ])
    assert msg.content[0].text == "It is sunny, 21°C."
    sent = anthropic_fake.last.json["messages"]
    assert sent[1]["content"] == [{"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]
    assert sent[2]["content"][0]["type"] == "tool_result" and sent[2]["content"][0]["tool_use_id"] == "toolu_1"
    assert sent[2]["content"][0]["content"] == [{"type": "text", "text": "sunny, 21"}]


def test_stream_message_with_tools(gw, anthropic_fake):
    anthropic_fake.enqueue(anthropic_stream(["Checking", " now."], tool_use=[("toolu_9", "get_weather", ['{"city":', '"Oslo"}'])],
                                            input_tokens=40, output_tokens=9))
    with sdk(gw).messages.stream(model=MODEL, max_tokens=200, tools=[TOOL],
                                 messages=[{"role": "user", "content": "Weather in Oslo?"}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == "Checking now."
    assert final.stop_reason == "tool_use"
    tool = [b for b in final.content if b.type == "tool_use"][0]
    assert (tool.id, tool.name, tool.input) == ("toolu_9", "get_weather", {"city": "Oslo"})
    assert final.usage.output_tokens == 9
    assert anthropic_fake.last.json["stream"] is True
    assert anthropic_fake.last.json["tools"] == [TOOL]
