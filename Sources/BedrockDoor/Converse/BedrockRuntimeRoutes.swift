import AWSWire
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardModel

/// The Bedrock runtime door: `/model/{modelId}/converse` and `/converse-stream`, answered exactly as AWS would.
public struct BedrockRuntimeRoutes<Context: RequestContext>: Sendable {
    let engine: Engine
    let maxBodyBytes: Int
    let logger: Logger

    public init(engine: Engine, maxBodyBytes: Int, logger: Logger) {
        self.engine = engine
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    public func register(on group: RouterGroup<Context>) {
        group.post("model/:modelId/converse") { request, context in
            let call = BedrockRoute.begin(self.engine, request, context, operation: "Converse", route: "/bedrock/model/{modelId}/converse", stream: false)
            return await BedrockRoute.answer(call, logger: context.logger) { try await self.converse(request, context: context, call: call) }
        }
        group.post("model/:modelId/converse-stream") { request, context in
            let call = BedrockRoute.begin(
                self.engine, request, context, operation: "ConverseStream", route: "/bedrock/model/{modelId}/converse-stream", stream: true)
            return await BedrockRoute.answer(call, logger: context.logger) { try await self.converseStream(request, context: context, call: call) }
        }
    }

    func converse(_ request: Request, context: Context, call: CallContext) async throws -> Response {
        if let forwarded = try await BedrockPassthrough.forward(
            request, context: context, operation: "converse", engine: engine, call: call, maxBodyBytes: maxBodyBytes, logger: context.logger)
        {
            return forwarded
        }
        let (modelId, chat) = try await decode(request, context: context)
        let answer = try await engine.complete(chat, modelId: modelId, call: call)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ConverseResponseEncoder.encode(answer)))
    }

    func converseStream(_ request: Request, context: Context, call: CallContext) async throws -> Response {
        if let forwarded = try await BedrockPassthrough.forward(
            request, context: context, operation: "converse-stream", engine: engine, call: call, maxBodyBytes: maxBodyBytes, logger: context.logger)
        {
            return forwarded
        }
        let (modelId, chat) = try await decode(request, context: context)
        let events = try await engine.stream(chat, modelId: modelId, call: call)
        let body = BedrockRoute.streamBody(call, logger: context.logger, exceptionFrame: { error in
            var frame = ByteBuffer()
            ConverseStreamEncoder.writeException(error, into: &frame)
            return frame
        }) { writer in
            for try await event in events {
                var frame = ByteBuffer()
                ConverseStreamEncoder.write(event, into: &frame)
                try await writer.write(frame)
            }
        }
        return Response(status: .ok, headers: [.contentType: "application/vnd.amazon.eventstream"], body: body)
    }

    /// Reads the model id from the path and the body within Bedrock's size limit.
    func decode(_ request: Request, context: Context) async throws -> (String, ChatRequest) {
        let modelId = try BedrockRoute.modelId(context)
        let body = try await BodyReader.collect(request, limit: maxBodyBytes)
        return (modelId, try ConverseRequestDecoder.decode(body))
    }
}
