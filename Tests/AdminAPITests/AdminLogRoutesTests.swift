import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import RequestLog
import Stores
import SwitchyardModel
import Testing

@testable import SwitchyardServer

@Suite struct AdminLogRoutesTests {
    static func withApp(_ rows: [RequestLogRecord], _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("admin-api-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try await GatewayStore.open(dataDir: dir, logger: Logger(label: "test"))
        defer { try? store.close() }
        try await store.requestLog.append(rows)
        let router = Router()
        AdminLogRoutes<BasicRequestContext>(store: store.requestLog, feed: RequestLogFeed(), logger: Logger(label: "test"))
            .register(on: router.group("api"))
        try await Application(router: router).test(.router, body)
    }

    static func row(_ id: String, at seconds: Double, provider: String, status: Int = 200, cost: Int64? = 1000) -> RequestLogRecord {
        RequestLogRecord(
            id: id, startedAt: Date(timeIntervalSince1970: seconds), endedAt: Date(timeIntervalSince1970: seconds + 0.5),
            door: "bedrock-runtime", operation: "Converse", route: "/bedrock/model/{modelId}/converse", httpStatus: status,
            errorCode: status == 200 ? nil : "ThrottlingException", errorClass: status == 200 ? nil : .provider,
            provider: provider, modelResolved: "m", tokens: RequestLogTokens(input: 10, output: 5),
            cost: cost.map(USDAmount.init(nanos:)), latencyMs: 500, traceId: String(repeating: "a", count: 32))
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test func pagesAreNewestFirstWithTotalsAndACursor() async throws {
        let rows = (0..<5).map { Self.row("r\($0)", at: 1_700_000_000 + Double($0), provider: $0 % 2 == 0 ? "openai" : "anthropic") }
        try await Self.withApp(rows) { client in
            let first = try await client.execute(uri: "/api/logs?limit=3", method: .get)
            #expect(first.status == .ok)
            let page = try Self.json(first.body)
            let logs = try #require(page["logs"] as? [[String: Any]])
            #expect(logs.map { $0["id"] as? String } == ["r4", "r3", "r2"])
            #expect(logs[0].keys.contains("error_code") && logs[0]["error_code"] is NSNull)
            let totals = try #require(page["totals"] as? [String: Any])
            #expect(totals["count"] as? Int == 5 && totals["cost_usd"] as? String == "0.000005")
            let next = try #require(page["next"] as? String)
            let second = try Self.json(try await client.execute(uri: "/api/logs?limit=3&before=\(next)", method: .get).body)
            #expect((second["logs"] as? [[String: Any]])?.map { $0["id"] as? String } == ["r1", "r0"])
            #expect(second["next"] is NSNull)
            let openai = try Self.json(try await client.execute(uri: "/api/logs?provider=openai", method: .get).body)
            #expect((openai["logs"] as? [[String: Any]])?.count == 3)
        }
    }

    @Test func badFiltersAreA400WithAMessage() async throws {
        try await Self.withApp([]) { client in
            for (query, named) in [("limit=5000", "limit"), ("error_class=x", "error_class"), ("before=%%%", "before"), ("nope=1", "nope")] {
                let response = try await client.execute(uri: "/api/logs?\(query)", method: .get)
                #expect(response.status == .badRequest, "\(query)")
                let error = try #require(try Self.json(response.body)["error"] as? [String: String])
                #expect(error["code"] == "InvalidFilter" && error["message"]?.contains(named) == true, "\(query)")
            }
        }
    }

    @Test func totalsCountUnpricedRowsApart() async throws {
        let rows = [Self.row("a", at: 1, provider: "openai"), Self.row("b", at: 2, provider: "openai", status: 429, cost: nil)]
        try await Self.withApp(rows) { client in
            let totals = try Self.json(try await client.execute(uri: "/api/logs/totals", method: .get).body)
            #expect(totals["count"] as? Int == 2 && totals["succeeded"] as? Int == 1 && totals["unpriced"] as? Int == 1)
            #expect(totals["cost_usd"] as? String == "0.000001" && totals["success_rate"] as? Double == 0.5)
        }
    }

    @Test func formEncodedSearchTextKeepsItsSpacesAndPluses() {
        #expect(AdminLogRoutes<BasicRequestContext>.formPairs("q=two+words&x=a%2Bb").map { [$0.0, $0.1] } == [["q", "two words"], ["x", "a+b"]])
    }
}
