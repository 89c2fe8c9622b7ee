import AnthropicDialect
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardModel

/// The Anthropic door: `/v1/messages` (streaming or not), `/v1/messages/count_tokens` and `/v1/models`, answered
/// as Anthropic's API would, by whichever provider the body's `model` routes to.
public struct AnthropicRoutes<Context: RequestContext>: Sendable {
    let engine: Engine
    let maxBodyBytes: Int
    let logger: Logger

    public init(engine: Engine, maxBodyBytes: Int, logger: Logger) {
        self.engine = engine
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    static var betaField: HTTPField.Name { HTTPField.Name("anthropic-beta")! }

    /// `group` is the door's mount (`/anthropic`).
    public func register(on group: RouterGroup<Context>) {
        group.post("v1/messages") { request, context in
            let call = AnthropicRoute.begin(self.engine, request, context, operation: "Messages", route: "/anthropic/v1/messages")
            return await AnthropicRoute.answer(call, logger: context.logger) { try await self.messages(request, context: context, call: call) }
        }
        group.post("v1/messages/count_tokens") { request, context in
            let call = AnthropicRoute.begin(
                self.engine, request, context, operation: "CountTokens", route: "/anthropic/v1/messages/count_tokens")
            return await AnthropicRoute.answer(call, logger: context.logger) { try await self.countTokens(request, call: call) }
        }
        group.get("v1/models") { _, context in
            Response(
                status: .ok, headers: [.contentType: "application/json", AnthropicErrorMapper.requestIdField: context.id],
                body: ResponseBody(byteBuffer: AnthropicModelList.page(AnthropicModelList.ids(self.engine.catalog, caller: CallerScope.current))))
        }
        group.get("v1/models/:modelId") { _, context in
            let id = context.parameters.get("modelId")?.percentDecoded ?? ""
            guard AnthropicModelList.ids(self.engine.catalog, caller: CallerScope.current).contains(id) else {
                return AnthropicErrorMapper.response(.notFound, message: "model: \(id)", requestId: context.id)
            }
            return Response(
                status: .ok, headers: [.contentType: "application/json", AnthropicErrorMapper.requestIdField: context.id],
                body: ResponseBody(byteBuffer: AnthropicModelList.model(id)))
        }
    }

    func messages(_ request: Request, context: Context, call: CallContext) async throws -> Response {
        let body = try await AnthropicRoute.collect(request, limit: maxBodyBytes)
        let probe = try? JSONDecoder().decode(AnthropicRequestProbe.self, from: Data(body.readableBytesView))
        if let probe, let modelId = probe.forwardable {
            name(call, model: modelId, stream: probe.stream ?? false)
            if let forwarded = try await AnthropicPassthrough.forward(
                request, body: body, probe: probe, modelId: modelId, operation: "messages", engine: engine, call: call, logger: context.logger)
            {
                return forwarded
            }
        }
        var decoded = try AnthropicRequestDecoder.decode(body, form: .messages)
        let modelId = decoded.model ?? ""
        name(call, model: modelId, stream: decoded.stream)
        if let beta = request.headers[Self.betaField] {
            decoded.chat.additionalFields["anthropic_beta"] = .array(beta.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
        }
        let messageId = AnthropicResponseWriter.messageId()
        guard decoded.stream else {
            let answer = try await engine.complete(decoded.chat, modelId: modelId, call: call)
            var out = ByteBuffer()
            AnthropicResponseWriter.write(answer, model: modelId, messageId: messageId, into: &out)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: out))
        }
        let events = try await engine.stream(decoded.chat, modelId: modelId, call: call)
        let responseBody = AnthropicRoute.streamBody(call, logger: context.logger, errorEvent: { error in
            var b = ByteBuffer()
            AnthropicStreamEncoder.error(AnthropicErrorMapper.type(for: error.kind), message: error.message).writeSSE(into: &b)
            return b
        }) { writer in
            var encoder = AnthropicStreamEncoder(model: modelId, messageId: messageId)
            var chunks: [AnthropicStreamChunk] = []
            for try await event in events {
                encoder.encode(event, into: &chunks)
                try await Self.send(&chunks, to: &writer)
            }
            encoder.finish(into: &chunks)
            try await Self.send(&chunks, to: &writer)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: responseBody)
    }

    func countTokens(_ request: Request, call: CallContext) async throws -> Response {
        let body = try await AnthropicRoute.collect(request, limit: maxBodyBytes)
        let decoded = try AnthropicRequestDecoder.decode(body, form: .countTokens)
        let modelId = decoded.model ?? ""
        name(call, model: modelId, stream: false)
        let counted = try await engine.countTokens(decoded.chat, modelId: modelId, call: call)
        var out = ByteBuffer()
        out.writeStaticString("{\"input_tokens\":")
        out.writeString(String(counted ?? CountTokensEstimator.estimate(decoded.chat)))
        out.writeStaticString("}")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: out))
    }

    /// The model and streaming are known only once the body is read.
    func name(_ call: CallContext, model: String, stream: Bool) {
        call.update {
            $0.descriptor.modelRequested = model
            $0.descriptor.stream = stream
        }
    }

    /// One write per canonical event: its chunks go out together.
    @concurrent static func send(_ chunks: inout [AnthropicStreamChunk], to writer: inout any ResponseBodyWriter) async throws {
        guard !chunks.isEmpty else { return }
        var b = ByteBuffer()
        for chunk in chunks { chunk.writeSSE(into: &b) }
        chunks.removeAll(keepingCapacity: true)
        try await writer.write(b)
    }
}
