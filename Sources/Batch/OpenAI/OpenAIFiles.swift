import Foundation
import NIOCore
import OpenAIDialect
import Stores
import SwitchyardModel

/// The Files API over the gateway's own store (the S3 door's), for `/v1/files` and the batches that read and write
/// them. Ownership is the store's: a file belongs to the virtual key that uploaded it (`CallerScope.current`), and
/// every lookup goes through the caller's own listing, so another key's file is simply not there.
public struct OpenAIFiles: Sendable {
    let access: any FileAccess
    /// The most `list` shows and searches; OpenAI's own page limit.
    static let maxListed = 10_000

    public init(access: any FileAccess) {
        self.access = access
    }

    /// A stored file: what `/v1/files` shows of it, and where its bytes are.
    public struct Stored: Sendable, Hashable {
        public var object: OpenAIFileObject
        public var uri: String
    }

    public func create(_ bytes: ByteBuffer, filename: String, purpose: String) async throws -> OpenAIFileObject {
        let key = OpenAIFileKey.upload(purpose: purpose, filename: filename)
        let record = try await mapped {
            try await access.write(namespace: OpenAIFileKey.namespace, uri: key.uri, data: bytes, contentType: Self.contentType(key.filename))
        }
        return Self.object(key, record)
    }

    public func file(id: String) async throws -> Stored {
        guard let token = OpenAIFileKey.token(fileId: id) else { throw Self.notFound(id) }
        let found = try await mapped {
            try await access.list(namespace: OpenAIFileKey.namespace, prefixURI: "s3://\(OpenAIFileKey.bucket)/\(token)/", limit: 1)
        }
        guard let record = found.first, let key = OpenAIFileKey.parse(key: record.key), key.token == token else { throw Self.notFound(id) }
        return Stored(object: Self.object(key, record), uri: key.uri)
    }

    public func content(id: String) async throws -> (file: OpenAIFileObject, bytes: AsyncThrowingStream<ByteBuffer, any Error>) {
        let stored = try await file(id: id)
        return (stored.object, try await mapped { try await access.stream(namespace: OpenAIFileKey.namespace, uri: stored.uri) })
    }

    /// Newest first unless `ascending`, as OpenAI lists them.
    public func list(purpose: String?, after: String?, limit: Int, ascending: Bool) async throws -> OpenAIPage<OpenAIFileObject> {
        let records = try await mapped {
            try await access.list(namespace: OpenAIFileKey.namespace, prefixURI: "s3://\(OpenAIFileKey.bucket)/", limit: Self.maxListed)
        }
        // By the store's own time, finer than the whole seconds `created_at` shows, so that files uploaded within
        // one second still list in the order they came.
        var files = records.compactMap { record in OpenAIFileKey.parse(key: record.key).map { (record.lastModified, Self.object($0, record)) } }
        if let purpose { files = files.filter { $0.1.purpose == purpose } }
        files.sort { ($0.0, $0.1.id) < ($1.0, $1.1.id) }
        if !ascending { files.reverse() }
        return OpenAIPage.cut(files.map(\.1), after: after, limit: limit, id: \.id)
    }

    public func delete(id: String) async throws -> OpenAIFileDeleted {
        let stored = try await file(id: id)
        try await mapped { _ = try await access.delete(namespace: OpenAIFileKey.namespace, uri: stored.uri) }
        return OpenAIFileDeleted(id: id)
    }

    static func object(_ key: OpenAIFileKey.Parsed, _ record: ObjectRecord) -> OpenAIFileObject {
        OpenAIFileObject(
            id: key.fileId, bytes: record.size, createdAt: Int(record.lastModified.timeIntervalSince1970), filename: key.filename,
            purpose: key.purpose)
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
