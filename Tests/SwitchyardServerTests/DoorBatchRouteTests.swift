import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import OpenAIDialect
import Synchronization
import SwitchyardModel
import Testing

@testable import AnthropicDoor
@testable import OpenAIDoor

/// A desk that keeps batches in memory as given, so the routes' own work shows: reading and refusing bodies,
/// naming ids, paging, and showing a desk's batch in the door's dialect.
final class MemoryDoorBatchDesk: DoorBatchDesk {
    let batches = Mutex([DoorBatch]())
    let created = Mutex([DoorBatchCreate]())
    let results = Mutex([String: [UInt8]]())

    func createBatch(_ create: DoorBatchCreate) async throws -> DoorBatch {
        created.withLock { $0.append(create) }
        let total = if case .requests(let requests) = create.input { requests.count } else { 0 }
        let batch = Self.batch(id: String(format: "b%011d", created.withLock { $0.count }), total: total, notes: create.notes)
        batches.withLock { $0.insert(batch, at: 0) }
        return batch
    }

    func batch(id: String, dialect: DoorBatchDialect) async throws -> DoorBatch {
        guard let batch = batches.withLock({ $0.first { $0.id == id } }) else { throw GatewayError(.notFound, "no \(id)") }
        return batch
    }

    func batches(dialect: DoorBatchDialect) async throws -> [DoorBatch] { batches.withLock { $0 } }

    func cancelBatch(id: String, dialect: DoorBatchDialect) async throws -> DoorBatch {
        var batch = try await self.batch(id: id, dialect: dialect)
        batch.status = "Stopping"
        batch.isEnded = false
        batch.cancelRequestedAt = Date()
        return batch
    }

    func deleteBatch(id: String, dialect: DoorBatchDialect) async throws {
        _ = try await batch(id: id, dialect: dialect)
        batches.withLock { $0.removeAll { $0.id == id } }
    }

    func batchResults(id: String, dialect: DoorBatchDialect) async throws -> [UInt8] {
        _ = try await batch(id: id, dialect: dialect)
        return results.withLock { $0[id] } ?? []
    }

    static func batch(id: String, status: String = "Submitted", total: Int, processed: Int = 0, succeeded: Int = 0, notes: [String: String] = [:])
        -> DoorBatch
    {
        let ended = ["Completed", "PartiallyCompleted", "Failed", "Stopped", "Expired"].contains(status)
        return DoorBatch(
            id: id, status: status, isEnded: ended, message: nil, createdAt: Date(timeIntervalSince1970: 1_700_000_000), startedAt: nil,
            cancelRequestedAt: nil, endedAt: ended ? Date(timeIntervalSince1970: 1_700_000_100) : nil,
            expiresAt: Date(timeIntervalSince1970: 1_700_086_400), total: total, processed: processed, succeeded: succeeded,
            errored: processed - succeeded, notes: notes)
    }
}

@Suite struct AnthropicBatchRouteTests {
    let desk = MemoryDoorBatchDesk()

