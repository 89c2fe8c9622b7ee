import AnthropicDialect
import DoorCalls
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardModel

/// `/v1/messages/batches`: create with inline requests, retrieve, list, cancel, delete and the results. A batch is a
/// job of the gateway's batch runner (the desk's), each request sent through the engine as a call of its own, so the
/// key's rules, budgets, the request log and the answer cache see it as they see the door's own calls.
public struct AnthropicBatchRoutes<Context: RequestContext>: Sendable {
    let desk: any DoorBatchDesk
    let maxBodyBytes: Int

    public init(desk: any DoorBatchDesk, maxBodyBytes: Int) {
        self.desk = desk
        self.maxBodyBytes = maxBodyBytes
    }

    /// `group` is the door's mount (`/anthropic`).
    public func register(on group: RouterGroup<Context>) {
        group.post("v1/messages/batches") { request, context in
            await Self.answer(requestId: context.id, logger: context.logger) {
                let requests = try AnthropicBatchCreate.read(try await AnthropicRoute.collect(request, limit: maxBodyBytes))
                // Anthropic's batches all expire after a day.
                let batch = try await desk.createBatch(DoorBatchCreate(dialect: .anthropic, input: .requests(requests), timeoutHours: 24))
                return Self.json(AnthropicBatchView.object(batch, resultsBase: Self.base(request)))
            }
        }
        group.get("v1/messages/batches") { request, context in
            await Self.answer(requestId: context.id, logger: context.logger) {
                let page = try Self.page(
                    try await desk.batches(dialect: .anthropic).map { AnthropicBatchView.object($0, resultsBase: Self.base(request)) },
                    query: Self.query(request))
                return Self.json(page)
            }
        }
        group.get("v1/messages/batches/:id") { request, context in
            await Self.answer(requestId: context.id, logger: context.logger) {
                let batch = try await Self.named(context) { try await desk.batch(id: $0, dialect: .anthropic) }
                return Self.json(AnthropicBatchView.object(batch, resultsBase: Self.base(request)))
            }
        }
        group.post("v1/messages/batches/:id/cancel") { request, context in
            await Self.answer(requestId: context.id, logger: context.logger) {
                let batch = try await Self.named(context) { try await desk.cancelBatch(id: $0, dialect: .anthropic) }
                return Self.json(AnthropicBatchView.object(batch, resultsBase: Self.base(request)))
            }
        }
        group.delete("v1/messages/batches/:id") { _, context in
            await Self.answer(requestId: context.id, logger: context.logger) {
                try await Self.named(context) { try await desk.deleteBatch(id: $0, dialect: .anthropic) }
                return Self.json(AnthropicBatchView.deleted(try context.parameters.require("id")))
            }
        }
        group.get("v1/messages/batches/:id/results") { _, context in
            await Self.answer(requestId: context.id, logger: context.logger) {
                let lines = try await Self.named(context) { try await desk.batchResults(id: $0, dialect: .anthropic) }
                return Response(
                    status: .ok, headers: [.contentType: "application/x-jsonl"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: lines)))
            }
        }
    }

    /// The desk's not-found named after the id the caller sent.
    static func named<T>(_ context: Context, _ work: (String) async throws -> T) async throws -> T {
        let id = try context.parameters.require("id")
        do {
            return try await work(AnthropicBatchView.deskId(id))
        } catch let error as GatewayError where error.kind == .notFound {
            throw GatewayError(.notFound, "No message batch with id \(id) exists.")
        }
    }

    /// Every failure in Anthropic's shape and every answer with `request-id`. These routes start no call of the
    /// pipeline: the batch's requests are the calls, each recorded on its own when the runner sends it.
    static func answer(requestId: String, logger: Logger, _ handler: () async throws -> Response) async -> Response {
        var response: Response
        do {
            response = try await handler()
        } catch {
            response = AnthropicErrorMapper.response(DoorCall.classify(error, logger: logger), requestId: requestId)
        }
        response.headers[AnthropicErrorMapper.requestIdField] = requestId
        return response
    }

    static func query(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { out[String(name)] = String(value) }
        return out
    }

    /// Newest first, as Anthropic lists them: `after_id` pages on to older batches, `before_id` back to newer ones.
    static func page(_ batches: [JSONValue], query: [String: String]) throws(GatewayError) -> JSONValue {
        var limit = 20
        if let raw = query["limit"] {
            guard let asked = Int(raw), (1...1000).contains(asked) else {
                throw GatewayError(.validation, "limit: must be an integer between 1 and 1000")
            }
            limit = asked
        }
        let ids = batches.map { $0["id"]?.stringValue ?? "" }
        let page: ArraySlice<JSONValue>
        let hasMore: Bool
        if let before = query["before_id"] {
            let end = ids.firstIndex(of: before) ?? 0
            let start = max(0, end - limit)
            page = batches[start..<end]
            hasMore = start > 0
        } else {
            var start = 0
            if let after = query["after_id"] { start = ids.firstIndex(of: after).map { $0 + 1 } ?? batches.count }
            page = batches[start..<min(batches.count, start + limit)]
            hasMore = start + limit < batches.count
        }
        return .object([
            "data": .array(Array(page)), "has_more": .bool(hasMore), "first_id": page.first?["id"] ?? .null, "last_id": page.last?["id"] ?? .null,
        ])
    }

    static func json(_ value: JSONValue) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The door's own URL as the caller reached it, for `results_url`.
    static func base(_ request: Request) -> String {
        let scheme = request.headers[HTTPField.Name("x-forwarded-proto")!] ?? request.head.scheme ?? "http"
        let host = request.head.authority ?? request.headers[HTTPField.Name("host")!] ?? "localhost"
        return "\(scheme)://\(host)/anthropic"
    }
}
