import Foundation
import Logging
import NIOCore
import Testing

@testable import S3Door
@testable import Stores

/// The batch runner's API over a real store in a temp dir.
@Suite struct FileServiceTests {
    let dir: String
    let service: FileService

    init() async throws {
        dir = NSTemporaryDirectory() + "switchyard-files-" + UUID().uuidString
        let store = try await GatewayStore.open(dataDir: dir, logger: Logger(label: "test"))
        service = FileService(backends: FileBackends(store: store, providers: [], logger: Logger(label: "test")))
    }

    @Test func writeReadHeadListDelete() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let written = try await service.write(
            namespace: "gateway", uri: "s3://out/job/in.jsonl.out", data: ByteBuffer(string: "{\"a\":1}\n"), contentType: "application/jsonl")
        #expect(written.size == 8 && written.contentType == "application/jsonl")
        #expect(String(buffer: try await service.read(namespace: "gateway", uri: "s3://out/job/in.jsonl.out", maxBytes: 100)) == "{\"a\":1}\n")
        // A file id stands for the object too, as in `s3://bucket/<file id>`.
        #expect(try await service.head(namespace: "gateway", uri: "s3://out/\(written.etag)")?.key == "job/in.jsonl.out")
        await #expect(throws: FileAccessError.self) { _ = try await service.read(namespace: "gateway", uri: "s3://out/job/in.jsonl.out", maxBytes: 4) }
        try await service.write(namespace: "gateway", uri: "s3://out/job/manifest.json.out", data: ByteBuffer(string: "{}"), contentType: nil)
        #expect(try await service.list(namespace: "gateway", prefixURI: "s3://out/job/", limit: 10).map(\.key) == ["job/in.jsonl.out", "job/manifest.json.out"])
        var streamed = ""
        for try await chunk in try await service.stream(namespace: "gateway", uri: "s3://out/job/manifest.json.out") { streamed += String(buffer: chunk) }
        #expect(streamed == "{}")
        #expect(try await service.delete(namespace: "gateway", uri: "s3://out/job/manifest.json.out"))
        #expect(try await service.head(namespace: "gateway", uri: "s3://out/job/manifest.json.out") == nil)
    }

    @Test func errorsSpeakFileAccess() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        await #expect(throws: FileAccessError.notFound("s3://in/missing")) { _ = try await service.read(namespace: "gateway", uri: "s3://in/missing", maxBytes: 10) }
        await #expect(throws: FileAccessError.invalidURI("https://in/x")) { _ = try await service.head(namespace: "gateway", uri: "https://in/x") }
        // The door's key rules: a NUL would otherwise reach the index as a shorter key.
        try await service.write(namespace: "gateway", uri: "s3://in/a", data: ByteBuffer(string: "kept"), contentType: nil)
        await #expect(throws: FileAccessError.invalidURI("s3://in/a\0b")) {
            try await service.write(namespace: "gateway", uri: "s3://in/a\0b", data: ByteBuffer(string: "lost"), contentType: nil)
        }
        let long = "s3://in/" + String(repeating: "k", count: 1025)
        await #expect(throws: FileAccessError.invalidURI(long)) { _ = try await service.head(namespace: "gateway", uri: long) }
        #expect(String(buffer: try await service.read(namespace: "gateway", uri: "s3://in/a", maxBytes: 10)) == "kept")
        do {
            _ = try await service.read(namespace: "openai", uri: "s3://in/x", maxBytes: 10)
            Issue.record("openai has no backend yet")
        } catch FileAccessError.unsupported(let message) {
            #expect(message.contains("OpenAI Files API"))
        }
    }
}
