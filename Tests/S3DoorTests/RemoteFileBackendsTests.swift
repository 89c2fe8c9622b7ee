import AsyncHTTPClient
import Engine
import Foundation
import Logging
import NIOCore
import Providers
import SwitchyardModel
import Testing

@testable import S3Door
@testable import Stores

/// Which namespaces get a provider's file store, and where the gateway's own writes in them go. No request leaves
/// the process: the providers' base URLs point at a closed port.
@Suite struct RemoteFileBackendsTests {
    static let nowhere = "http://127.0.0.1:9"

    func providers() -> [ProviderConfig] {
        var bedrock = ProviderConfig(
            name: "bedrock", kind: .bedrock, baseURL: Self.nowhere,
            keys: [KeyConfig(name: "bearer", value: "ABSK-bearer"), KeyConfig(name: "aws", value: "", aws: AWSAccess(accessKeyId: "AK", secretAccessKey: "SK"))])
        bedrock.s3URL = Self.nowhere
        return [
            ProviderConfig(name: "openai", kind: .openai, baseURL: Self.nowhere, keys: [KeyConfig(name: "k", value: "sk-test")]),
            ProviderConfig(name: "groq", kind: .openai, baseURL: Self.nowhere, keys: [KeyConfig(name: "g", value: "gsk-test")]),
            ProviderConfig(name: "gemini", kind: .gemini, baseURL: Self.nowhere, keys: [KeyConfig(name: "g", value: "AIza-test")]),
            ProviderConfig(name: "anthropic", kind: .anthropic, baseURL: Self.nowhere, keys: [KeyConfig(name: "a", value: "sk-ant")]),
            bedrock,
            ProviderConfig(name: "bedrock-bearer", kind: .bedrock, baseURL: Self.nowhere, keys: [KeyConfig(name: "b", value: "ABSK")]),
        ]
    }

    @Test func namespacesAndGatewayWrites() async throws {
        let dir = NSTemporaryDirectory() + "switchyard-remote-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let store = try await GatewayStore.open(dataDir: dir, logger: Logger(label: "test"))
        let backends = FileBackends(store: store, providers: providers(), http: UpstreamHTTP(client: client), logger: Logger(label: "test"))

        #expect(try backends.resolve("openai") is OpenAIFileBackend)
        #expect(try backends.resolve("GEMINI") is GeminiFileBackend)
        let s3 = try #require(try backends.resolve("bedrock") as? S3PassthroughBackend)
        #expect(s3.upstream.target.aws?.accessKeyId == "AK", "S3 signs with the first key that has access keys")
        for name in ["groq", "anthropic", "bedrock-bearer"] {
            #expect(throws: S3Error.self) { _ = try backends.resolve(name) }
        }
        #expect(try backends.writer("openai") is LocalFileBackend && backends.writer("openai").namespace == "openai")
        #expect(try backends.writer("bedrock") is S3PassthroughBackend)

        // A batch result written in the openai namespace stays on disk there, and the OpenAI backend serves it.
        let service = FileService(backends: backends)
        let written = try await service.write(namespace: "openai", uri: "s3://out/job/r.jsonl.out", data: ByteBuffer(string: "{}\n"), contentType: nil)
        guard case .local = written.location else { Issue.record("not local: \(written.location)"); return }
        #expect(String(buffer: try await service.read(namespace: "openai", uri: "s3://out/job/r.jsonl.out", maxBytes: 10)) == "{}\n")
        #expect(try await service.head(namespace: "gateway", uri: "s3://out/job/r.jsonl.out") == nil, "namespaces stay apart")
        #expect(try await service.delete(namespace: "openai", uri: "s3://out/job/r.jsonl.out"))
        try store.close()
        try await client.shutdown()
    }
}
