import Foundation
import NIOCore
import Stores
import SwitchyardModel

/// The Files API over the gateway's own store (the S3 door's), for `/v1/files` and the batches that read and write
/// them. Ownership is the store's: a file belongs to the virtual key that uploaded it (`CallerScope.current`), and
/// every lookup goes through the caller's own listing, so another key's file is simply not there.
public struct OpenAIFiles: DoorFiles {
    let access: any FileAccess
    /// The most `files` shows and searches; OpenAI's own page limit.
    static let maxListed = 10_000

    public init(access: any FileAccess) {
        self.access = access
    }

    public func create(_ bytes: ByteBuffer, filename: String, purpose: String) async throws -> DoorFile {
        let key = OpenAIFileKey.upload(purpose: purpose, filename: filename)
        let record = try await mapped {
            try await access.write(namespace: OpenAIFileKey.namespace, uri: key.uri, data: bytes, contentType: Self.contentType(key.filename))
        }
        return Self.file(key, record)
    }

    public func file(id: String) async throws -> DoorFile {
        guard let token = OpenAIFileKey.token(fileId: id) else { throw Self.notFound(id) }
        let found = try await mapped {
            try await access.list(namespace: OpenAIFileKey.namespace, prefixURI: "s3://\(OpenAIFileKey.bucket)/\(token)/", limit: 1)
        }
        guard let record = found.first, let key = OpenAIFileKey.parse(key: record.key), key.token == token else { throw Self.notFound(id) }
        return Self.file(key, record)
    }

    public func content(id: String) async throws -> (file: DoorFile, bytes: AsyncThrowingStream<ByteBuffer, any Error>) {
        let stored = try await file(id: id)
        return (stored, try await mapped { try await access.stream(namespace: OpenAIFileKey.namespace, uri: stored.uri) })
    }

    public func files() async throws -> [DoorFile] {
        let records = try await mapped {
            try await access.list(namespace: OpenAIFileKey.namespace, prefixURI: "s3://\(OpenAIFileKey.bucket)/", limit: Self.maxListed)
        }
        return records.compactMap { record in OpenAIFileKey.parse(key: record.key).map { Self.file($0, record) } }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    public func delete(id: String) async throws {
        let stored = try await file(id: id)
        try await mapped { _ = try await access.delete(namespace: OpenAIFileKey.namespace, uri: stored.uri) }
    }

    static func file(_ key: OpenAIFileKey.Parsed, _ record: ObjectRecord) -> DoorFile {
        DoorFile(id: key.fileId, bytes: record.size, createdAt: record.lastModified, filename: key.filename, purpose: key.purpose, uri: key.uri)
    }

    static func contentType(_ filename: String) -> String {
        filename.lowercased().hasSuffix(".jsonl") ? "application/jsonl" : "application/octet-stream"
    }

    public static func notFound(_ id: String) -> GatewayError {
        GatewayError(.notFound, "No such File object: \(id)")
    }

    /// The store's failures as the door's: a file that went away meanwhile is not found, anything else the gateway's.
    func mapped<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as FileAccessError {
            switch error {
            case .notFound(let what): throw GatewayError(.notFound, "No such File object: \(what)")
            case .tooLarge(let message): throw GatewayError(.payloadTooLarge, message)
            default: throw GatewayError(.internalError, "the file store failed: \(error.description)")
            }
        }
    }
}