    func send(_ method: HTTPRequest.Method, _ path: String, body: String? = nil) async throws -> TestResponse {
        let router = Router()
        AnthropicBatchRoutes<BasicRequestContext>(desk: desk, maxBodyBytes: 1 << 20).register(on: router.group("anthropic"))
        return try await Application(router: router).test(.router) { client in
            try await client.execute(
                uri: path, method: method, headers: [.contentType: "application/json"],
                body: body.map { ByteBuffer(string: $0) })
        }
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    static func request(_ id: String, model: String = "anthropic/claude") -> String {
        #"{"custom_id":"\#(id)","params":{"model":"\#(model)","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}}"#
    }

    @Test func createHandsTheDeskTheRequestsAndShowsAMessageBatch() async throws {
        let response = try await send(.post, "/anthropic/v1/messages/batches", body: #"{"requests":[\#(Self.request("a")),\#(Self.request("b-2"))]}"#)
        #expect(response.status == .ok)
        let body = try Self.json(response)
        #expect(body["type"] as? String == "message_batch" && body["processing_status"] as? String == "in_progress")
        #expect((body["id"] as? String)?.hasPrefix("msgbatch_") == true && body["results_url"] is NSNull && body["ended_at"] is NSNull)
        #expect(body["request_counts"] as? [String: Int] == ["processing": 2, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0])
        #expect(body["created_at"] as? String == "2023-11-14T22:13:20.000Z")
        let create = try #require(desk.created.withLock { $0.first })
        #expect(create.dialect == .anthropic && create.timeoutHours == 24)
        guard case .requests(let requests) = create.input else { Issue.record("not inline"); return }
        #expect(requests.map(\.customId) == ["a", "b-2"] && requests[1].params["max_tokens"] == 8)
    }

    @Test func badCreatesAreRefusedInAnthropicsShapeBeforeTheDesk() async throws {
        let bodies = [
            #"{"requests":[\#(Self.request("a")),\#(Self.request("a"))]}"#, #"{"requests":[\#(Self.request("no spaces"))]}"#,
            #"{"requests":[\#(Self.request(String(repeating: "x", count: 65)))]}"#, #"{"requests":[]}"#, #"{"requests":"no"}"#, "[]",
            #"{"requests":[{"custom_id":"a","params":{"model":"m","max_tokens":8}}]}"#,
            #"{"requests":[{"custom_id":"a","params":{"model":"m","max_tokens":8,"stream":true,"messages":[{"role":"user","content":"x"}]}}]}"#,
            #"{"requests":[{"custom_id":"a"}]}"#,
        ]
        for body in bodies {
            let response = try await send(.post, "/anthropic/v1/messages/batches", body: body)
            #expect(response.status == .badRequest, "\(body)")
            let error = try Self.json(response)
            #expect(error["type"] as? String == "error" && (error["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")
            #expect(response.headers[HTTPField.Name("request-id")!] != nil)
        }
        let duplicate = try Self.json(try await send(.post, "/anthropic/v1/messages/batches", body: bodies[0]))
        #expect(((duplicate["error"] as? [String: Any])?["message"] as? String)?.hasPrefix("requests.1.custom_id") == true)
        #expect(desk.created.withLock { $0.isEmpty })
    }

    @Test func anEndedBatchHasItsResultsURLAndCountsTheUnrunAsTheRunnerSays() async throws {
        desk.batches.withLock {
            $0 = [MemoryDoorBatchDesk.batch(id: "abcdefghijkl", status: "Stopped", total: 5, processed: 2, succeeded: 1, notes: ["unrun": "canceled"])]
        }
        let body = try Self.json(try await send(.get, "/anthropic/v1/messages/batches/msgbatch_abcdefghijkl"))
        #expect(body["processing_status"] as? String == "ended" && body["ended_at"] as? String == "2023-11-14T22:15:00.000Z")
        // The host is the one the caller reached (the e2e tests check it against a live server's).
        let url = try #require(body["results_url"] as? String)
        #expect(url.hasPrefix("http://") && url.hasSuffix("/anthropic/v1/messages/batches/msgbatch_abcdefghijkl/results"))
        #expect(body["request_counts"] as? [String: Int] == ["processing": 0, "succeeded": 1, "errored": 1, "canceled": 3, "expired": 0])
        desk.results.withLock { $0["abcdefghijkl"] = Array(#"{"custom_id":"a","result":{"type":"canceled"}}"#.utf8) + [10] }
        let results = try await send(.get, "/anthropic/v1/messages/batches/msgbatch_abcdefghijkl/results")
        #expect(results.status == .ok && String(buffer: results.body) == #"{"custom_id":"a","result":{"type":"canceled"}}"# + "\n")
        let canceling = try Self.json(try await send(.post, "/anthropic/v1/messages/batches/msgbatch_abcdefghijkl/cancel"))
        #expect(canceling["processing_status"] as? String == "canceling" && canceling["cancel_initiated_at"] is String)
        let deleted = try Self.json(try await send(.delete, "/anthropic/v1/messages/batches/msgbatch_abcdefghijkl"))
        #expect(deleted["id"] as? String == "msgbatch_abcdefghijkl" && deleted["type"] as? String == "message_batch_deleted")
    }

    @Test func unknownIdsAreNotFoundByTheIdTheCallerSent() async throws {
        for path in ["/anthropic/v1/messages/batches/msgbatch_nothinghere0", "/anthropic/v1/messages/batches/plainly-wrong/results"] {
            let response = try await send(.get, path)
            #expect(response.status == .notFound)
            let error = try #require(try Self.json(response)["error"] as? [String: Any])
            #expect(error["type"] as? String == "not_found_error" && (error["message"] as? String)?.contains(path.split(separator: "/")[4]) == true)
        }
    }

    @Test func listPagesBothWays() async throws {
        let ids = (0..<5).map { String(format: "id%010d", $0) }
        desk.batches.withLock { $0 = ids.map { MemoryDoorBatchDesk.batch(id: $0, total: 1) } }
        func page(_ query: String) async throws -> (ids: [String], more: Bool, first: String?, last: String?) {
            let body = try Self.json(try await send(.get, "/anthropic/v1/messages/batches" + query))
            let data = try #require(body["data"] as? [[String: Any]])
            return (data.compactMap { ($0["id"] as? String)?.replacingOccurrences(of: "msgbatch_", with: "") }, body["has_more"] as? Bool ?? false,
                body["first_id"] as? String, body["last_id"] as? String)
        }
        let first = try await page("?limit=2")
        #expect(first.ids == Array(ids[0..<2]) && first.more && first.first == "msgbatch_\(ids[0])" && first.last == "msgbatch_\(ids[1])")
        let next = try await page("?limit=2&after_id=msgbatch_\(ids[3])")
        #expect(next.ids == [ids[4]] && !next.more)
        let back = try await page("?limit=2&before_id=msgbatch_\(ids[3])")
        #expect(back.ids == Array(ids[1..<3]) && back.more)
        let all = try await page("")
        #expect(all.ids == ids && !all.more)
        #expect(try await send(.get, "/anthropic/v1/messages/batches?limit=1001").status == .badRequest)
    }
}

@Suite struct OpenAIBatchViewTests {
    @Test func statusesAsOpenAIShowsThem() {
        func status(_ status: String, processed: Int = 0, total: Int = 2, message: String? = nil) -> OpenAIBatchObject.Status {
            var batch = MemoryDoorBatchDesk.batch(id: "abcdefghijkl", status: status, total: total, processed: processed)
            batch.message = message
            return OpenAIBatchView.status(batch)
        }
        #expect(status("Submitted") == .validating && status("Validating") == .validating)
        #expect(status("InProgress", processed: 1) == .inProgress && status("InProgress", processed: 2) == .finalizing)
        #expect(status("PartiallyCompleted", processed: 2) == .completed && status("Failed", processed: 2) == .completed)
        #expect(status("Failed", total: 0) == .failed && status("Stopping") == .cancelling)
        #expect(status("Stopped") == .cancelled && status("Stopped", message: "budget") == .failed && status("Expired") == .expired)
    }

    @Test func notesComeBackAsTheBatchsFields() {
        let request = OpenAIBatchRequest(inputFileId: "file-x", endpoint: "/v1/embeddings", completionWindow: "24h", metadata: ["team": "ml"])
        var notes = OpenAIBatchView.notes(request, inputFileId: "file-x")
        notes["outputFileId"] = "file-out"
        let object = OpenAIBatchView.object(MemoryDoorBatchDesk.batch(id: "abcdefghijkl", status: "Completed", total: 1, processed: 1, succeeded: 1, notes: notes))
        #expect(object.id == "batch_abcdefghijkl" && object.endpoint == "/v1/embeddings" && object.inputFileId == "file-x")
        #expect(object.metadata == ["team": "ml"] && object.outputFileId == "file-out" && object.errorFileId == nil && object.completedAt != nil)
        #expect(OpenAIBatchView.deskId("batch_abcdefghijkl") == "abcdefghijkl" && OpenAIBatchView.deskId("abcdefghijkl") == "")
    }
}
