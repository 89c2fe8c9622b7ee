import NIOCore
import Stores

/// `FileAccess` over the S3 door's backends: the batch runner reads a job's input and writes its results by
/// `s3://bucket/key` in a namespace (`gateway` or a provider name, exactly as `x-model-provider` picks it), through
/// the same backends and rules as S3 clients, without speaking HTTP. Ownership is the S3 door's too, for the
/// caller the runner acts as (the job's owner, bound as `CallerScope.current`).
public struct FileService: FileAccess {
    let backends: FileBackends

    public init(backends: FileBackends) {
        self.backends = backends
    }

    public func head(namespace: String, uri: String) async throws -> ObjectRecord? {
        let (backend, location) = try resolve(namespace, uri)
        return try await mapped {
            var found = try await backend.head(bucket: location.bucket, key: location.key)
            if found == nil { found = try await backend.object(fileId: location.key) }
            guard let found else { return nil }
            try ObjectOwnership.checkRead(found)
            return found
        }
    }

    public func read(namespace: String, uri: String, maxBytes: Int) async throws -> ByteBuffer {
        guard let object = try await head(namespace: namespace, uri: uri) else { throw FileAccessError.notFound(uri) }
        guard object.size <= Int64(maxBytes) else {
            throw FileAccessError.tooLarge("\(uri) is \(object.size) bytes, more than the \(maxBytes) allowed")
        }
        var out = ByteBuffer()
        out.reserveCapacity(Int(object.size))
        for try await chunk in try await open(namespace: namespace, object: object) {
            var chunk = chunk
            out.writeBuffer(&chunk)
        }
        return out
    }

    public func stream(namespace: String, uri: String) async throws -> AsyncThrowingStream<ByteBuffer, any Error> {
        guard let object = try await head(namespace: namespace, uri: uri) else { throw FileAccessError.notFound(uri) }
        return try await open(namespace: namespace, object: object)
    }

    @discardableResult
    public func write(namespace: String, uri: String, data: ByteBuffer, contentType: String?) async throws -> ObjectRecord {
        let (backend, location) = try resolve(namespace, uri, writing: true)
        let body = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
            continuation.yield(data)
            continuation.finish()
        }
        return try await mapped {
            try ObjectOwnership.checkChange(try await backend.head(bucket: location.bucket, key: location.key))
            return try await backend.put(
                ObjectWrite(bucket: location.bucket, key: location.key, contentType: contentType, owner: ObjectOwnership.caller), body: body)
        }
    }

    public func list(namespace: String, prefixURI: String, limit: Int) async throws -> [ObjectRecord] {
        let (backend, location) = try resolve(namespace, prefixURI, keyRequired: false)
        return try await mapped {
            try await backend.list(
                bucket: location.bucket, prefix: location.key, startAfter: nil, limit: limit, owner: ObjectOwnership.listingScope)
        }
    }

    @discardableResult public func delete(namespace: String, uri: String) async throws -> Bool {
        let (backend, location) = try resolve(namespace, uri)
        return try await mapped {
            try ObjectOwnership.checkChange(try await backend.head(bucket: location.bucket, key: location.key))
            return try await backend.delete(bucket: location.bucket, key: location.key) != nil
        }
    }

    private func open(namespace: String, object: ObjectRecord) async throws -> AsyncThrowingStream<ByteBuffer, any Error> {
        let (backend, _) = try resolve(namespace, "s3://\(object.bucket)/\(object.key)")
        return try await mapped { try await backend.read(object, range: nil) }
    }

    /// `writing`: the gateway's own objects in a provider namespace stay on its disk (`FileBackends.writer`).
    private func resolve(_ namespace: String, _ uri: String, keyRequired: Bool = true, writing: Bool = false) throws -> (any FileBackend, S3URI) {
        guard let location = S3URI(uri), !keyRequired || !location.key.isEmpty else { throw FileAccessError.invalidURI(uri) }
        // The same key rules as the door's, so a batch URI cannot name a key an S3 client could not.
        do {
            try S3RequestTarget.validate(bucket: location.bucket)
            try S3RequestTarget.validate(key: location.key)
        } catch {
            throw FileAccessError.invalidURI(uri)
        }
        do {
            return (try writing ? backends.writer(namespace) : backends.resolve(namespace), location)
        } catch {
            throw FileAccessError.unsupported(error.message)
        }
    }

    private func mapped<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as S3Error {
            switch error.code {
            case "NoSuchKey", "NoSuchBucket": throw FileAccessError.notFound(error.resource ?? error.message)
            case "NotImplemented": throw FileAccessError.unsupported(error.message)
            case "EntityTooLarge": throw FileAccessError.tooLarge(error.message)
            case "AccessDenied" where error.key != nil:
                throw FileAccessError.failed("Access Denied: \(error.resource ?? "") belongs to another virtual key")
            default: throw FileAccessError.failed(error.message)
            }
        } catch let error as BlobStoreError {
            throw FileAccessError.failed(error.description)
        }
    }
}
