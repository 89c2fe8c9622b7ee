import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RequestLog
import Stores

/// `GET /api/logs` (a filtered page, newest first, with totals), `GET /api/logs/totals` and `GET /api/logs/stream`
/// (server-sent events, one `data:` line per ended call), behind the admin token like every `/api` route.
public struct AdminLogRoutes<Context: RequestContext>: Sendable {
    let store: any RequestLogStore
    let feed: RequestLogFeed?
    let logger: Logger

    public init(store: any RequestLogStore, feed: RequestLogFeed?, logger: Logger) {
        self.store = store
        self.feed = feed
        self.logger = logger
    }

    public func register(on router: RouterGroup<Context>) {
        router.get("logs") { request, _ in await answer { try await page(request) } }
        router.get("logs/totals") { request, _ in await answer { try await totals(request) } }
        router.get("logs/series") { request, _ in await answer { try await series(request) } }
        router.get("logs/stream") { request, _ in await answer { try stream(request) } }
    }

    func query(_ request: Request) throws(LogQueryError) -> LogQuery {
        try LogQuery(Self.formPairs(request.uri.query ?? ""))
    }

    /// The query string as a form encodes it: `+` is a space (browsers and `requests` send `q=two+words`), `%2B`
    /// a plus.
    static func formPairs(_ query: String) -> [(String, String)] {
        query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    func page(_ request: Request) async throws -> Response {
        let query = try query(request)
        async let page = store.query(query.filter, after: query.before, limit: query.limit)
        async let totals = store.totals(query.filter)
        let body = LogPageJSON(logs: try await page.records.map(LogRowJSON.init), next: try await page.next?.token, totals: LogTotalsJSON(try await totals))
        return AdminResponse.json(try AdminJSON.encode(body))
    }

    func totals(_ request: Request) async throws -> Response {
        let query = try query(request)
        return AdminResponse.json(try AdminJSON.encode(LogTotalsJSON(try await store.totals(query.filter))))
    }

    /// `bucket` is the width in seconds (60 unless given, at most a day's 86,400 per bucket and 10,000 buckets in
    /// the filter's time range); the other parameters filter as for `GET /api/logs`.
    func series(_ request: Request) async throws -> Response {
        let pairs = Self.formPairs(request.uri.query ?? "")
        let bucketText = pairs.last { $0.0 == "bucket" }?.1
        guard let bucket = bucketText.map({ Int($0) }) ?? 60, (1...86_400).contains(bucket) else {
            throw LogQueryError("bucket must be a whole number of seconds from 1 to 86400")
        }
        let query = try LogQuery(pairs.filter { $0.0 != "bucket" })
        let from = query.filter.startedFrom ?? .distantPast, to = query.filter.startedBefore ?? Date()
        if query.filter.startedFrom != nil, to.timeIntervalSince(from) / Double(bucket) > 10_000 {
            throw LogQueryError("more than 10000 buckets of \(bucket) s between from and to; use a wider bucket")
        }
        return AdminResponse.json(try AdminJSON.encode(LogSeriesJSON(try await store.series(query.filter, bucketSeconds: bucket))))
    }

    func stream(_ request: Request) throws -> Response {
        guard let feed else { throw AdminAPIError(status: .notFound, code: "NotFound", "the live feed is off (logging.enabled is false)") }
        // Only the caller filter applies to the live feed; refusing the others says so instead of streaming everything.
        let keyIds = try Self.feedKeyIds(request)
        // Subscribed before the head goes out, so a call that ends once the client has the head is in the feed.
        let events = feed.subscribe()
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: ": connected\n\n"))
                for await event in events {
                    switch event {
                    case .record(let record):
                        if !keyIds.isEmpty, !keyIds.contains(record.callerIdentity ?? "") { continue }
                        var line = ByteBuffer(string: "event: log\ndata: ")
                        line.writeBytes(try AdminJSON.encode(LogRowJSON(record)))
                        line.writeString("\n\n")
                        try await writer.write(line)
                    case .heartbeat:
                        try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    }
                }
                try await writer.finish(nil)
            })
    }

    /// The live feed's only filter: `key_id` (repeated or comma-separated).
    static func feedKeyIds(_ request: Request) throws -> Set<String> {
        var keyIds: Set<String> = []
        for (name, value) in formPairs(request.uri.query ?? "") {
            guard name == "key_id" else {
                throw AdminAPIError(status: .badRequest, code: "InvalidFilter", "the live feed takes only key_id (got '\(name)')")
            }
            keyIds.formUnion(value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        return keyIds
    }

    /// Every failure as JSON: a bad filter is the caller's 400, anything else a 500 that names no internals.
    func answer(_ handler: () async throws -> Response) async -> Response {
        do {
            return try await handler()
        } catch let error as LogQueryError {
            return AdminResponse.error(.badRequest, code: "InvalidFilter", error.message)
        } catch let error as AdminAPIError {
            return AdminResponse.error(error.status, code: error.code, error.message)
        } catch {
            logger.error("request log query failed", metadata: ["error": "\(error)"])
            return AdminResponse.error(.internalServerError, code: "InternalError", "the request log could not be read")
        }
    }
}
