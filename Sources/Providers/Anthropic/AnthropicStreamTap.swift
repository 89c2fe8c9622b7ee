import AnthropicDialect
import Foundation
import NIOCore
import SwitchyardModel

/// Reads a passing Messages stream: usage from `message_start` and `message_delta`, the stop reason, `error`
/// events, and (content logging on) the text deltas. It never changes a byte of what the caller receives.
struct AnthropicStreamTap {
    let provider: String
    let observer: any CallObserver
    let capturesContent: Bool
    private var parser: SSEParser
    private var usage = Usage()
    /// A line too long for the parser: the rest passes unread.
    private var broken = false

    init(provider: String, observer: any CallObserver, maxEventBytes: Int, capturesContent: Bool) {
        self.provider = provider
        self.observer = observer
        self.capturesContent = capturesContent
        parser = SSEParser(maxEventBytes: maxEventBytes)
    }

    mutating func observe(_ chunk: ByteBuffer) {
        guard !broken else { return }
        do {
            for event in try parser.feed(chunk.readableBytesView) { note(event) }
        } catch {
            broken = true
        }
    }

    mutating func finish() {
        guard !broken, let event = try? parser.finish() else { return }
        note(event)
    }

    private mutating func note(_ sse: SSEEvent) {
        // Text deltas and block boundaries carry nothing the tap reads unless content is captured.
        switch sse.event {
        case "content_block_start", "content_block_stop", "ping": return
        case "content_block_delta" where !capturesContent: return
        default: break
        }
        guard let event = try? JSONDecoder().decode(AnthropicStreamEvent.self, from: Data(sse.data.utf8)) else { return }
        switch event.type {
        case "message_start":
            if let u = event.message?.usage {
                usage.merge(u)
                observer.observeUsage(usage)
            }
        case "message_delta":
            if let u = event.usage {
                usage.merge(u)
                observer.observeUsage(usage)
            }
            if let reason = event.delta?.stop_reason { observer.observeStop(reason) }
        case "content_block_delta":
            if capturesContent, let text = event.delta?.text { observer.observeAnswerText(text) }
        case "error":
            let type = event.error?.type ?? AnthropicErrorType.api.rawValue
            observer.observeFailure(GatewayError(
                AnthropicErrorType.kind(of: type) ?? .streamFailed,
                "provider '\(provider)' failed mid-stream: \(event.error?.message ?? type)", upstreamCode: type))
        default:
            break
        }
    }
}
