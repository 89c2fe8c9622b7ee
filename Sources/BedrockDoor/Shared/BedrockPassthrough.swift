import Engine
import HTTPTypes
import Logging
import Hummingbird
import NIOCore
import SwitchyardModel

/// When the model's provider is Bedrock itself, the request goes up and the answer comes back untouched.
enum BedrockPassthrough {
    /// Request headers that carry meaning for Bedrock (never the caller's credentials).
    static let forwardedHeaders: [HTTPField.Name] = [
        .contentType, .accept,
        HTTPField.Name("x-amzn-bedrock-accept")!, HTTPField.Name("x-amzn-bedrock-trace")!,
        HTTPField.Name("x-amzn-bedrock-guardrailidentifier")!, HTTPField.Name("x-amzn-bedrock-guardrailversion")!,
        HTTPField.Name("x-amzn-bedrock-performanceconfig-latency")!, HTTPField.Name("x-amzn-bedrock-service-tier")!,
    ]

    /// The upstream's answer, or nil when the model is not served by a Bedrock provider.
    static func forward<Context: RequestContext>(
        _ request: Request, context: Context, operation: String, engine: Engine, call: CallContext, maxBodyBytes: Int, logger: Logger
    ) async throws -> Response? {
        let modelId = try BedrockRoute.modelId(context)
        guard try engine.resolve(modelId).kind == .bedrock else { return nil }
        let body = try await BodyReader.collect(request, limit: maxBodyBytes)
        // With the answer cache on for this call, what the door can read goes the canonical way, where the cache
        // answers and keeps answers; the rest (Invoke bodies of families it does not translate) still goes up as is.
        if await engine.cacheCovers(call, modelId: modelId), translatable(operation, body: body, modelId: modelId) { return nil }
        let headers = forwardedHeaders.compactMap { name in request.headers[name].map { (name.canonicalName, $0) } }
        // Only a governed call can have a budget to hold the answer's worst case on.
        let cap = call.descriptor.caller == nil ? nil : PassthroughOutputCap.read(body)
        let raw = RawRequest(dialect: "bedrock-runtime", operation: operation, headers: headers, body: body, maxOutputTokens: cap)
        guard let answer = try await engine.passthrough(raw, modelId: modelId, call: call) else { return nil }
        var fields = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        let stream = answer.body
        // The status line is gone once bytes flow: a failure then can only end the body early, as AWS would drop
        // the connection; the upstream's own exception frames pass through as bytes.
        let forwarded = BedrockRoute.streamBody(call, logger: context.logger, exceptionFrame: { _ in nil }) { writer in
            for try await chunk in stream { try await writer.write(chunk) }
        }
        return Response(status: .init(code: answer.status), headers: fields, body: forwarded)
    }

    /// The door reads this call itself: Converse always; an Invoke body of a chat family it decodes (streamed only
    /// where it can write that family's chunks).
    static func translatable(_ operation: String, body: ByteBuffer, modelId: String) -> Bool {
        switch operation {
        case "converse", "converse-stream": return true
        case "invoke", "invoke-with-response-stream":
            guard case .chat(_, let family)? = try? InvokeRequestDecoder.decode(body, modelId: modelId) else { return false }
            return operation == "invoke" || family.chunkEncoder(modelId: modelId) != nil
        default: return false
        }
    }
}
