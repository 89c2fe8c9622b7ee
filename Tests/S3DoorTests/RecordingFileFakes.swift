import Engine
import Foundation
import NIOCore
import Synchronization
import SwitchyardModel

/// Keeps every call the engine's plugin chain sees; refuses calls while `refusal` is set.
final class RecordingPlugin: CallPlugin {
    let ended = Mutex<[CallRecord]>([])
    let started = Mutex<[PlannedCall]>([])
    let refusal: GatewayError?

    init(refusing refusal: GatewayError? = nil) { self.refusal = refusal }

    func callWillStart(_ call: PlannedCall) async throws {
        started.withLock { $0.append(call) }
        if let refusal { throw refusal }
    }

    func callEnded(_ record: CallRecord) { ended.withLock { $0.append(record) } }
    var records: [CallRecord] { ended.withLock { $0 } }
    var starts: [PlannedCall] { started.withLock { $0 } }
}

/// A provider file store in memory: what was uploaded, under ids `file-<n>`; `failure` makes every call throw it.
final class MemoryFileStore: ProviderFileStore {
    let servesContent: Bool
    let failure: GatewayError?
    let files = Mutex<[String: ByteBuffer]>([:])
    let keysSeen = Mutex<[String?]>([])

    init(servesContent: Bool = true, failing failure: GatewayError? = nil) {
        self.servesContent = servesContent
        self.failure = failure
    }

    func upload<Body: AsyncSequence & Sendable>(
        name: String, contentType: String, length: Int64?, body: Body, target: UpstreamTarget
    ) async throws -> ProviderFile where Body.Element == ByteBuffer {
        keysSeen.withLock { $0.append(target.apiKey) }
        if let failure { throw failure }
        var whole = ByteBuffer()
        for try await var chunk in body { whole.writeBuffer(&chunk) }
        let bytes = whole
        let id = files.withLock { files in
            let id = "file-\(files.count + 1)"
            files[id] = bytes
            return id
        }
        return ProviderFile(id: id, bytes: Int64(bytes.readableBytes))
    }

    func content(fileId: String, target: UpstreamTarget) async throws -> ByteStream {
        if let failure { throw failure }
        guard let bytes = files.withLock({ $0[fileId] }) else { throw GatewayError(.notFound, "no file \(fileId)", upstreamStatus: 404) }
        return ByteStream(AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            continuation.yield(bytes)
            continuation.finish()
        })
    }

    func delete(fileId: String, target: UpstreamTarget) async throws {
        if let failure { throw failure }
        files.withLock { _ = $0.removeValue(forKey: fileId) }
    }
}

/// Never asked: file tests make no chat call.
struct IdleChatProvider: ChatProvider {
    func complete(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatResponse {
        throw GatewayError(.internalError, "not used")
    }
    func stream(_ request: ChatRequest, target: UpstreamTarget) async throws -> ChatEventStream {
        throw GatewayError(.internalError, "not used")
    }
}

/// Forwards nothing; only its presence matters to the namespace rule.
struct IdleObjectStore: ObjectStoreForwarder {
    func send<Body: AsyncSequence & Sendable>(
        _ call: S3ForwardCall, body: Body?, length: Int64?, endpoint: String, target: UpstreamTarget
    ) async throws -> S3ForwardAnswer where Body.Element == ByteBuffer {
        throw GatewayError(.unavailable, "not used")
    }
}
