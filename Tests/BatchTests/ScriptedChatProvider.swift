import SwitchyardModel
import Synchronization

/// A provider that answers with the text of the last user message, or fails when that text starts with `fail`;
/// `hold` keeps answers back until `release()`.
final class ScriptedChatProvider: ChatProvider, EmbeddingProvider {
    let seen = Mutex([String]())
    let gate = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((true, []))

    init(holding: Bool = false) {
        if holding { gate.withLock { $0.open = false } }
    }

    var prompts: [String] { seen.withLock { $0 } }

    func release() {
        let waiters = gate.withLock { gate in
            gate.open = true
            defer { gate.waiters = [] }
            return gate.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func complete(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatResponse {
        let prompt = request.messages.last?.content.compactMap { part -> String? in
            if case .text(let text) = part { return text }
            return nil
        }.joined() ?? ""
        seen.withLock { $0.append(prompt) }
        await withCheckedContinuation { continuation in
            let open = gate.withLock { gate in
                if !gate.open { gate.waiters.append(continuation) }
                return gate.open
            }
            if open { continuation.resume() }
        }
        if prompt.hasPrefix("fail") { throw GatewayError(.validation, "refused: \(prompt)", upstreamStatus: 400) }
        return ChatResponse(content: [.text("echo: \(prompt)")], stopReason: .endTurn, usage: Usage(inputTokens: 3, outputTokens: 2), latencyMs: 1)
    }

    func stream(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatEventStream {
        throw GatewayError(.internalError, "not used")
    }

    func embed(_ request: EmbeddingRequest, target: UpstreamTarget) async throws -> EmbeddingResponse {
        EmbeddingResponse(vectors: request.inputs.map { _ in [0.5, 0.25] }, inputTokens: request.inputs.count, latencyMs: 1)
    }
}
