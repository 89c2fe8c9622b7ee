import Foundation
import SwitchyardModel

/// Stream events (each event's `data`) → canonical events. Anthropic's block indexes are already what a door needs.
public struct AnthropicStreamDecoder: Sendable {
    let provider: String
    let started: ContinuousClock.Instant
    private var sentStart = false
    private var openBlocks: [Int] = []
    private var stopReason: StopReason?
    private var stopped = false
    private var usage = Usage()

    public init(provider: String, started: ContinuousClock.Instant) {
        self.provider = provider
        self.started = started
    }

    public mutating func translate(_ data: String) throws -> [StreamEvent] {
        let event: AnthropicStreamEvent
        do {
            event = try JSONDecoder().decode(AnthropicStreamEvent.self, from: Data(data.utf8))
        } catch {
            throw GatewayError(.streamFailed, "provider '\(provider)' sent a stream event the gateway could not read")
        }
        var out: [StreamEvent] = []
        switch event.type {
        case "message_start":
            if let usage = event.message?.usage { self.usage.merge(usage) }
            ensureStart(&out)
        case "content_block_start":
            ensureStart(&out)
            guard let index = event.index, let block = event.content_block else { break }
            openBlocks.append(index)
            switch block.type {
            case "tool_use", "server_tool_use":
                out.append(.blockStart(index: index, .toolUse(id: block.id ?? "toolu_\(index)", name: block.name ?? "")))
            case "redacted_thinking":
                out.append(.blockDelta(index: index, .redactedReasoning(Data((block.data ?? "").utf8))))
            case "text":
                if let text = block.text, !text.isEmpty { out.append(.blockDelta(index: index, .text(text))) }
            default: break
            }
        case "content_block_delta":
            ensureStart(&out)
            guard let index = event.index, let delta = event.delta else { break }
            switch delta.type {
            case "text_delta": if let t = delta.text { out.append(.blockDelta(index: index, .text(t))) }
            case "input_json_delta":
                if let j = delta.partial_json, !j.isEmpty { out.append(.blockDelta(index: index, .toolInput(j))) }
            case "thinking_delta": if let t = delta.thinking { out.append(.blockDelta(index: index, .reasoningText(t))) }
            case "signature_delta":
                if let s = delta.signature { out.append(.blockDelta(index: index, .reasoningSignature(s))) }
            default: break
            }
        case "content_block_stop":
            if let index = event.index, let at = openBlocks.firstIndex(of: index) {
                openBlocks.remove(at: at)
                out.append(.blockStop(index: index))
            }
        case "message_delta":
            if let reason = event.delta?.stop_reason { stopReason = AnthropicStopReason.canonical(reason) }
            if let usage = event.usage { self.usage.merge(usage) }
        case "message_stop":
            ensureStart(&out)
            stop(&out)
        case "error":
            let failure = event.error
            throw GatewayError(
                AnthropicErrorType.kind(of: failure?.type) ?? .streamFailed,
                "provider '\(provider)' failed mid-stream: \(failure?.message ?? "unknown error")")
        default:
            break
        }
        return out
    }

    /// The usage the stream reported, once it ended; throws when it ended before `message_stop`.
    public mutating func finish() throws -> [StreamEvent] {
        guard stopped else {
            throw GatewayError(.streamFailed, "provider '\(provider)' ended the stream before the answer was complete")
        }
        let latency = Int((ContinuousClock.now - started) / .milliseconds(1))
        return [.metadata(usage, latencyMs: latency)]
    }

    private mutating func ensureStart(_ out: inout [StreamEvent]) {
        if !sentStart {
            sentStart = true
            out.append(.messageStart(.assistant))
        }
    }

    private mutating func stop(_ out: inout [StreamEvent]) {
        guard !stopped else { return }
        for index in openBlocks { out.append(.blockStop(index: index)) }
        openBlocks.removeAll()
        stopped = true
        out.append(.messageStop(stopReason ?? .endTurn))
    }
}
