import AWSWire
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardModel

/// The Bedrock runtime's model-family operations: `/model/{modelId}/invoke`, `/invoke-with-response-stream` and
/// `/count-tokens`. The body is read in its model family's JSON, served by whichever provider the model id routes
/// to, and answered in the same family's JSON.
public struct BedrockInvokeRoutes<Context: RequestContext>: Sendable {
    let engine: Engine
    let maxBodyBytes: Int
    let logger: Logger

    public init(engine: Engine, maxBodyBytes: Int, logger: Logger) {
        self.engine = engine
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    public func register(on group: RouterGroup<Context>) {
        group.post("model/:modelId/invoke") { request, context in
            let call = BedrockRoute.begin(self.engine, request, context, operation: "InvokeModel", route: "/bedrock/model/{modelId}/invoke", stream: false)
            return await BedrockRoute.answer(call, logger: context.logger) { try await self.invoke(request, context: context, call: call) }
        }
        group.post("model/:modelId/invoke-with-response-stream") { request, context in
            let call = BedrockRoute.begin(
                self.engine, request, context, operation: "InvokeModelWithResponseStream",
                route: "/bedrock/model/{modelId}/invoke-with-response-stream", stream: true)
            return await BedrockRoute.answer(call, logger: context.logger) { try await self.invokeStream(request, context: context, call: call) }
        }
        group.post("model/:modelId/count-tokens") { request, context in
            let call = BedrockRoute.begin(self.engine, request, context, operation: "CountTokens", route: "/bedrock/model/{modelId}/count-tokens", stream: false)
            return await BedrockRoute.answer(call, logger: context.logger) { try await self.countTokens(request, context: context, call: call) }
        }
    }

    func invoke(_ request: Request, context: Context, call: CallContext) async throws -> Response {
        let modelId = try BedrockRoute.modelId(context)
        if let forwarded = try await BedrockPassthrough.forward(
            request, context: context, operation: "invoke", engine: engine, call: call, maxBodyBytes: maxBodyBytes, logger: context.logger)
        {
            return forwarded
        }
        try Self.checkMediaTypes(request, accept: .accept)
        let body = try await BodyReader.collect(request, limit: maxBodyBytes)
        switch try InvokeRequestDecoder.decode(body, modelId: modelId) {
        case .chat(let chat, let family):
            let answer = try await engine.complete(chat, modelId: modelId, call: call)
            return Self.invokeResponse(
                InvokeResponseEncoder.encode(answer, family: family, modelId: modelId),
                inputTokens: answer.usage.allInputTokens, outputTokens: answer.usage.outputTokens, latencyMs: answer.latencyMs)
        case .embedding(let embedding, let family, let byType):
            let answer = try await engine.embed(embedding, modelId: modelId, call: call)
            return Self.invokeResponse(
                InvokeResponseEncoder.encode(answer, request: embedding, family: family, byType: byType),
                inputTokens: answer.inputTokens, outputTokens: 0, latencyMs: answer.latencyMs)
        }
    }

    func invokeStream(_ request: Request, context: Context, call: CallContext) async throws -> Response {
        let modelId = try BedrockRoute.modelId(context)
        if let forwarded = try await BedrockPassthrough.forward(
            request, context: context, operation: "invoke-with-response-stream", engine: engine, call: call, maxBodyBytes: maxBodyBytes, logger: context.logger)
        {
            return forwarded
        }
        try Self.checkMediaTypes(request, accept: Self.bedrockAccept)
        let body = try await BodyReader.collect(request, limit: maxBodyBytes)
        let started = ContinuousClock.now
        let decoded = try InvokeRequestDecoder.decode(body, modelId: modelId)
        guard case .chat(let chat, let family) = decoded, let encoder = family.chunkEncoder(modelId: modelId, started: started) else {
            throw GatewayError(.validation, "the embedding model '\(modelId)' does not stream its answer; use InvokeModel")
        }
        let events = try await engine.stream(chat, modelId: modelId, call: call)
        let responseBody = BedrockRoute.streamBody(call, logger: context.logger, exceptionFrame: { error in
            var frame = ByteBuffer()
            InvokeStreamFrames.writeException(error, into: &frame)
            return frame
        }) { writer in
            var encoder = encoder
            var chunks: [ByteBuffer] = []
            for try await event in events {
                encoder.encode(event, into: &chunks)
                try await Self.send(&chunks, to: &writer)
            }
            encoder.finish(into: &chunks)
            try await Self.send(&chunks, to: &writer)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "application/vnd.amazon.eventstream", Self.bedrockContentType: "application/json"],
            body: responseBody)
    }

    func countTokens(_ request: Request, context: Context, call: CallContext) async throws -> Response {
        let modelId = try BedrockRoute.modelId(context)
        if let forwarded = try await BedrockPassthrough.forward(
            request, context: context, operation: "count-tokens", engine: engine, call: call, maxBodyBytes: maxBodyBytes, logger: context.logger)
        {
            return forwarded
        }
        let body = try await BodyReader.collect(request, limit: maxBodyBytes)
        let chat = try CountTokensRequestDecoder.decode(body, modelId: modelId)
        let counted = try await engine.countTokens(chat, modelId: modelId, call: call)
        var answer = ByteBuffer()
        answer.writeStaticString("{\"inputTokens\":")
        answer.writeJSONInt(counted ?? CountTokensEstimator.estimate(chat))
        answer.writeStaticString("}")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: answer))
    }

    /// All of one event's chunks go out in one write, as soon as the event has arrived.
    @concurrent private static func send(_ chunks: inout [ByteBuffer], to writer: inout any ResponseBodyWriter) async throws {
        guard !chunks.isEmpty else { return }
        var frame = ByteBuffer()
        for chunk in chunks { InvokeStreamFrames.writeChunk(chunk, into: &frame) }
        chunks.removeAll(keepingCapacity: true)
        try await writer.write(frame)
    }

    static func invokeResponse(_ body: ByteBuffer, inputTokens: Int, outputTokens: Int, latencyMs: Int) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "application/json",
                HTTPField.Name("X-Amzn-Bedrock-Input-Token-Count")!: String(inputTokens),
                HTTPField.Name("X-Amzn-Bedrock-Output-Token-Count")!: String(outputTokens),
                HTTPField.Name("X-Amzn-Bedrock-Invocation-Latency")!: String(latencyMs),
            ],
            body: ResponseBody(byteBuffer: body))
    }

    /// Bodies and answers are JSON. boto3 sends no Content-Type or accept header when the caller gave none, so
    /// absence means JSON.
    static func checkMediaTypes(_ request: Request, accept: HTTPField.Name) throws {
        if let type = request.headers[.contentType], !type.lowercased().contains("json") {
            throw GatewayError(.validation, "the content type '\(type)' is not supported; InvokeModel bodies are application/json")
        }
        if let wanted = request.headers[accept] {
            let ranges = wanted.lowercased().split(separator: ",").map { $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces) }
            guard ranges.contains(where: { $0 == "*/*" || $0 == "application/*" || $0.contains("json") }) else {
                throw GatewayError(.validation, "the accept type '\(wanted)' is not supported; answers are application/json")
            }
        }
    }

    static var bedrockAccept: HTTPField.Name { HTTPField.Name("X-Amzn-Bedrock-Accept")! }
    static var bedrockContentType: HTTPField.Name { HTTPField.Name("X-Amzn-Bedrock-Content-Type")! }

}
