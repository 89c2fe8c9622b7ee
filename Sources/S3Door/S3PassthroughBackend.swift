import Foundation
import Logging
import NIOCore
import Stores
import SwitchyardModel

/// A namespace that is a real S3 account: a Bedrock provider's. The S3 door forwards every request of this
/// namespace to S3 as it came (`S3Routes.forward`), and S3's answers, ETags (S3's own) and errors go back as S3 gave
/// them; nothing is indexed, S3 being the store. The `FileBackend` calls below serve the gateway's own readers
/// and writers (`FileService`) with the same S3 requests; bucket management and multipart uploads exist only
/// through the door.
public struct S3PassthroughBackend: FileBackend {
    public let namespace: String
    let s3: any ObjectStoreForwarder
    let upstream: ProviderFileCalls
    let maxObjectBytes: Int64
    let logger: Logger

    init(namespace: String, s3: any ObjectStoreForwarder, upstream: ProviderFileCalls, maxObjectBytes: Int64, logger: Logger) {
        self.namespace = namespace
        self.s3 = s3
        self.upstream = upstream
        self.maxObjectBytes = maxObjectBytes
        self.logger = logger
    }

    /// One S3 request with the provider's key; transport failures (not S3's own answers) as S3 errors.
    func send<Body: AsyncSequence & Sendable>(_ call: S3ForwardCall, body: Body?, length: Int64?) async throws -> S3ForwardAnswer
    where Body.Element == ByteBuffer {
        try await FileBackendErrors.mapped(provider: namespace, bucket: call.bucket ?? "", key: call.key, redactor: upstream.redactor) {
            try await upstream.run(S3Operation.name(method: call.method, bucket: call.bucket, key: call.key, query: call.query.map(\.0))) {
                try await s3.send(call, body: body, length: length, endpoint: upstream.s3URL, target: $0)
            }
        }
    }

    func send(_ call: S3ForwardCall) async throws -> S3ForwardAnswer {
        try await send(call, body: AsyncThrowingStream<ByteBuffer, any Error>?.none, length: nil)
    }

    public func buckets() async throws -> [BucketRecord] { throw Self.doorOnly }
    public func bucket(_ name: String) async throws -> BucketRecord? { throw Self.doorOnly }
    public func createBucket(_ name: String) async throws -> Bool { throw Self.doorOnly }
    public func deleteBucket(_ name: String) async throws { throw Self.doorOnly }
    public func object(fileId: String) async throws -> ObjectRecord? { nil }

    public func head(bucket: String, key: String) async throws -> ObjectRecord? {
        let answer = try await send(S3ForwardCall(method: "HEAD", bucket: bucket, key: key))
        if answer.status == 404 { return nil }
        try await Self.check(answer, bucket: bucket, key: key)
        let etag = Self.unquoted(answer.header("etag") ?? "")
        var metadata: [String: String] = [:]
        for (name, value) in answer.headers where name.lowercased().hasPrefix(S3Headers.metaPrefix) {
            metadata[String(name.lowercased().dropFirst(S3Headers.metaPrefix.count))] = value
        }
        return ObjectRecord(
            namespace: namespace, bucket: bucket, key: key, etag: etag, size: Int64(answer.header("content-length") ?? "") ?? 0,
            contentType: answer.header("content-type"), metadata: metadata, lastModified: Date(), location: .remote(fileId: etag))
    }

    public func read(_ object: ObjectRecord, range: ClosedRange<Int64>?) async throws -> AsyncThrowingStream<ByteBuffer, any Error> {
        var headers: [(String, String)] = []
        if let range { headers.append(("range", "bytes=\(range.lowerBound)-\(range.upperBound)")) }
        let answer = try await send(S3ForwardCall(method: "GET", bucket: object.bucket, key: object.key, headers: headers))
        try await Self.check(answer, bucket: object.bucket, key: object.key)
        return FileBackendRangeReader(answer.body, range: nil, expectedSize: nil).stream
    }

