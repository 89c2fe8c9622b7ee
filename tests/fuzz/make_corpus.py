"""Writes the seed corpus in tests/fuzz/corpus/<decoder>/: what real clients send and real upstreams answer.

Requests are serialized by botocore from its service models (the bytes boto3 puts on the wire); upstream answers
come from the e2e fakes, which speak the providers' wire formats. Run from anywhere: python3 tests/fuzz/make_corpus.py
Files under corpus/<decoder>/regressions/ are inputs that once crashed or stalled a decoder: the fuzzer's finds are
copied there as libFuzzer wrote them (this script leaves those alone); the ones below are written by regressions().
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import struct
import sys
import types
import zlib
from pathlib import Path

import botocore.session
from botocore import serialize
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
sys.path.insert(0, str(HERE.parent / "e2e"))

from fakes import anthropic_fake as anthropic  # noqa: E402
from fakes import bedrock_fake as bedrock  # noqa: E402
from fakes import gemini_fake as gemini  # noqa: E402
from fakes import openai_fake as openai  # noqa: E402

# The fakes stamp answers with the current time; a fixed one keeps the seeds the same on every run.
openai.time = types.SimpleNamespace(time=lambda: 1767225600)

SESSION = botocore.session.get_session()
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000" "1f15c4890000000d49444154789c63f8cfc0f01f0005000201ffa0e5d6c10000000049454e44ae426082")


def body(service: str, operation: str, params: dict) -> bytes:
    model = SESSION.get_service_model(service)
    request = serialize.create_serializer(model.metadata["protocol"]).serialize_to_request(
        params, model.operation_model(operation))
    return request["body"] if isinstance(request["body"], bytes) else request["body"].encode()


def write(decoder: str, name: str, data: bytes) -> None:
    directory = CORPUS / decoder
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data)


def line(header: str, data: bytes) -> bytes:
    return header.encode() + b"\n" + data


WEATHER_TOOL = {"toolSpec": {"name": "get_weather", "description": "Weather for a city",
                             "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}},
                                                      "required": ["city"]}}}}
CONVERSE_TOOLS = {
    "modelId": "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "system": [{"text": "You are terse."}, {"cachePoint": {"type": "default"}}],
    "messages": [
        {"role": "user", "content": [{"text": "What is in this picture, and the weather in Paris?"},
                                     {"image": {"format": "png", "source": {"bytes": PNG}}},
                                     {"document": {"format": "txt", "name": "notes", "source": {"bytes": b"a note"}}}]},
        {"role": "assistant", "content": [
            {"reasoningContent": {"reasoningText": {"text": "Need the tool.", "signature": "c2lnbmF0dXJl"}}},
            {"toolUse": {"toolUseId": "tooluse_1", "name": "get_weather", "input": {"city": "Paris"}}}]},
        {"role": "user", "content": [{"toolResult": {"toolUseId": "tooluse_1", "status": "success",
                                                     "content": [{"json": {"tempC": 18}}, {"text": "sunny"}]}}]},
    ],
    "inferenceConfig": {"maxTokens": 512, "temperature": 0.2, "topP": 0.9, "stopSequences": ["END"]},
    "toolConfig": {"tools": [WEATHER_TOOL, {"cachePoint": {"type": "default"}}], "toolChoice": {"auto": {}}},
    "additionalModelRequestFields": {"thinking": {"type": "enabled", "budget_tokens": 1024}, "top_k": 5},
}
CONVERSE_PLAIN = {"modelId": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": [{"text": "Hello!"}]}],
                  "toolConfig": {"tools": [WEATHER_TOOL], "toolChoice": {"tool": {"name": "get_weather"}}}}

INVOKE = {
    "anthropic": ("anthropic.claude-3-haiku-20240307-v1:0", {
        "anthropic_version": "bedrock-2023-05-31", "max_tokens": 256, "system": "Be brief.",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "Describe"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                         "data": base64.b64encode(PNG).decode()}}]},
                     {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "get_weather",
                                                        "input": {"city": "Oslo"}}]},
                     {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "cold"}]}],
        "tools": [{"name": "get_weather", "description": "Weather", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "auto"}, "temperature": 0.5, "stop_sequences": ["\n\nHuman:"]}),
    "nova": ("amazon.nova-lite-v1:0", {
        "schemaVersion": "messages-v1", "system": [{"text": "Be brief."}],
        "messages": [{"role": "user", "content": [{"text": "Hi"}, {"image": {"format": "png", "source": {
            "bytes": base64.b64encode(PNG).decode()}}}]}],
        "inferenceConfig": {"maxTokens": 100, "temperature": 0.7, "topP": 0.9, "stopSequences": ["x"]}}),
    "titan-text": ("amazon.titan-text-express-v1", {
        "inputText": "Write a haiku", "textGenerationConfig": {"maxTokenCount": 64, "temperature": 0, "topP": 1,
                                                                "stopSequences": ["User:"]}}),
    "mistral": ("mistral.mistral-7b-instruct-v0:2", {"prompt": "<s>[INST] Hi [/INST]", "max_tokens": 50,
                                                      "temperature": 0.5, "top_p": 0.9, "top_k": 50, "stop": ["</s>"]}),
    "mistral-chat": ("mistral.mistral-large-2407-v1:0", {
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather?"},
                     {"role": "assistant", "content": "", "tool_calls": [
                         {"id": "abc123def", "function": {"name": "get_weather", "arguments": "{\"city\":\"Rome\"}"}}]},
                     {"role": "tool", "tool_call_id": "abc123def", "content": "warm"}],
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather",
                                                     "parameters": {"type": "object"}}}],
        "tool_choice": "auto", "max_tokens": 100}),
    "llama": ("meta.llama3-8b-instruct-v1:0", {
        "prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\nHi<|eot_id|>", "max_gen_len": 64,
        "temperature": 0.5, "top_p": 0.9}),
    "cohere": ("cohere.command-text-v14", {"prompt": "Hi", "max_tokens": 20, "temperature": 0.3, "p": 0.9, "k": 5,
                                           "stop_sequences": ["--"], "return_likelihoods": "NONE"}),
    "cohere-chat": ("cohere.command-r-v1:0", {
        "message": "And now?", "chat_history": [{"role": "USER", "message": "Hi"}, {"role": "CHATBOT", "message": "Hello"}],
        "preamble": "Be brief.", "max_tokens": 50, "temperature": 0.3, "stop_sequences": ["END"]}),
    "titan-embed": ("amazon.titan-embed-text-v2:0", {"inputText": "embed me", "dimensions": 256, "normalize": True}),
    "cohere-embed": ("cohere.embed-english-v3", {"texts": ["one", "two"], "input_type": "search_document",
                                                 "truncate": "END", "embedding_types": ["float"]}),
}


# What the anthropic SDK sends to the Anthropic door: every block type, tools, thinking, cache_control.
ANTHROPIC_MESSAGES = {
    "model": "anthropic/claude-sonnet-4-5", "max_tokens": 2048, "temperature": 0.5, "top_p": 0.9, "top_k": 40,
    "stop_sequences": ["END"], "thinking": {"type": "enabled", "budget_tokens": 1024},
    "system": [{"type": "text", "text": "You are terse.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
    "tools": [{"name": "get_weather", "description": "Weather", "input_schema": {"type": "object", "properties": {
        "city": {"type": "string"}}}, "cache_control": {"type": "ephemeral"}}],
    "tool_choice": {"type": "auto"},
    "messages": [
        {"role": "user", "content": [
            {"type": "text", "text": "What is this, and the weather?"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(PNG).decode()}},
            {"type": "document", "title": "notes", "source": {"type": "text", "media_type": "text/plain", "data": "a note"}}]},
        {"role": "assistant", "content": [
            {"type": "thinking", "thinking": "hmm", "signature": "sig"}, {"type": "redacted_thinking", "data": "opaque"},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "is_error": False,
                                      "content": [{"type": "text", "text": "sunny"}]}]},
    ],
}


def requests() -> None:
    write("converse", "tools-images.json", body("bedrock-runtime", "Converse", CONVERSE_TOOLS))
    write("converse", "plain-tool-choice.json", body("bedrock-runtime", "Converse", CONVERSE_PLAIN))
    for family, (model_id, payload) in INVOKE.items():
        write("invoke", f"{family}.txt", line(model_id, json.dumps(payload).encode()))
    converse_input = {k: v for k, v in CONVERSE_TOOLS.items() if k in ("messages", "system", "toolConfig")}
    write("count-tokens", "converse.txt", line("anthropic.claude-3-5-sonnet-20240620-v1:0", body(
        "bedrock-runtime", "CountTokens", {"modelId": "m", "input": {"converse": converse_input}})))
    anthropic_id, anthropic_body = INVOKE["anthropic"]
    write("count-tokens", "invoke-model.txt", line(anthropic_id, body(
        "bedrock-runtime", "CountTokens",
        {"modelId": "m", "input": {"invokeModel": {"body": json.dumps(anthropic_body).encode()}}})))
    write("anthropic-messages", "tools-images-thinking.json", json.dumps(ANTHROPIC_MESSAGES).encode())
    write("anthropic-messages", "stream-string-content.json", json.dumps({
        "max_tokens": 64, "stream": True, "system": "Be brief.", "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": "Hi"}], "metadata": {"user_id": "u-1"}}).encode())
    write("batch-job-create", "create.json", body("bedrock", "CreateModelInvocationJob", {
        "jobName": "nightly-eval-1", "roleArn": "arn:aws:iam::123456789012:role/BedrockBatch",
        "clientRequestToken": "token-0001", "modelId": "anthropic.claude-3-haiku-20240307-v1:0",
        "inputDataConfig": {"s3InputDataConfig": {"s3Uri": "s3://in-bucket/records.jsonl", "s3InputFormat": "JSONL"}},
        "outputDataConfig": {"s3OutputDataConfig": {"s3Uri": "s3://out-bucket/results/"}},
        "timeoutDurationInHours": 24, "tags": [{"key": "team", "value": "eval"}]}))
    write("s3-xml", "delete-objects.xml", body("s3", "DeleteObjects", {"Bucket": "b", "Delete": {
        "Objects": [{"Key": "a.jsonl"}, {"Key": "dir/b &amp; c.txt"}, {"Key": "ü/é"}], "Quiet": False}}))
    write("s3-xml", "complete-multipart-upload.xml", body("s3", "CompleteMultipartUpload", {
        "Bucket": "b", "Key": "k", "UploadId": "u", "MultipartUpload": {"Parts": [
            {"PartNumber": 1, "ETag": '"9b2cf535f27731c974343645a3985328"', "ChecksumCRC32": "AAAAAA=="},
            {"PartNumber": 2, "ETag": '"d41d8cd98f00b204e9800998ecf8427e"'}]}}))


def aws_chunked() -> None:
    payload = b"".join(b'{"recordId":"%d","modelInput":{}}\n' % i for i in range(40))
    wrapper = AwsChunkedWrapper(io.BytesIO(payload), checksum_cls=Crc32Checksum,
                                checksum_name="x-amz-checksum-crc32", chunk_size=512)
    write("aws-chunked", "crc32-trailer.bin", wrapper.read())
    # The SigV4-signed streaming form (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) puts a signature extension on every
    # chunk; the gateway does not check it, so any 64 hex digits stand in.
    signed = b""
    for piece in (payload[:300], payload[300:], b""):
        signature = hashlib.sha256(piece).hexdigest().encode()
        signed += b"%x;chunk-signature=%s\r\n%s\r\n" % (len(piece), signature, piece)
    write("aws-chunked", "chunk-signatures.bin", signed)


def event_streams() -> None:
    write("event-stream", "converse-stream.bin", b"".join(bedrock.converse_stream_frames(["Hel", "lo"])))
    write("event-stream", "invoke-chunks-exception.bin", bedrock.chunk({"type": "message_start"})
          + bedrock.exception("throttlingException", "slow down"))


def upstream_answers() -> None:
    tool = openai.tool_call("call_1", "get_weather", {"city": "Paris"})
    write("provider-answer", "openai.txt", line("openai", json.dumps(
        openai.openai_completion("It is sunny.", tool_calls=[tool], reasoning="thinking", cached_tokens=3)).encode()))
    write("provider-answer", "anthropic.txt", line("anthropic", json.dumps(anthropic.anthropic_message(
        [anthropic.thinking_block("hmm", "sig"), anthropic.text_block("Hi"),
         anthropic.tool_use_block("toolu_1", "get_weather", {"city": "Paris"})], cache_read=4)).encode()))
    write("provider-answer", "gemini.txt", line("gemini", json.dumps(gemini.gemini_response(
        [gemini.thought_part("hmm", "sig"), gemini.text_part("Hi"), gemini.function_call_part("get_weather", {"city": "Rome"})],
        cached_tokens=2, thoughts_tokens=3)).encode()))
    write("provider-answer", "bedrock.txt", line("bedrock", json.dumps(bedrock.converse_answer()).encode()))

    write("provider-stream", "openai.txt", line("openai", b"".join(openai.openai_stream_events_for(
        ["Hel", "lo"], reasoning=["th", "ink"]))))
    write("provider-stream", "anthropic.txt", line("anthropic", b"".join(anthropic.anthropic_stream_events_for(
        ["Hel", "lo"], thinking=["hm"], signature="sig", tool_use=[("toolu_1", "get_weather", ['{"ci', 'ty":"Oslo"}'])]))))
    write("provider-stream", "gemini.txt", line("gemini", b"".join(gemini.gemini_stream_events_for(["Hel", "lo"]))))
    write("provider-stream", "bedrock.txt", line("bedrock", b"".join(bedrock.converse_stream_frames(["Hel", "lo"]))))

    write("sse", "openai.txt", b"".join(openai.openai_stream_events_for(["Hel", "lo"])))
    write("sse", "anthropic-crlf.txt", b"".join(anthropic.anthropic_stream_events_for(["Hi"])).replace(b"\n", b"\r\n"))
    write("sse", "comments-multiline.txt", b": keep-alive\r\nevent: a\rdata: one\ndata:two\n\nid: 3\nretry: 10\ndata")


def regressions() -> None:
    # 26 214 distinct 3-letter boolean headers fill the 128 KiB header limit; the duplicate check was quadratic.
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    headers = b"".join(b"\x03" + bytes([alphabet[i // 4096], alphabet[i // 64 % 64], alphabet[i % 64]]) + b"\x00"
                       for i in range(128 * 1024 // 5))
    prelude = struct.pack(">II", 12 + len(headers) + 4, len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + headers
    write("event-stream/regressions", "distinct-headers-at-the-limit.bin", message + struct.pack(">I", zlib.crc32(message)))


if __name__ == "__main__":
    requests()
    aws_chunked()
    event_streams()
    upstream_answers()
    regressions()
    print("\n".join(sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file())))
