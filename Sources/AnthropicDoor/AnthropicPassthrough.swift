import AnthropicDialect
import Engine
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardModel

/// When the model's provider is Anthropic itself, the body goes up as the caller wrote it (only `model` set to the
/// upstream's name for it) and the answer comes back untouched; the provider reads usage from it on the side.
enum AnthropicPassthrough {
    static let dialect = "anthropic-messages"
    /// Request headers that carry meaning for Anthropic (never the caller's credentials).
    static let forwardedHeaders: [HTTPField.Name] = [
        .contentType, .accept, HTTPField.Name("anthropic-version")!, HTTPField.Name("anthropic-beta")!,
    ]

    /// The upstream's answer, or nil when the model is not served by an Anthropic provider (or the answer cache
    /// covers the call, which only the canonical path can consult).
    static func forward(
        _ request: Request, body: ByteBuffer, probe: AnthropicRequestProbe, modelId: String, operation: String, engine: Engine,
        call: CallContext, logger: Logger
    ) async throws -> Response? {
        let (_, kind) = try engine.resolve(modelId)
        guard kind == .anthropic else { return nil }
        if await engine.cacheCovers(call, modelId: modelId) { return nil }
        let headers = forwardedHeaders.compactMap { name in request.headers[name].map { (name.canonicalName, $0) } }
        // Only a governed call can have a budget to hold the answer's worst case on.
        let cap = call.descriptor.caller == nil ? nil : probe.maxTokens
        let raw = RawRequest(dialect: dialect, operation: operation, headers: headers, body: body, maxOutputTokens: cap)
        guard let answer = try await engine.passthrough(raw, modelId: modelId, call: call) else { return nil }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        let stream = answer.body
        // Once bytes flow a failure can only end the body early; Anthropic's own error events pass through as bytes.
        let forwarded = AnthropicRoute.streamBody(call, logger: logger, errorEvent: { _ in nil }) { writer in
            for try await chunk in stream { try await writer.write(chunk) }
        }
        return Response(status: .init(code: answer.status), headers: fields, body: forwarded)
    }
}
