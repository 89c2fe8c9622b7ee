import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardModel
import Testing

@testable import S3Door
@testable import Stores

/// Provider file API calls go through the engine's pipeline: a request to a provider namespace is one call (door
/// `s3`, the S3 operation), each provider call an attempt of it; a plugin sees it and may refuse it.
@Suite struct FilePipelineTests {
    struct Setup {
        let dir = NSTemporaryDirectory() + "switchyard-pipeline-" + UUID().uuidString
        let store: GatewayStore
        let files: MemoryFileStore
        let plugin: RecordingPlugin
        let routes: S3Routes<BasicRequestContext>
        let backends: FileBackends

        init(files: MemoryFileStore = MemoryFileStore(), plugin: RecordingPlugin = RecordingPlugin()) async throws {
            let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            store = try await GatewayStore.open(dataDir: dir, logger: logger)
            self.files = files
            self.plugin = plugin
            let openai = ProviderConfig(
                name: "openai", kind: .openai, baseURL: "http://127.0.0.1:9",
                keys: [KeyConfig(name: "idle", value: "sk-idle", weight: 0), KeyConfig(name: "main", value: "sk-main-secret")])
            let engine = Engine(
                providers: [ProviderRuntime(config: openai, adapter: IdleChatProvider(), services: ProviderServices(files: files))],
                aliases: [:], plugins: [plugin], logger: logger)
            backends = FileBackends(store: store, engine: engine, logger: logger)
            routes = S3Routes(backends: backends, logger: logger)
        }

        /// `reading`: the answer's body is written out, as a connection does; the call ends only after it.
        func send(
            _ method: HTTPRequest.Method, _ path: String, body: String = "", provider: String? = "openai", reading: Bool = true
        ) async -> Response {
            var headers = HTTPFields()
            if let provider { headers[HTTPField.Name("x-model-provider")!] = provider }
            headers[.contentLength] = String(body.utf8.count)
            headers[.userAgent] = "Boto3/1.43.11 test"
            let head = HTTPRequest(method: method, scheme: "http", authority: "127.0.0.1", path: path, headerFields: headers)
            let response = await routes.handle(Request(head: head, body: RequestBody(buffer: ByteBuffer(string: body))))
            guard reading, response.status.code < 400 else { return response }
            _ = try? await BodyCollector.text(of: response)
            return response
        }

        func close() {
            try? store.close()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    @Test func uploadsDownloadsAndDeletesAreCallsOfThePipeline() async throws {
        let s = try await Setup()
        defer { s.close() }
        #expect(await s.send(.put, "/bedrock/files/in").status == .ok)
        #expect(await s.send(.put, "/bedrock/files/in/batch/input.jsonl", body: "{\"recordId\":\"1\"}\n").status == .ok)
        #expect(await s.send(.get, "/bedrock/files/in/batch/input.jsonl").status == .ok)
        #expect(await s.send(.delete, "/bedrock/files/in/batch/input.jsonl").status == .noContent)

        let records = s.plugin.records
        #expect(records.map(\.descriptor.operation) == ["CreateBucket", "PutObject", "GetObject", "DeleteObject"])
        #expect(records.allSatisfy { $0.descriptor.door == "s3" && $0.end?.outcome == .success })
        #expect(records.map(\.descriptor.route) == [
            "/bedrock/files/{bucket}", "/bedrock/files/{bucket}/{key+}", "/bedrock/files/{bucket}/{key+}", "/bedrock/files/{bucket}/{key+}",
        ])
        // CreateBucket is the gateway's index only; the other three each made one call to the provider's store.
        #expect(records.map(\.attempts) == [0, 1, 1, 1])
        for record in records.dropFirst() {
            #expect(record.provider == "openai")
            #expect(record.keyName == "main", "a provider's files live in one account: its first key with a weight")
            #expect(record.descriptor.userAgent == "Boto3/1.43.11 test")
        }
        #expect(s.plugin.starts.count == 3, "the plugins see each provider call before it is sent")
        #expect(s.files.keysSeen.withLock { $0 } == ["sk-main-secret"])
        #expect(s.files.files.withLock { $0.isEmpty })
    }

