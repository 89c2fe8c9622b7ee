import AWSWire
import Foundation
import NIOCore
import SwitchyardModel

/// Canonical answers → Chat Completions JSON, written byte by byte (this is the OpenAI door's hot path).
public enum OpenAIChatResponseWriter {
    public static func write(_ answer: ChatResponse, id: String, model: String, created: Int) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(512)
        out.writeStaticString(#"{"id":"#)
        out.writeJSONString(id)
        out.writeStaticString(#","object":"chat.completion","created":"#)
        out.writeString(String(created))
        out.writeStaticString(#","model":"#)
        out.writeJSONString(model)
        out.writeStaticString(#","choices":[{"index":0,"message":{"role":"assistant","content":"#)
        var text = ""
        var reasoning = ""
        var calls: [ToolUse] = []
        for part in answer.content {
            switch part {
            case .text(let t): text += t
            case .reasoning(.text(let t, _)): reasoning += t
            case .toolUse(let use): calls.append(use)
            default: continue
            }
        }
        if text.isEmpty, !calls.isEmpty { out.writeStaticString("null") } else { out.writeJSONString(text) }
        out.writeStaticString(#","refusal":null"#)
        if !reasoning.isEmpty {
            out.writeStaticString(#","reasoning_content":"#)
            out.writeJSONString(reasoning)
        }
        if !calls.isEmpty {
            out.writeStaticString(#","tool_calls":["#)
            for (i, call) in calls.enumerated() {
                if i > 0 { out.writeStaticString(",") }
                out.writeStaticString(#"{"id":"#)
                out.writeJSONString(call.id)
                out.writeStaticString(#","type":"function","function":{"name":"#)
                out.writeJSONString(call.name)
                out.writeStaticString(#","arguments":"#)
                out.writeJSONString(OpenAIArguments.text(call.input))
                out.writeStaticString("}}")
            }
            out.writeStaticString("]")
        }
        out.writeStaticString(#"},"logprobs":null,"finish_reason":"#)
        out.writeJSONString(finishReason(answer.stopReason))
        out.writeStaticString(#"}],"usage":"#)
        writeUsage(answer.usage, into: &out)
        out.writeStaticString("}")
        return out
    }

    /// OpenAI counts cached prompt tokens inside `prompt_tokens`; canonical usage keeps them apart.
    public static func writeUsage(_ usage: Usage, into out: inout ByteBuffer) {
        let prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens
        out.writeStaticString(#"{"prompt_tokens":"#)
        out.writeString(String(prompt))
        out.writeStaticString(#","completion_tokens":"#)
        out.writeString(String(usage.outputTokens))
        out.writeStaticString(#","total_tokens":"#)
        out.writeString(String(prompt + usage.outputTokens))
        out.writeStaticString(#","prompt_tokens_details":{"cached_tokens":"#)
        out.writeString(String(usage.cacheReadTokens))
        out.writeStaticString("}}")
    }

    public static func finishReason(_ reason: StopReason) -> String {
        switch reason {
        case .endTurn, .stopSequence, .malformedModelOutput: "stop"
        case .toolUse, .malformedToolUse: "tool_calls"
        case .maxTokens, .contextWindowExceeded: "length"
        case .guardrailIntervened, .contentFiltered: "content_filter"
        }
    }
}

/// Canonical stream events → `chat.completion.chunk` server-sent events. Tool calls are numbered in the order they
/// start, as OpenAI numbers them, whatever block index the upstream gave them.
public struct OpenAIChunkWriter: Sendable {
    let id: String
    let model: String
    let created: String
    let includeUsage: Bool
    var toolIndex: [Int: Int] = [:]

    public init(id: String, model: String, created: Int, includeUsage: Bool) {
        self.id = id
        self.model = model
        self.created = String(created)
        self.includeUsage = includeUsage
    }

    public mutating func write(_ event: StreamEvent, into out: inout ByteBuffer) {
        switch event {
        case .messageStart:
            chunk(into: &out) { $0.writeStaticString(#"{"role":"assistant","content":""}"#) }
        case .blockStart(let index, .toolUse(let callId, let name)):
            let position = toolIndex.count
            toolIndex[index] = position
            chunk(into: &out) { out in
                out.writeStaticString(#"{"tool_calls":[{"index":"#)
                out.writeString(String(position))
                out.writeStaticString(#","id":"#)
                out.writeJSONString(callId)
                out.writeStaticString(#","type":"function","function":{"name":"#)
                out.writeJSONString(name)
                out.writeStaticString(#","arguments":""}}]}"#)
            }
        case .blockDelta(_, .text(let text)):
            chunk(into: &out) { out in
                out.writeStaticString(#"{"content":"#)
                out.writeJSONString(text)
                out.writeStaticString("}")
            }
        case .blockDelta(let index, .toolInput(let json)):
            guard let position = toolIndex[index] else { return }
            chunk(into: &out) { out in
                out.writeStaticString(#"{"tool_calls":[{"index":"#)
                out.writeString(String(position))
                out.writeStaticString(#","function":{"arguments":"#)
                out.writeJSONString(json)
                out.writeStaticString("}}]}")
            }
        case .blockDelta(_, .reasoningText(let text)):
            chunk(into: &out) { out in
                out.writeStaticString(#"{"reasoning_content":"#)
                out.writeJSONString(text)
                out.writeStaticString("}")
            }
        case .blockDelta, .blockStop:
            return
        case .messageStop(let reason):
            chunk(into: &out, finishReason: OpenAIChatResponseWriter.finishReason(reason)) { $0.writeStaticString("{}") }
        case .metadata(let usage, _):
            guard includeUsage else { return }
            head(into: &out)
            out.writeStaticString(#""choices":[],"usage":"#)
            OpenAIChatResponseWriter.writeUsage(usage, into: &out)
            out.writeStaticString("}\n\n")
        }
    }

    public static func done(into out: inout ByteBuffer) {
        out.writeStaticString("data: [DONE]\n\n")
    }

    /// The error event OpenAI sends when a stream fails after its head; the SDK raises it as an `APIError`.
    public static func error(_ error: OpenAIError, into out: inout ByteBuffer) {
        out.writeStaticString("data: ")
        error.writeBody(into: &out)
        out.writeStaticString("\n\n")
    }

    private func head(into out: inout ByteBuffer) {
        out.writeStaticString(#"data: {"id":"#)
        out.writeJSONString(id)
        out.writeStaticString(#","object":"chat.completion.chunk","created":"#)
        out.writeString(created)
        out.writeStaticString(#","model":"#)
        out.writeJSONString(model)
        out.writeStaticString(",")
    }

    private func chunk(into out: inout ByteBuffer, finishReason: String? = nil, delta: (inout ByteBuffer) -> Void) {
        head(into: &out)
        out.writeStaticString(#""choices":[{"index":0,"delta":"#)
        delta(&out)
        out.writeStaticString(#","logprobs":null,"finish_reason":"#)
        if let finishReason { out.writeJSONString(finishReason) } else { out.writeStaticString("null") }
        out.writeStaticString("}]}\n\n")
    }
}