    /// S3 wants a Content-Length: a body that declares none (the gateway's own writes) is read first, up to the
    /// size limit.
    public func put<Body: AsyncSequence & Sendable>(_ write: ObjectWrite, body: Body) async throws -> ObjectRecord
    where Body.Element == ByteBuffer {
        var headers: [(String, String)] = write.metadata.sorted { $0.key < $1.key }.map { (S3Headers.metaPrefix + $0.key, $0.value) }
        if let type = write.contentType { headers.append(("content-type", type)) }
        let call = S3ForwardCall(method: "PUT", bucket: write.bucket, key: write.key, headers: headers)
        let answer: S3ForwardAnswer
        var size: Int64
        if let length = (body as? any FileBackendUploadLength)?.declaredLength {
            size = length
            answer = try await send(call, body: body, length: length)
        } else {
            var whole = ByteBuffer()
            for try await var chunk in body {
                guard Int64(whole.readableBytes + chunk.readableBytes) <= maxObjectBytes else { throw S3Error.entityTooLarge(maxObjectBytes) }
                whole.writeBuffer(&chunk)
            }
            size = Int64(whole.readableBytes)
            let bytes = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                continuation.yield(whole)
                continuation.finish()
            }
            answer = try await send(call, body: bytes, length: size)
        }
        try await Self.check(answer, bucket: write.bucket, key: write.key)
        _ = try? await answer.body.collect(upTo: 1 << 20)
        let etag = Self.unquoted(answer.header("etag") ?? "")
        return ObjectRecord(
            namespace: namespace, bucket: write.bucket, key: write.key, etag: etag, size: size, contentType: write.contentType,
            metadata: write.metadata, lastModified: Date(), location: .remote(fileId: etag))
    }

    public func delete(bucket: String, key: String) async throws -> ObjectRecord? {
        guard let current = try await head(bucket: bucket, key: key) else { return nil }
        let answer = try await send(S3ForwardCall(method: "DELETE", bucket: bucket, key: key))
        try await Self.check(answer, bucket: bucket, key: key)
        return current
    }

    /// One ListObjectsV2 page (without `encoding-type`, so keys come back as they are).
    public func list(bucket: String, prefix: String, startAfter: String?, limit: Int, owner: OwnerScope) async throws -> [ObjectRecord] {
        var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(max(0, min(limit, 1000))))]
        if let startAfter { query.append(("start-after", startAfter)) }
        let answer = try await send(S3ForwardCall(method: "GET", bucket: bucket, key: nil, query: query))
        try await Self.check(answer, bucket: bucket, key: nil)
        let document = try S3XMLReader.parse(Array(try await answer.body.collect(upTo: 16 << 20).readableBytesView))
        return document.all("Contents").map { item in
            let etag = Self.unquoted(item.child("ETag")?.text ?? "")
            let modified = item.child("LastModified").flatMap { Self.date($0.text) } ?? Date()
            return ObjectRecord(
                namespace: namespace, bucket: bucket, key: item.child("Key")?.text ?? "", etag: etag, size: Int64(item.child("Size")?.text ?? "") ?? 0,
                contentType: nil, lastModified: modified, location: .remote(fileId: etag))
        }
    }

    public func createMultipartUpload(_ write: ObjectWrite) async throws -> MultipartUpload { throw Self.doorOnly }

    public func uploadPart<Body: AsyncSequence & Sendable>(
        bucket: String, key: String, uploadId: String, partNumber: Int, body: Body
    ) async throws -> MultipartPart where Body.Element == ByteBuffer { throw Self.doorOnly }

    public func completeMultipartUpload(bucket: String, key: String, uploadId: String, parts: [CompletedPart]) async throws -> ObjectRecord {
        throw Self.doorOnly
    }

    public func abortMultipartUpload(bucket: String, key: String, uploadId: String) async throws { throw Self.doorOnly }

    public func multipartUploads(
        bucket: String, prefix: String, after: MultipartUploadCursor?, limit: Int, owner: OwnerScope
    ) async throws -> [MultipartUpload] {
        throw Self.doorOnly
    }

    public func parts(bucket: String, key: String, uploadId: String) async throws -> (MultipartUpload, [MultipartPart]) {
        throw Self.doorOnly
    }

    static var doorOnly: S3Error {
        S3Error.notImplemented("this S3 operation reaches Amazon S3 only through the S3 API (the gateway forwards it there as it is)")
    }

    /// S3's error answer as an `S3Error` with S3's own code, status and message (HEAD answers carry no body).
    static func check(_ answer: S3ForwardAnswer, bucket: String, key: String?) async throws {
        guard !(200..<300).contains(answer.status) else { return }
        let body = (try? await answer.body.collect(upTo: 1 << 20)).map { Array($0.readableBytesView) } ?? []
        let document = try? S3XMLReader.parse(body)
        let code = document?.child("Code")?.text ?? Self.code(forStatus: answer.status, key: key)
        let message = document?.child("Message")?.text ?? "Amazon S3 answered \(answer.status)"
        throw S3Error(code, answer.status, message, resource: key.map { "/\(bucket)/\($0)" } ?? "/\(bucket)", key: key, bucket: bucket)
    }

    static func code(forStatus status: Int, key: String?) -> String {
        switch status {
        case 404: key == nil ? "NoSuchBucket" : "NoSuchKey"
        case 403: "AccessDenied"
        case 412: "PreconditionFailed"
        case 503: "ServiceUnavailable"
        case 500..<600: "InternalError"
        default: "InvalidRequest"
        }
    }

    static func date(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text))
    }

    static func unquoted(_ etag: String) -> String {
        etag.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") ? String(etag.dropFirst().dropLast()) : etag
    }
}