    /// A GetObject streams the provider's bytes after the head: its call ends once they are out, not at the head.
    @Test func aDownloadEndsAfterItsBody() async throws {
        let s = try await Setup()
        defer { s.close() }
        _ = await s.send(.put, "/bedrock/files/in")
        _ = await s.send(.put, "/bedrock/files/in/a.jsonl", body: "{\"recordId\":\"1\"}\n")
        let response = await s.send(.get, "/bedrock/files/in/a.jsonl", reading: false)
        #expect(response.status == .ok)
        #expect(s.plugin.records.map(\.descriptor.operation) == ["CreateBucket", "PutObject"], "the body is not out yet")
        #expect(try await BodyCollector.text(of: response) == "{\"recordId\":\"1\"}\n")
        #expect(s.plugin.records.map(\.descriptor.operation) == ["CreateBucket", "PutObject", "GetObject"])
        #expect(s.plugin.records.last?.end?.outcome == .success)
    }

    @Test func aFailedProviderCallEndsTheCallWithTheS3ErrorTheClientGot() async throws {
        let s = try await Setup(files: MemoryFileStore(failing: GatewayError(.throttled, "slow down, sk-main-secret", upstreamStatus: 429)))
        defer { s.close() }
        _ = await s.send(.put, "/bedrock/files/in")
        let response = await s.send(.put, "/bedrock/files/in/a.jsonl", body: "{}\n")
        #expect(response.status.code == 503)
        let record = try #require(s.plugin.records.last)
        #expect(record.descriptor.operation == "PutObject")
        #expect(record.end?.outcome == .failure)
        #expect(record.end?.status == 503)
        #expect(record.end?.errorCode == "SlowDown")
        #expect(record.error?.kind == .throttled)
        #expect(record.error?.message.contains("sk-main-secret") == false, "the recorded error is redacted")
        #expect(record.attemptLog.first?.error?.kind == .throttled)
    }

    @Test func aPluginRefusesAnUploadBeforeTheProviderSeesIt() async throws {
        let s = try await Setup(plugin: RecordingPlugin(refusing: GatewayError(.accessDenied, "uploads are not allowed for this caller")))
        defer { s.close() }
        _ = await s.send(.put, "/bedrock/files/in")
        let response = await s.send(.put, "/bedrock/files/in/a.jsonl", body: "{}\n")
        #expect(response.status == .forbidden)
        let text = try await BodyCollector.text(of: response)
        #expect(text.contains("<Code>AccessDenied</Code>") && text.contains("uploads are not allowed"))
        #expect(s.files.keysSeen.withLock { $0.isEmpty }, "no upstream was contacted")
        #expect(s.plugin.records.last?.error?.refusedByPlugin == true)
    }

    /// The gateway's own writes and reads outside a request (batch results, inputs) are calls of their own.
    @Test func callsOutsideARequestAreCallsOfTheirOwn() async throws {
        let s = try await Setup()
        defer { s.close() }
        let backend = try s.backends.resolve("openai")
        _ = try await backend.createBucket("in")
        let record = try await backend.put(ObjectWrite(bucket: "in", key: "x.jsonl"), body: [ByteBuffer(string: "{}\n")].async)
        _ = try await backend.delete(bucket: "in", key: record.key)
        #expect(s.plugin.records.map(\.descriptor.operation) == ["PutObject", "DeleteObject"])
        #expect(Set(s.plugin.records.map(\.descriptor.requestId)).count == 2)
    }

    @Test func gatewayStoreRequestsMakeNoPipelineCall() async throws {
        let s = try await Setup()
        defer { s.close() }
        #expect(await s.send(.put, "/bedrock/files/in", provider: nil).status == .ok)
        #expect(s.plugin.records.isEmpty)
    }
}

extension Array where Element == ByteBuffer {
    /// The chunks as a body.
    var async: AsyncStream<ByteBuffer> {
        AsyncStream { continuation in
            for chunk in self { continuation.yield(chunk) }
            continuation.finish()
        }
    }
}

/// Reads a response body the way the server would write it.
struct BodyCollector: ResponseBodyWriter {
    final class Sink: @unchecked Sendable {
        // Written by one writer, read after it finished.
        var bytes = ByteBuffer()
    }
    let sink: Sink

    mutating func write(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        sink.bytes.writeBuffer(&buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}

    static func text(of response: Response) async throws -> String {
        let sink = Sink()
        try await response.body.write(BodyCollector(sink: sink))
        return String(buffer: sink.bytes)
    }
}
