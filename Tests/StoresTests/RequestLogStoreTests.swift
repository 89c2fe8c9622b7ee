import Foundation
import Logging
import SwitchyardModel
import Testing

@testable import Stores

struct RequestLogStoreCase {
    let opened: OpenedStore
    let store: any RequestLogStore

    init(_ backend: StoreBackend) async throws {
        opened = try await backend.open()
        store = opened.store.requestLog
    }

    /// A row starting `second` seconds (plus `micros`) after a fixed epoch; built through the log's own clock unit
    /// so the dates compare equal after the round trip.
    func row(
        _ id: String, second: Int64, micros: Int64 = 0, status: Int = 200, errorCode: String? = nil,
        errorClass: RequestLogErrorClass? = nil, provider: String? = "openai", model: String? = "gpt-4o-mini",
        requested: String? = nil, latency: Int = 100, cost: USDAmount? = USDAmount(nanos: 1000),
        tokens: RequestLogTokens = RequestLogTokens(input: 10, output: 5), contentIn: String? = nil,
        contentOut: String? = nil
    ) -> RequestLogRecord {
        let start = 1_700_000_000_000_000 + second * 1_000_000 + micros
        return RequestLogRecord(
            id: id, startedAt: RequestLogTime.date(start), endedAt: RequestLogTime.date(start + Int64(latency) * 1000),
            door: "bedrock", operation: "Converse", route: "/bedrock/model/{modelId}/converse", httpStatus: status,
            errorCode: errorCode, errorClass: errorClass, provider: provider, modelRequested: requested ?? model,
            modelResolved: model, tokens: tokens, cost: cost, latencyMs: latency, contentIn: contentIn,
            contentOut: contentOut)
    }

    func ids(_ filter: RequestLogFilter) async throws -> [String] {
        try await store.query(filter, after: nil, limit: 100).records.map(\.id)
    }

    func everyFieldRoundTrips() async throws {
        let full = RequestLogRecord(
            id: "req-full", startedAt: RequestLogTime.date(1_700_000_000_123_456),
            endedAt: RequestLogTime.date(1_700_000_001_654_321), door: "bedrock", operation: "ConverseStream",
            route: "/bedrock/model/{modelId}/converse-stream", httpStatus: 200, errorCode: "ModelStreamErrorException",
            errorClass: .provider, provider: "anthropic", providerKeyName: "team-a", modelRequested: "fast",
            modelResolved: "claude-sonnet-4-5", stream: true, stopReason: "end_turn",
            tokens: RequestLogTokens(input: 1200, output: 300, cacheRead: 1000, cacheWrite: 100),
            cost: USDAmount(nanos: 7_012_345), priceVersion: "2025-12-01", latencyMs: 1531, upstreamLatencyMs: 1500,
            timeToFirstTokenMs: 420, retries: 2, fallbackIndex: 1, batchJobId: "abcdefghijkl", callerIdentity: "vk-1",
            userAgent: "Boto3/1.43.11", contentIn: "héllo 👋", contentOut: "answer")
        let bare = RequestLogRecord(
            id: "req-bare", startedAt: RequestLogTime.date(1_700_000_000_000_000),
            endedAt: RequestLogTime.date(1_700_000_000_000_000), door: "s3", operation: "PutObject",
            route: "/bedrock/files/{bucket}/{key}", httpStatus: 400, latencyMs: 0)
        try await store.append([full, bare])
        let page = try await store.query(RequestLogFilter(), after: nil, limit: 10)
        #expect(page.records == [full, bare])
        #expect(page.next == nil)
        #expect(!page.records[0].succeeded)
    }

    func aRepeatedIdReplacesTheRow() async throws {
        try await store.append([row("a", second: 1, status: 200)])
        try await store.append([row("a", second: 1, status: 503, errorCode: "ServiceUnavailableException")])
        let records = try await store.query(RequestLogFilter(), after: nil, limit: 10).records
        #expect(records.map(\.httpStatus) == [503])
    }

