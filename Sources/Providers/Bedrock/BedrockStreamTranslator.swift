import AWSWire
import Foundation
import NIOCore
import SwitchyardModel

/// ConverseStream frames → canonical events; Bedrock's order is already the canonical one.
struct BedrockStreamTranslator {
    let provider: String
    private var stopped = false
    private var finished = false

    init(provider: String) {
        self.provider = provider
    }

    mutating func translate(_ message: EventStreamMessage) throws -> [StreamEvent] {
        let payload = Data(message.payload.readableBytesView)
        if let type = message.exceptionType ?? (message.messageType == "error" ? message.header(":error-code")?.stringValue : nil) {
            let body = try? JSONDecoder().decode(BedrockStreamEvent.self, from: payload)
            throw GatewayError(Self.kind(ofException: type), body?.message ?? "provider '\(provider)' failed mid-stream (\(type))", upstreamCode: type)
        }
        guard let type = message.eventType else { return [] }
        let event: BedrockStreamEvent
        do {
            event = try JSONDecoder().decode(BedrockStreamEvent.self, from: payload)
        } catch let error as DecodingError {
            throw GatewayError(.streamFailed, "provider '\(provider)' sent \(JSONCoding.unreadable(error, what: "a stream event"))")
        }
        let index = event.contentBlockIndex ?? 0
        switch type {
        case "messageStart": return [.messageStart(.assistant)]
        case "contentBlockStart":
            guard let use = event.start?.toolUse else { return [] }
            return [.blockStart(index: index, .toolUse(id: use.toolUseId, name: use.name))]
        case "contentBlockDelta":
            guard let delta = event.delta else { return [] }
            if let text = delta.text { return [.blockDelta(index: index, .text(text))] }
            if let input = delta.toolUse?.input { return [.blockDelta(index: index, .toolInput(input))] }
            if let reasoning = delta.reasoningContent {
                if let text = reasoning.text { return [.blockDelta(index: index, .reasoningText(text))] }
                if let signature = reasoning.signature { return [.blockDelta(index: index, .reasoningSignature(signature))] }
                if let redacted = reasoning.redactedContent, let data = Data(base64Encoded: redacted) {
                    return [.blockDelta(index: index, .redactedReasoning(data))]
                }
            }
            return []
        case "contentBlockStop": return [.blockStop(index: index)]
        case "messageStop":
            stopped = true
            return [.messageStop(BedrockStopReason.canonical(event.stopReason))]
        case "metadata":
            finished = true
            return [.metadata(event.usage?.canonical ?? Usage(), latencyMs: event.metrics?.latencyMs ?? 0)]
        default: return []
        }
    }

    func finish() throws {
        guard stopped else {
            throw GatewayError(.streamFailed, "provider '\(provider)' ended the stream before the answer was complete")
        }
    }

    static func kind(ofException type: String) -> GatewayError.Kind {
        switch type.lowercased() {
        case "throttlingexception": .throttled
        case "validationexception": .validation
        case "serviceunavailableexception": .unavailable
        case "internalserverexception": .internalError
        default: .streamFailed
        }
    }
}
