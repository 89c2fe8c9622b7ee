import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Stores

extension S3Routes {
    func putObject(_ call: S3Call) async throws -> Response {
        try await checkWriteConditions(call)
        let body = try uploadBody(call, limit: maxObjectBytes)
        let write = ObjectWrite(
            bucket: call.bucket, key: call.key, contentType: call.request.headers[.contentType], metadata: Self.metadata(call.request),
            owner: ObjectOwnership.caller)
        let record = try await body.blamingBody { try await call.backend.put(write, body: body) }
        var headers: HTTPFields = [.eTag: S3Response.quoted(record.etag)]
        if let crc = record.checksumCRC32 { headers[S3Headers.checksumCRC32] = crc }
        return S3Response.empty(.ok, headers: headers, requestId: call.requestId)
    }

    /// GetObject and HeadObject: conditions, then a range, then the bytes (none for HEAD).
    func getObject(_ call: S3Call, retried: Bool = false) async throws -> Response {
        let object = try await existing(call)
        try ObjectOwnership.checkRead(object)
        var headers = S3Response.objectHeaders(object)
        switch S3Conditions.evaluateRead(ifMatch: call.header(S3Headers.ifMatch), ifNoneMatch: call.header(S3Headers.ifNoneMatch), etag: object.etag) {
        case .proceed: break
        case .preconditionFailed: throw S3Error.preconditionFailed("If-Match")
        case .notModified:
            return S3Response.empty(.notModified, headers: [.eTag: S3Response.quoted(object.etag)], requestId: call.requestId)
        }
        Self.applyOverrides(call.query, to: &headers)
        var status = HTTPResponse.Status.ok
        var range: ClosedRange<Int64>?
        switch S3Range.resolve(call.request.headers[.range], size: object.size) {
        case .whole:
            headers[.contentLength] = String(object.size)
            // A whole-object checksum only on whole answers: botocore checks it against what it reads.
            if call.header(S3Headers.checksumMode)?.uppercased() == "ENABLED", let crc = object.checksumCRC32 {
                headers[S3Headers.checksumCRC32] = crc
            }
        case .partial(let bytes):
            status = .partialContent
            range = bytes
            headers[.contentLength] = String(bytes.count)
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(object.size)"
        case .unsatisfiable:
            throw S3Error("InvalidRange", 416, "The requested range is not satisfiable", resource: call.header(.range))
        }
        var base = S3Response.base(call.requestId)
        base.append(contentsOf: headers)
        if call.isHead { return Response(status: status, headers: base, body: ResponseBody()) }
        let stream: AsyncThrowingStream<ByteBuffer, any Error>
        do {
            stream = try await call.backend.read(object, range: range)
        } catch BlobStoreError.notFound where !retried {
            // Replaced or deleted between the lookup and the open: answer afresh for what is there now.
            return try await getObject(call, retried: true)
        }
        return Response(status: status, headers: base, body: ResponseBody(asyncSequence: stream))
    }

    func deleteObject(_ call: S3Call) async throws -> Response {
        let current = try await call.backend.head(bucket: call.bucket, key: call.key)
        try ObjectOwnership.checkChange(current)
        if let ifMatch = call.header(S3Headers.ifMatch) {
            let object = try await existing(call)
            guard S3Conditions.matches(ifMatch, etag: object.etag) else { throw S3Error.preconditionFailed("If-Match") }
        }
        if try await call.backend.delete(bucket: call.bucket, key: call.key) == nil,
            try await call.backend.bucket(call.bucket) == nil
        {
            throw S3Error.noSuchBucket(call.bucket)
        }
        return S3Response.empty(.noContent, requestId: call.requestId)
    }