    func filters() async throws {
        try await store.append([
            row("ok-openai", second: 1, latency: 50, cost: USDAmount(nanos: 10), contentIn: "What is 100% of PI?"),
            row("slow-anthropic", second: 2, provider: "anthropic", model: "claude-haiku-4-5", latency: 900,
                cost: USDAmount(nanos: 5000), contentOut: "The ANSWER is 42"),
            row("throttled", second: 3, status: 429, errorCode: "ThrottlingException", errorClass: .provider,
                latency: 10, cost: nil),
            row("bad-input", second: 4, status: 400, errorCode: "ValidationException", errorClass: .caller,
                provider: nil, model: nil, requested: "nope/x", latency: 1, cost: nil),
            row("stream-broke", second: 5, status: 200, errorCode: "ModelStreamErrorException", errorClass: .provider,
                model: "gpt-4.1", requested: "fast", latency: 300),
        ])
        #expect(try await ids(RequestLogFilter()) == ["stream-broke", "bad-input", "throttled", "slow-anthropic", "ok-openai"])
        #expect(try await ids(RequestLogFilter(providers: ["anthropic"])) == ["slow-anthropic"])
        // A model matches by the name asked for as well as the one that answered.
        #expect(try await ids(RequestLogFilter(models: ["fast", "claude-haiku-4-5"])) == ["stream-broke", "slow-anthropic"])
        #expect(try await ids(RequestLogFilter(models: ["nope/x"])) == ["bad-input"])
        #expect(try await ids(RequestLogFilter(httpStatuses: [429, 400])) == ["bad-input", "throttled"])
        #expect(try await ids(RequestLogFilter(errorClasses: [.provider])) == ["stream-broke", "throttled"])
        #expect(try await ids(RequestLogFilter(succeeded: true)) == ["slow-anthropic", "ok-openai"])
        #expect(try await ids(RequestLogFilter(succeeded: false)) == ["stream-broke", "bad-input", "throttled"])
        #expect(try await ids(RequestLogFilter(minLatencyMs: 300)) == ["stream-broke", "slow-anthropic"])
        // Unpriced rows have no cost to compare: never at least anything.
        #expect(try await ids(RequestLogFilter(minCost: USDAmount(nanos: 11))) == ["stream-broke", "slow-anthropic"])
        #expect(try await ids(RequestLogFilter(minCost: .zero)).count == 3)
        let from = RequestLogTime.date(1_700_000_000_000_000 + 2_000_000)
        let before = RequestLogTime.date(1_700_000_000_000_000 + 4_000_000)
        #expect(try await ids(RequestLogFilter(startedFrom: from, startedBefore: before)) == ["throttled", "slow-anthropic"])
        #expect(try await ids(RequestLogFilter(contentContains: "answer")) == ["slow-anthropic"])
        #expect(try await ids(RequestLogFilter(contentContains: "100%")) == ["ok-openai"])
        #expect(try await ids(RequestLogFilter(contentContains: "0%_")) == [])
        #expect(try await ids(RequestLogFilter(providers: ["openai"], succeeded: false, minLatencyMs: 100)) == ["stream-broke"])
    }

    func keysetPagesStayStableWhileRowsArrive() async throws {
        // Three rows share a start time, so the id breaks the tie.
        try await store.append([
            row("a", second: 1), row("b", second: 2), row("c", second: 2), row("d", second: 2), row("e", second: 3),
            row("f", second: 4), row("g", second: 5),
        ])
        let first = try await store.query(RequestLogFilter(), after: nil, limit: 3)
        #expect(first.records.map(\.id) == ["g", "f", "e"])
        // Rows logged meanwhile, newer than everything and at the page boundary's own time, move nothing.
        try await store.append([row("h", second: 9), row("ee", second: 3)])
        let cursor = try #require(first.next)
        #expect(RequestLogCursor(token: cursor.token) == cursor)
        let second = try await store.query(RequestLogFilter(), after: RequestLogCursor(token: cursor.token), limit: 3)
        #expect(second.records.map(\.id) == ["d", "c", "b"])
        let third = try await store.query(RequestLogFilter(), after: second.next, limit: 3)
        #expect(third.records.map(\.id) == ["a"])
        #expect(third.next == nil)
        // A page that ends exactly at the last row says so.
        let exact = try await store.query(RequestLogFilter(providers: ["openai"]), after: second.next, limit: 1)
        #expect(exact.records.map(\.id) == ["a"])
        #expect(exact.next == nil)
    }

