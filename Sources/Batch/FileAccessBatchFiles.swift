import NIOCore
import Stores
import SwitchyardModel

/// `BatchFiles` over the gateway's files API. A provider namespace without a file store of its own (Mistral, Groq,
/// Ollama, … have no Files API) falls back to the gateway's store, where such callers keep their files.
public struct FileAccessBatchFiles: BatchFiles {
    /// Bedrock's own limit on one batch input file.
    static let maxInputBytes = 1 << 30
    let access: any FileAccess

    public init(access: any FileAccess) {
        self.access = access
    }

    public func read(namespace: String, uri: String) async throws -> [UInt8] {
        let buffer = try await fallingBack(namespace) { try await access.read(namespace: $0, uri: uri, maxBytes: Self.maxInputBytes) }
        return Array(buffer.readableBytesView)
    }

    public func write(namespace: String, uri: String, bytes: [UInt8], contentType: String) async throws {
        _ = try await fallingBack(namespace) {
            try await access.write(namespace: $0, uri: uri, data: ByteBuffer(bytes: bytes), contentType: contentType)
        }
    }

    public func list(namespace: String, prefix: String) async throws -> [String] {
        try await fallingBack(namespace) { try await access.list(namespace: $0, prefixURI: prefix, limit: 10_000) }
            .map { "s3://\($0.bucket)/\($0.key)" }
    }

    func fallingBack<T>(_ namespace: String, _ work: (String) async throws -> T) async throws -> T {
        do {
            do {
                return try await work(namespace)
            } catch FileAccessError.unsupported where namespace != "gateway" {
                return try await work("gateway")
            }
        } catch let error as FileAccessError {
            switch error {
            case .notFound(let what): throw GatewayError(.validation, "no such object: \(what)")
            default: throw GatewayError(.validation, error.description)
            }
        }
    }
}
