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
            await BedrockRoute.answer(logger: self.logger) { try await self.converse(request, context: context) }
        }
        group.post("model/:modelId/converse-stream") { request, context in
            await BedrockRoute.answer(logger: self.logger) { try await self.converseStream(request, context: context) }
        }
    }

    func converse(_ request: Request, context: Context) async throws -> Response {
        if let forwarded = try await BedrockPassthrough.forward(request, context: context, operation: "converse", engine: engine, maxBodyBytes: maxBodyBytes) {
            return forwarded
        }
        let (modelId, chat) = try await decode(request, context: context)
        let answer = try await engine.complete(chat, modelId: modelId, options: BedrockRoute.options(request))
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ConverseResponseEncoder.encode(answer)))
    }

    func converseStream(_ request: Request, context: Context) async throws -> Response {
        if let forwarded = try await BedrockPassthrough.forward(request, context: context, operation: "converse-stream", engine: engine, maxBodyBytes: maxBodyBytes) {
            return forwarded
        }
        let (modelId, chat) = try await decode(request, context: context)
        let events = try await engine.stream(chat, modelId: modelId, options: BedrockRoute.options(request))
        let logger = self.logger
        let body = ResponseBody { writer in
            do {
                for try await event in events {
                    var frame = ByteBuffer()
                    ConverseStreamEncoder.write(event, into: &frame)
                    try await writer.write(frame)
                }
            } catch let error as GatewayError {
                logger.info("stream failed", metadata: ["model": "\(modelId)", "error": "\(error.message)"])
                var frame = ByteBuffer()
                ConverseStreamEncoder.writeException(error, into: &frame)
                try await writer.write(frame)
            } catch is CancellationError {
                return
            }
            try await writer.finish(nil)
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