    func cursorTokensRejectWhatTheyDidNotMake() {
        let cursor = RequestLogCursor(startedAtMicros: 1_700_000_000_000_001, id: "id_with_underscore/and+slash")
        #expect(RequestLogCursor(token: cursor.token) == cursor)
        #expect(!cursor.token.contains("="))
        for bad in ["", "!!!", Data("nounderscore".utf8).base64EncodedString(), Data("12_".utf8).base64EncodedString(),
                    Data("x1_id".utf8).base64EncodedString()] {
            #expect(RequestLogCursor(token: bad) == nil, "\(bad)")
        }
    }

    func totalsCountTokensCostUnpricedAndPercentiles() async throws {
        // Latencies 1…20 ms: nearest rank puts p50 at the 10th value and p95 at the 19th.
        var rows: [RequestLogRecord] = []
        for n in 1...20 {
            rows.append(row(
                "r\(n)", second: Int64(n), status: n % 5 == 0 ? 500 : 200, errorCode: n % 5 == 0 ? "InternalServerException" : nil,
                latency: 21 - n, cost: n % 4 == 0 ? nil : USDAmount(nanos: Int64(n) * 1_000_000_001),
                tokens: RequestLogTokens(input: n, output: 2 * n, cacheRead: 1, cacheWrite: n % 2)))
        }
        try await store.append(rows.shuffled())
        let totals = try await store.totals(RequestLogFilter())
        let priced = (1...20).filter { $0 % 4 != 0 }
        #expect(totals.count == 20)
        #expect(totals.succeeded == 16)
        #expect(totals.successRate == 0.8)
        #expect(totals.tokens == RequestLogTokens(input: 210, output: 420, cacheRead: 20, cacheWrite: 10))
        #expect(totals.cost == USDAmount(nanos: Int64(priced.reduce(0, +)) * 1_000_000_001))
        #expect(totals.unpriced == 5)
        #expect(totals.latencyP50Ms == 10)
        #expect(totals.latencyP95Ms == 19)

        let failures = try await store.totals(RequestLogFilter(succeeded: false))
        #expect(failures.count == 4)
        #expect(failures.latencyP50Ms == 6)  // latencies 1, 6, 11, 16: rank ⌈0.5·4⌉ = 2
        #expect(failures.latencyP95Ms == 16)  // rank ⌈0.95·4⌉ = 4

        let none = try await store.totals(RequestLogFilter(providers: ["nobody"]))
        #expect(none.count == 0)
        #expect(none.successRate == nil)
        #expect(none.cost == .zero)
        #expect(none.latencyP50Ms == nil)
        #expect(none.latencyP95Ms == nil)
    }