    /// CopyObject within the namespace: the bytes are copied (objects never share blobs, so deleting one never
    /// touches another).
    func copyObject(_ call: S3Call) async throws -> Response {
        let (sourceBucket, sourceKey) = try S3RequestTarget.copySource(call.header(S3Headers.copySource) ?? "")
        guard let source = try await call.backend.head(bucket: sourceBucket, key: sourceKey) else {
            if try await call.backend.bucket(sourceBucket) == nil { throw S3Error.noSuchBucket(sourceBucket) }
            throw S3Error.noSuchKey(bucket: sourceBucket, key: sourceKey)
        }
        try ObjectOwnership.checkRead(source)
        if let ifMatch = call.header(S3Headers.copySourceIfMatch), !S3Conditions.matches(ifMatch, etag: source.etag) {
            throw S3Error.preconditionFailed("x-amz-copy-source-If-Match")
        }
        if let ifNoneMatch = call.header(S3Headers.copySourceIfNoneMatch), S3Conditions.matches(ifNoneMatch, etag: source.etag) {
            throw S3Error.preconditionFailed("x-amz-copy-source-If-None-Match")
        }
        let replace = call.header(S3Headers.metadataDirective)?.uppercased() == "REPLACE"
        if !replace, sourceBucket == call.bucket, sourceKey.utf8.elementsEqual(call.key.utf8) {
            throw S3Error(
                "InvalidRequest", 400,
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
        }
        try await checkWriteConditions(call)
        let write = ObjectWrite(
            bucket: call.bucket, key: call.key,
            contentType: replace ? call.request.headers[.contentType] : source.contentType,
            metadata: replace ? Self.metadata(call.request) : source.metadata, owner: ObjectOwnership.caller)
        let bytes = try await call.backend.read(source, range: nil)
        let record = try await call.backend.put(write, body: bytes)
        var xml = S3XMLWriter()
        xml.root("CopyObjectResult")
        xml.element("LastModified", S3Time.iso8601(record.lastModified))
        xml.element("ETag", S3Response.quoted(record.etag))
        return S3Response.xml(xml.finish(), requestId: call.requestId)
    }

    /// The object named by the request, or S3's error: NoSuchBucket when the bucket is missing, else NoSuchKey.
    func existing(_ call: S3Call) async throws -> ObjectRecord {
        if let object = try await call.backend.head(bucket: call.bucket, key: call.key) { return object }
        if try await call.backend.bucket(call.bucket) == nil { throw S3Error.noSuchBucket(call.bucket) }
        throw S3Error.noSuchKey(bucket: call.bucket, key: call.key)
    }

    /// Writing over another key's object is refused; conditional writes: `If-None-Match: *` refuses to overwrite,
    /// `If-Match` requires the current ETag.
    func checkWriteConditions(_ call: S3Call) async throws {
        let ifMatch = call.header(S3Headers.ifMatch)
        let ifNoneMatch = call.header(S3Headers.ifNoneMatch)
        let current = try await call.backend.head(bucket: call.bucket, key: call.key)
        try ObjectOwnership.checkChange(current)
        guard ifMatch != nil || ifNoneMatch != nil else { return }
        if let ifNoneMatch, let current, S3Conditions.matches(ifNoneMatch, etag: current.etag) {
            throw S3Error.preconditionFailed("If-None-Match")
        }
        if let ifMatch {
            guard let current else { throw S3Error.noSuchKey(bucket: call.bucket, key: call.key) }
            guard S3Conditions.matches(ifMatch, etag: current.etag) else { throw S3Error.preconditionFailed("If-Match") }
        }
    }

    /// `x-amz-meta-*` headers, names lower-cased without the prefix.
    static func metadata(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName
            if name.hasPrefix(S3Headers.metaPrefix), name.count > S3Headers.metaPrefix.count {
                let key = String(name.dropFirst(S3Headers.metaPrefix.count))
                out[key] = out[key].map { $0 + "," + field.value } ?? field.value
            }
        }
        return out
    }

    /// `response-content-type` and friends: GetObject answers with these headers instead of the stored ones.
    static func applyOverrides(_ query: S3Query, to headers: inout HTTPFields) {
        let overrides: [(String, HTTPField.Name)] = [
            ("response-content-type", .contentType), ("response-content-disposition", .contentDisposition),
            ("response-content-encoding", .contentEncoding), ("response-content-language", .contentLanguage),
            ("response-cache-control", .cacheControl), ("response-expires", .expires),
        ]
        for (parameter, field) in overrides {
            if let value = query[parameter] { headers[field] = value }
        }
    }
}
