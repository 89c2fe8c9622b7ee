import DoorCalls
import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAIDialect
import SwitchyardModel

/// The OpenAI-compatible door: `/v1/chat/completions`, `/v1/embeddings` and `/v1/models`, served by whichever
/// provider a model id routes to. A call whose model lives on an OpenAI-compatible provider goes up as the caller
/// wrote it; every other one is read into the canonical request and answered in Chat Completions JSON.
public struct OpenAIRoutes<Context: RequestContext>: Sendable {
    let engine: Engine
    let maxBodyBytes: Int

    public init(engine: Engine, maxBodyBytes: Int) {
        self.engine = engine
        self.maxBodyBytes = maxBodyBytes
    }

    public func register(on group: RouterGroup<Context>) {
        group.post("chat/completions") { request, context in
            await withBody(request, context) { body in
                let parsed = Result { try OpenAIChatRequestReader.read(body) }
                let streaming = (try? parsed.get().stream) ?? false
                let call = OpenAICallRoute.begin(
                    engine, request, context, operation: streaming ? "ChatCompletionsStream" : "ChatCompletions", route: "/v1/chat/completions",
                    model: try? parsed.get().model, stream: streaming)
                return await OpenAICallRoute.answer(call, requestId: context.id, logger: context.logger) {
                    try await chat(try parsed.get(), body: body, call: call, context: context)
                }
            }
        }
        group.post("embeddings") { request, context in
            await withBody(request, context) { body in
                let parsed = Result { try OpenAIEmbeddingsWire.read(body) }
                let call = OpenAICallRoute.begin(
                    engine, request, context, operation: "Embeddings", route: "/v1/embeddings", model: try? parsed.get().model, stream: false)
                return await OpenAICallRoute.answer(call, requestId: context.id, logger: context.logger) {
                    let embeddings = try parsed.get()
                    let answer = try await engine.embed(embeddings.request, modelId: embeddings.model, call: call)
                    return Response(
                        status: .ok, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: OpenAIEmbeddingsWire.write(answer, model: embeddings.model, base64: embeddings.base64)))
                }
            }
        }
        group.get("models") { _, context in
            await OpenAICallRoute.answer(requestId: context.id, logger: context.logger) {
                let entries = engine.catalog.models(for: CallerScope.current) + engine.catalog.aliases(for: CallerScope.current)
                return Self.json(OpenAIModelList.write(entries.map { ($0.id, $0.route.provider) }))
            }
        }
        // Model ids hold slashes (`openai/gpt-4o`), so the id is the rest of the path.
        group.get("models/**") { _, context in
            await OpenAICallRoute.answer(requestId: context.id, logger: context.logger) {
                let id = context.parameters.getCatchAll().joined(separator: "/")
                let entries = engine.catalog.models(for: CallerScope.current) + engine.catalog.aliases(for: CallerScope.current)
                guard let entry = entries.first(where: { $0.id == id }) else {
                    throw GatewayError(.notFound, "The model '\(id)' does not exist or you do not have access to it.")
                }
                return Self.json(OpenAIModelList.writeModel(id: entry.id, ownedBy: entry.route.provider))
            }
        }
    }

    /// Reads the body within the door's limit and hands it to `route`; a body that cannot be read is answered here,
    /// before any call starts.
    func withBody(_ request: Request, _ context: Context, _ route: (ByteBuffer) async -> Response) async -> Response {
        let body: ByteBuffer
        do {
            body = try await collect(request)
        } catch {
            return OpenAIError(DoorCall.classify(error, logger: context.logger)).response(requestId: context.id)
        }
        return await route(body)
    }

    func collect(_ request: Request) async throws -> ByteBuffer {
        try await OpenAIResourceRoute.collect(request, limit: maxBodyBytes)
    }

    func chat(_ parsed: OpenAIChatCall, body: ByteBuffer, call: CallContext, context: Context) async throws -> Response {
        var parsed = parsed
        let kind = try engine.resolve(parsed.model).kind
        if kind == .openai, let forwarded = try await passthrough(parsed, body: body, call: call, context: context) { return forwarded }
        Self.applyResponseFormat(&parsed, speaksOpenAI: kind == .openai)
        if kind != .openai { parsed.chat.additionalFields = [:] }
        let id = "chatcmpl-\(context.id)"
        let created = Int(Date().timeIntervalSince1970)
        guard parsed.stream else {
            let answer = try await engine.complete(parsed.chat, modelId: parsed.model, call: call)
            return Self.json(OpenAIChatResponseWriter.write(answer, id: id, model: parsed.model, created: created))
        }
        let events = try await engine.stream(parsed.chat, modelId: parsed.model, call: call)
        let writer = OpenAIChunkWriter(id: id, model: parsed.model, created: created, includeUsage: parsed.includeUsage)
        let body = OpenAICallRoute.streamBody(call, logger: context.logger, errorEvent: true) { out in
            var chunks = writer
            for try await event in events {
                var frame = ByteBuffer()
                chunks.write(event, into: &frame)
                if frame.readableBytes > 0 { try await out.write(frame) }
            }
            var done = ByteBuffer()
            OpenAIChunkWriter.done(into: &done)
            try await out.write(done)
        }
        return Response(status: .ok, headers: Self.eventStreamHeaders, body: body)
    }

    /// Same dialect: the caller's bytes go up, the upstream's come back. A stream without `include_usage` is
    /// translated instead, so the gateway still learns the tokens it must count without showing the caller a
    /// usage chunk it did not ask for; so is a call the answer cache covers.
    func passthrough(_ parsed: OpenAIChatCall, body: ByteBuffer, call: CallContext, context: Context) async throws -> Response? {
        guard !parsed.stream || parsed.includeUsage, await !engine.cacheCovers(call, modelId: parsed.model) else { return nil }
        let cap = parsed.chat.inference.maxTokens
        let raw = RawRequest(
            dialect: "openai-chat", operation: parsed.stream ? "chat/completions-stream" : "chat/completions",
            headers: [("content-type", "application/json")], body: body, maxOutputTokens: cap)
        guard let answer = try await engine.passthrough(raw, modelId: parsed.model, call: call) else { return nil }
        let stream = answer.body
        let forwarded = OpenAICallRoute.streamBody(call, logger: context.logger, errorEvent: false) { writer in
            for try await chunk in stream { try await writer.write(chunk) }
        }
        return Response(status: .init(code: answer.status), headers: parsed.stream ? Self.eventStreamHeaders : [.contentType: "application/json"], body: forwarded)
    }

    /// JSON mode for a provider without `response_format`: the instruction OpenAI itself requires in the prompt
    /// ("the word JSON must appear"), plus the schema when one is given.
    static func applyResponseFormat(_ parsed: inout OpenAIChatCall, speaksOpenAI: Bool) {
        guard let format = parsed.responseFormat, let type = format["type"]?.stringValue, type != "text" else { return }
        if speaksOpenAI {
            parsed.chat.additionalFields["response_format"] = format
            return
        }
        var instruction = "Respond with a single valid JSON object and nothing else: no prose, no code fences."
        if type == "json_schema", let schema = format["json_schema"]?["schema"] {
            instruction += " The object must conform to this JSON Schema: \(OpenAIArguments.text(schema))"
        }
        parsed.chat.system.append(.text(instruction))
    }

    static var eventStreamHeaders: HTTPFields { [.contentType: "text/event-stream", .cacheControl: "no-cache"] }

    static func json(_ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }
}
