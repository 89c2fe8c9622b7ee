import Foundation
import HTTPTypes
import Hummingbird
import Stores

extension S3Routes {
    func createMultipartUpload(_ call: S3Call) async throws -> Response {
        try ObjectOwnership.checkChange(try await call.backend.head(bucket: call.bucket, key: call.key))
        let write = ObjectWrite(
            bucket: call.bucket, key: call.key, contentType: call.request.headers[.contentType], metadata: Self.metadata(call.request),
            owner: ObjectOwnership.caller)
        let upload = try await call.backend.createMultipartUpload(write)
        var xml = S3XMLWriter()
        xml.root("InitiateMultipartUploadResult")
        xml.element("Bucket", call.bucket)
        xml.element("Key", call.key)
        xml.element("UploadId", upload.uploadId)
        return S3Response.xml(xml.finish(), requestId: call.requestId)
    }

    func uploadPart(_ call: S3Call) async throws -> Response {
        guard let number = call.query["partNumber"].flatMap({ Int($0) }) else {
            throw S3Error.invalidArgument("Part number must be an integer between 1 and 10000, inclusive")
        }
        try await checkUploadOwner(call)
        let body = try uploadBody(call, limit: maxObjectBytes)
        let part = try await body.blamingBody {
            try await call.backend.uploadPart(
                bucket: call.bucket, key: call.key, uploadId: call.query["uploadId"] ?? "", partNumber: number, body: body)
        }
        let headers: HTTPFields = [.eTag: S3Response.quoted(part.etag), S3Headers.checksumCRC32: part.checksumCRC32]
        return S3Response.empty(.ok, headers: headers, requestId: call.requestId)
    }

    func completeMultipartUpload(_ call: S3Call) async throws -> Response {
        let uploadId = call.query["uploadId"] ?? ""
        try await checkUploadOwner(call)
        // The object may have been written by another key since the upload began.
        try ObjectOwnership.checkChange(try await call.backend.head(bucket: call.bucket, key: call.key))
        let parts = try CompletedPart.list(from: try await requestXML(call))
        let object = try await call.backend.completeMultipartUpload(bucket: call.bucket, key: call.key, uploadId: uploadId, parts: parts)
        var xml = S3XMLWriter()
        xml.root("CompleteMultipartUploadResult")
        let host = call.request.head.authority ?? "localhost"
        xml.element("Location", "http://\(host)\(mount)/\(call.bucket)/\(S3PercentEncoding.encode(call.key))")
        xml.element("Bucket", call.bucket)
        xml.element("Key", call.key)
        xml.element("ETag", S3Response.quoted(object.etag))
        return S3Response.xml(xml.finish(), requestId: call.requestId)
    }

    func abortMultipartUpload(_ call: S3Call) async throws -> Response {
        try await checkUploadOwner(call)
        try await call.backend.abortMultipartUpload(bucket: call.bucket, key: call.key, uploadId: call.query["uploadId"] ?? "")
        return S3Response.empty(.noContent, requestId: call.requestId)
    }

    /// Another key's upload is `AccessDenied` (an unknown one stays `NoSuchUpload`).
    func checkUploadOwner(_ call: S3Call) async throws {
        let (upload, _) = try await call.backend.parts(bucket: call.bucket, key: call.key, uploadId: call.query["uploadId"] ?? "")
        try ObjectOwnership.checkUpload(upload)
    }
}
