import Engine
import Foundation
import Logging
import NIOCore
import SwitchyardModel
import Testing

@testable import S3Door
@testable import Stores

/// Which namespaces get a provider's file store, and where the gateway's own writes in them go. Every provider is
/// offered a file store or an S3 account; the engine's one rule decides who keeps it. Nothing leaves the process.
@Suite struct RemoteFileBackendsTests {
    static let nowhere = "http://127.0.0.1:9"

    func runtimes() -> [ProviderRuntime] {
        var bedrock = ProviderConfig(
            name: "bedrock", kind: .bedrock, baseURL: Self.nowhere,
            keys: [KeyConfig(name: "bearer", value: "ABSK-bearer"), KeyConfig(name: "aws", value: "", aws: AWSAccess(accessKeyId: "AK", secretAccessKey: "SK"))])
        bedrock.s3URL = Self.nowhere
        let files = ProviderServices(files: MemoryFileStore())
        let s3 = ProviderServices(objectStore: IdleObjectStore())
        return [
            ProviderRuntime(
                config: ProviderConfig(name: "openai", kind: .openai, baseURL: Self.nowhere, keys: [KeyConfig(name: "k", value: "sk-test")]),
                adapter: IdleChatProvider(), services: files),
            // Not named openai, but OpenAI's own API: the same rule as its batch API.
            ProviderRuntime(
                config: ProviderConfig(name: "oai", kind: .openai, baseURL: "https://api.openai.com/v1", keys: [KeyConfig(name: "o", value: "sk-oai")]),
                adapter: IdleChatProvider(), services: files),
            ProviderRuntime(
                config: ProviderConfig(name: "groq", kind: .openai, baseURL: Self.nowhere, keys: [KeyConfig(name: "g", value: "gsk-test")]),
                adapter: IdleChatProvider(), services: files),
            ProviderRuntime(
                config: ProviderConfig(name: "gemini", kind: .gemini, baseURL: Self.nowhere, keys: [KeyConfig(name: "g", value: "AIza-test")]),
                adapter: IdleChatProvider(), services: ProviderServices(files: MemoryFileStore(servesContent: false))),
            ProviderRuntime(
                config: ProviderConfig(name: "anthropic", kind: .anthropic, baseURL: Self.nowhere, keys: [KeyConfig(name: "a", value: "sk-ant")]),
                adapter: IdleChatProvider()),
            ProviderRuntime(config: bedrock, adapter: IdleChatProvider(), services: s3),
            ProviderRuntime(
                config: ProviderConfig(name: "bedrock-bearer", kind: .bedrock, baseURL: Self.nowhere, keys: [KeyConfig(name: "b", value: "ABSK")]),
                adapter: IdleChatProvider(), services: s3),
        ]
    }

    @Test func namespacesAndGatewayWrites() async throws {
        let dir = NSTemporaryDirectory() + "switchyard-remote-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try await GatewayStore.open(dataDir: dir, logger: Logger(label: "test"))
        let engine = Engine(providers: runtimes(), aliases: [:], logger: Logger(label: "test"))
        let backends = FileBackends(store: store, engine: engine, logger: Logger(label: "test"))

        #expect(try backends.resolve("openai") is RemoteFileBackend)
        #expect(try backends.resolve("oai") is RemoteFileBackend)
        #expect(try backends.resolve("GEMINI") is MirroredFileBackend)
        let s3 = try #require(try backends.resolve("bedrock") as? S3PassthroughBackend)
        let signing = try engine.target(provider: "bedrock", model: "", key: .account(needsAWS: s3.upstream.needsAWS)).target
        #expect(signing.aws?.accessKeyId == "AK", "S3 signs with the first key that has access keys")
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
    }

    /// Without a Bedrock provider, `x-model-provider: bedrock` is the gateway's own store, as for batch jobs.
    @Test func bedrockWithoutABedrockProviderIsTheGatewayStore() async throws {
        let dir = NSTemporaryDirectory() + "switchyard-remote-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try await GatewayStore.open(dataDir: dir, logger: Logger(label: "test"))
        let engine = Engine(providers: Array(runtimes().prefix(1)), aliases: [:], logger: Logger(label: "test"))
        let backends = FileBackends(store: store, engine: engine, logger: Logger(label: "test"))
        #expect(try backends.resolve("bedrock").namespace == FileBackends.gatewayNamespace)
        #expect(try backends.writer("bedrock").namespace == FileBackends.gatewayNamespace)
        try store.close()
    }
}
