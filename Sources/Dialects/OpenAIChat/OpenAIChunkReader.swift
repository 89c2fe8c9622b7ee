import Foundation
import SwitchyardModel

/// Chat Completions chunks → canonical events. OpenAI has no block boundaries, so this assigns block indexes:
/// a run of text or reasoning is one block, each tool call is one block, and every block is closed before the stop.
public struct OpenAIChunkReader: Sendable {
    private enum Open: Equatable {
        case none
        case text(Int)
        case reasoning(Int)
    }

    let provider: String
    let started: ContinuousClock.Instant
    private var sentStart = false
    private var nextIndex = 0
    private var open = Open.none
    /// OpenAI tool-call index → block index, in the order they opened.
    private var openTools: [(call: Int, block: Int)] = []
    private var stopped = false
    private var sawDone = false
    private var usage = Usage()

    public init(provider: String, started: ContinuousClock.Instant) {
        self.provider = provider
        self.started = started
    }

    /// One event's `data`.
    public mutating func read(_ data: String) throws -> [StreamEvent] {
        if data == "[DONE]" {
            sawDone = true
            return []
        }
        let chunk: OpenAIChunk
        do {
            chunk = try JSONDecoder().decode(OpenAIChunk.self, from: Data(data.utf8))
        } catch {
            throw GatewayError(.streamFailed, "provider '\(provider)' sent a stream event that is not a Chat Completions chunk")
        }
        if let error = chunk.error {
            throw GatewayError(Self.kind(of: error), "provider '\(provider)' failed mid-stream: \(error.message ?? "unknown error")")
        }
        var out: [StreamEvent] = []
        if !sentStart {
            sentStart = true
            out.append(.messageStart(.assistant))
        }
        if let usage = chunk.usage { self.usage = usage.canonical }
        for choice in chunk.choices ?? [] {
            if let delta = choice.delta, !stopped {
                if let reasoning = delta.reasoning_content ?? delta.reasoning, !reasoning.isEmpty {
                    let index = enter(.reasoning(nextIndex), into: &out)
                    out.append(.blockDelta(index: index, .reasoningText(reasoning)))
                }
                if let text = delta.content ?? delta.refusal, !text.isEmpty {
                    let index = enter(.text(nextIndex), into: &out)
                    out.append(.blockDelta(index: index, .text(text)))
                }
                for call in delta.tool_calls ?? [] {
                    toolCall(call, into: &out)
                }
            }
            if let reason = choice.finish_reason, !stopped {
                stop(OpenAIStopReason.canonical(reason), into: &out)
            }
        }
        return out
    }

    public mutating func finish() throws -> [StreamEvent] {
        guard sentStart, stopped || sawDone else {
            throw GatewayError(.streamFailed, "provider '\(provider)' ended the stream before the answer was complete")
        }
        var out: [StreamEvent] = []
        if !stopped { stop(.endTurn, into: &out) }
        let latency = Int((ContinuousClock.now - started) / .milliseconds(1))
        out.append(.metadata(usage, latencyMs: latency))
        return out
    }

    /// Makes `kind` the open text/reasoning block, closing what was open; returns its index.
    private mutating func enter(_ kind: Open, into out: inout [StreamEvent]) -> Int {
        switch (open, kind) {
        case (.text(let i), .text), (.reasoning(let i), .reasoning):
            return i
        default:
            closeAll(into: &out)
            let index = nextIndex
            nextIndex += 1
            open = if case .text = kind { .text(index) } else { .reasoning(index) }
            return index
        }
    }

    private mutating func toolCall(_ call: OpenAIToolCall, into out: inout [StreamEvent]) {
        let callIndex = call.index ?? 0
        let block: Int
        if let existing = openTools.first(where: { $0.call == callIndex }) {
            block = existing.block
        } else {
            closeText(into: &out)
            block = nextIndex
            nextIndex += 1
            openTools.append((callIndex, block))
            out.append(.blockStart(index: block, .toolUse(id: call.id ?? "call_\(block)", name: call.function?.name ?? "")))
        }
        if let fragment = call.function?.arguments, !fragment.isEmpty {
            out.append(.blockDelta(index: block, .toolInput(fragment)))
        }
    }

    private mutating func closeText(into out: inout [StreamEvent]) {
        switch open {
        case .text(let i), .reasoning(let i): out.append(.blockStop(index: i))
        case .none: break
        }
        open = .none
    }

    private mutating func closeAll(into out: inout [StreamEvent]) {
        closeText(into: &out)
        for tool in openTools { out.append(.blockStop(index: tool.block)) }
        openTools.removeAll()
    }

    private mutating func stop(_ reason: StopReason, into out: inout [StreamEvent]) {
        closeAll(into: &out)
        stopped = true
        out.append(.messageStop(reason))
    }

    static func kind(of error: OpenAIChunk.StreamError) -> GatewayError.Kind {
        let words = [error.type, error.code].compactMap { $0 }.joined(separator: " ")
        if words.contains("rate_limit") { return .throttled }
        if words.contains("overloaded") || words.contains("unavailable") { return .unavailable }
        if words.contains("invalid_request") { return .validation }
        if words.contains("server_error") || words.contains("api_error") { return .internalError }
        return .streamFailed
    }
}
