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
    /// Through the gateway's `/api` registration, so the token check is in front as in production.
    static func withApp(_ rows: [RequestLogRecord], _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await AdminHarness.with(rows: rows) { client, _ in try await body(client) }
    }

    static func row(
        _ id: String, at seconds: Double, provider: String, status: Int = 200, cost: Int64? = 1000, caller: String? = nil
    ) -> RequestLogRecord {
        RequestLogRecord(
            id: id, startedAt: Date(timeIntervalSince1970: seconds), endedAt: Date(timeIntervalSince1970: seconds + 0.5),
            door: "bedrock-runtime", operation: "Converse", route: "/bedrock/model/{modelId}/converse", httpStatus: status,
            errorCode: status == 200 ? nil : "ThrottlingException", errorClass: status == 200 ? nil : .provider,
            provider: provider, modelResolved: "m", tokens: RequestLogTokens(input: 10, output: 5),
            cost: cost.map(USDAmount.init(nanos:)), latencyMs: 500, callerIdentity: caller, traceId: String(repeating: "a", count: 32))
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test func pagesAreNewestFirstWithTotalsAndACursor() async throws {
        let rows = (0..<5).map { Self.row("r\($0)", at: 1_700_000_000 + Double($0), provider: $0 % 2 == 0 ? "openai" : "anthropic") }
        try await Self.withApp(rows) { client in
            let first = try await client.admin("/api/logs?limit=3")
            #expect(first.status == .ok)
            let page = try Self.json(first.body)
            let logs = try #require(page["logs"] as? [[String: Any]])
            #expect(logs.map { $0["id"] as? String } == ["r4", "r3", "r2"])
            #expect(logs[0].keys.contains("error_code") && logs[0]["error_code"] is NSNull)
            let totals = try #require(page["totals"] as? [String: Any])
            #expect(totals["count"] as? Int == 5 && totals["cost_usd"] as? String == "0.000005")
            let next = try #require(page["next"] as? String)
            let second = try Self.json(try await client.admin("/api/logs?limit=3&before=\(next)").body)
            #expect((second["logs"] as? [[String: Any]])?.map { $0["id"] as? String } == ["r1", "r0"])
            #expect(second["next"] is NSNull)
            let openai = try Self.json(try await client.admin("/api/logs?provider=openai").body)
            #expect((openai["logs"] as? [[String: Any]])?.count == 3)
        }
    }

    @Test func badFiltersAreA400WithAMessage() async throws {
        try await Self.withApp([]) { client in
            for (query, named) in [("limit=5000", "limit"), ("error_class=x", "error_class"), ("before=%%%", "before"), ("nope=1", "nope")] {
                let response = try await client.admin("/api/logs?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                let error = try #require(try Self.json(response.body)["error"] as? [String: String])
                #expect(error["code"] == "InvalidFilter" && error["message"]?.contains(named) == true, "\(query)")
            }
        }
    }

    @Test func totalsCountUnpricedRowsApart() async throws {
        let rows = [Self.row("a", at: 1, provider: "openai"), Self.row("b", at: 2, provider: "openai", status: 429, cost: nil)]
        try await Self.withApp(rows) { client in
            let totals = try Self.json(try await client.admin("/api/logs/totals").body)
            #expect(totals["count"] as? Int == 2 && totals["succeeded"] as? Int == 1 && totals["unpriced"] as? Int == 1)
            #expect(totals["cost_usd"] as? String == "0.000001" && totals["success_rate"] as? Double == 0.5)
        }
    }

    @Test func theKeyFilterPicksOneCallersRows() async throws {
        let rows = [
            Self.row("a1", at: 1, provider: "openai", caller: "key-a"), Self.row("a2", at: 2, provider: "openai", cost: 3000, caller: "key-a"),
            Self.row("b1", at: 3, provider: "openai", caller: "key-b"), Self.row("anon", at: 4, provider: "openai"),
        ]
        try await Self.withApp(rows) { client in
            let page = try Self.json(try await client.admin("/api/logs?key_id=key-a").body)
            #expect((page["logs"] as? [[String: Any]])?.map { $0["id"] as? String } == ["a2", "a1"])
            #expect((page["logs"] as? [[String: Any]])?.first?["caller_identity"] as? String == "key-a")
            let totals = try Self.json(try await client.admin("/api/logs/totals?key_id=key-a").body)
            #expect(totals["count"] as? Int == 2 && totals["cost_usd"] as? String == "0.000004")
            let both = try Self.json(try await client.admin("/api/logs?key_id=key-a,key-b").body)
            #expect((both["logs"] as? [[String: Any]])?.count == 3)
        }
    }

    @Test func theLiveFeedTakesOnlyTheKeyFilterAndAppliesIt() async throws {
        try await AdminHarness.with { client, harness in
            let refused = try await client.admin("/api/logs/stream?provider=openai")
            #expect(refused.status == .badRequest)
            let feed = harness.requestLog.feed
            async let answer = client.admin("/api/logs/stream?key_id=key-a")
            // The subscription is what the handler makes before its head goes out; records published before it are not in it.
            while feed.subscriberCount == 0 { await Task.yield() }
            feed.publish(Self.row("not-mine", at: 1, provider: "openai", caller: "key-b"))
            feed.publish(Self.row("anonymous", at: 2, provider: "openai"))
            feed.publish(Self.row("mine", at: 3, provider: "openai", caller: "key-a"))
            feed.close()
            let text = String(buffer: try await answer.body)
            #expect(text.contains("\"id\":\"mine\""))
            #expect(!text.contains("not-mine") && !text.contains("anonymous"))
        }
    }

    @Test func formEncodedSearchTextKeepsItsSpacesAndPluses() {
        #expect(AdminLogRoutes<BasicRequestContext>.formPairs("q=two+words&x=a%2Bb").map { [$0.0, $0.1] } == [["q", "two words"], ["x", "a+b"]])
    }
}