    func seriesBucketsEveryRowWithPercentilesAndTops() async throws {
        // Second 1 of the epoch is 20 s into the minute that starts at 1_699_999_980; second 45 is in the next one.
        try await store.append([
            row("a", second: 1, latency: 10), row("b", second: 2, latency: 40), row("c", second: 3, latency: 20),
            row("d", second: 4, status: 503, errorCode: "ServiceUnavailableException", errorClass: .provider, latency: 30),
            row("e", second: 45, model: "claude", latency: 100, cost: nil),
        ])
        let series = try await store.series(RequestLogFilter(), bucketSeconds: 60)
        #expect(series.buckets.map(\.start) == [1_699_999_980, 1_700_000_040])
        let first = try #require(series.buckets.first)
        #expect(first.calls == ["ok": 3, "provider": 1] && first.tokens == 60 && first.cost == USDAmount(nanos: 4000))
        #expect(first.latencyP50Ms == 20 && first.latencyP95Ms == 40)
        let second = try #require(series.buckets.last)
        #expect(second.calls == ["ok": 1] && second.cost == USDAmount(nanos: 0) && second.latencyP50Ms == 100 && second.latencyP95Ms == 100)
        #expect(series.topModels.map(\.name) == ["gpt-4o-mini", "claude"] && series.topModels.map(\.calls) == [4, 1])
        #expect(series.topKeys.map(\.name) == ["(no key)"] && series.topKeys.first?.cost == USDAmount(nanos: 4000))
        // The filter applies to the series as to pages.
        let failed = try await store.series(RequestLogFilter(succeeded: false), bucketSeconds: 3600)
        #expect(failed.buckets.count == 1 && failed.buckets.first?.calls == ["provider": 1])
    }

    func retentionDeletesOnlyOlderRows() async throws {
        try await store.append([row("old", second: 1), row("edge", second: 2), row("new", second: 3)])
        let removed = try await store.deleteStarted(before: RequestLogTime.date(1_700_000_000_000_000 + 2_000_000))
        #expect(removed == 1)
        #expect(try await ids(RequestLogFilter()) == ["new", "edge"])
        #expect(try await store.deleteStarted(before: RequestLogTime.date(0)) == 0)
    }
}

/// The `RequestLogStore` contract, run against every store backend.
@Suite struct RequestLogStoreTests {
    @Test(arguments: StoreBackend.available) func everyFieldRoundTrips(_ backend: StoreBackend) async throws {
        try await RequestLogStoreCase(backend).everyFieldRoundTrips()
    }

    @Test(arguments: StoreBackend.available) func aRepeatedIdReplacesTheRow(_ backend: StoreBackend) async throws {
        try await RequestLogStoreCase(backend).aRepeatedIdReplacesTheRow()
    }

    @Test(arguments: StoreBackend.available) func filters(_ backend: StoreBackend) async throws {
        try await RequestLogStoreCase(backend).filters()
    }

    @Test(arguments: StoreBackend.available) func keysetPagesStayStableWhileRowsArrive(_ backend: StoreBackend) async throws {
        try await RequestLogStoreCase(backend).keysetPagesStayStableWhileRowsArrive()
    }

    @Test(arguments: StoreBackend.available) func totalsCountTokensCostUnpricedAndPercentiles(_ backend: StoreBackend) async throws {
        try await RequestLogStoreCase(backend).totalsCountTokensCostUnpricedAndPercentiles()
    }

    @Test(arguments: StoreBackend.available) func seriesBucketsEveryRowWithPercentilesAndTops(_ backend: StoreBackend) async throws {
        try await RequestLogStoreCase(backend).seriesBucketsEveryRowWithPercentilesAndTops()
    }

    @Test(arguments: StoreBackend.available) func retentionDeletesOnlyOlderRows(_ backend: StoreBackend) async throws {
        try await RequestLogStoreCase(backend).retentionDeletesOnlyOlderRows()
    }

    /// SQLite only: its log lives in the data directory.
    @Test func theGatewayStoreOpensTheLogAndItSurvivesAReopen() async throws {
        let dir = try TemporaryDirectory()
        let logger = Logger(label: "test")
        do {
            let gateway = try await GatewayStore.open(dataDir: dir.path, logger: logger)
            try await gateway.requestLog.append([try await RequestLogStoreCase(.sqlite).row("kept", second: 1)])
            try gateway.close()
        }
        let gateway = try await GatewayStore.open(dataDir: dir.path, logger: logger)
        #expect(try await gateway.requestLog.query(RequestLogFilter(), after: nil, limit: 5).records.map(\.id) == ["kept"])
    }
}
