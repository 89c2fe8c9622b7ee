import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Stores

/// Building S3 answers: XML documents, errors (never a body on HEAD), object headers.
enum S3Response {
    static func xml(_ document: ByteBuffer, status: HTTPResponse.Status = .ok, requestId: String) -> Response {
        var headers = base(requestId)
        headers[.contentType] = "application/xml"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: document))
    }

    static func empty(_ status: HTTPResponse.Status, headers extra: HTTPFields = [:], requestId: String) -> Response {
        var headers = base(requestId)
        headers.append(contentsOf: extra)
        if headers[.contentLength] == nil { headers[.contentLength] = "0" }
        return Response(status: status, headers: headers, body: ResponseBody())
    }

    static func error(_ error: S3Error, requestId: String, head: Bool, extra: HTTPFields = [:]) -> Response {
        let status = HTTPResponse.Status(code: error.status)
        if head { return empty(status, headers: extra, requestId: requestId) }
        var xml = S3XMLWriter()
        xml.start("Error")
        xml.element("Code", error.code)
        xml.element("Message", error.message)
        xml.element("Key", error.key)
        xml.element("BucketName", error.bucket)
        xml.element("Resource", error.resource)
        xml.element("RequestId", requestId)
        var response = Self.xml(xml.finish(), status: status, requestId: requestId)
        response.headers.append(contentsOf: extra)
        return response
    }

    static func base(_ requestId: String) -> HTTPFields {
        [S3Headers.requestId: requestId, S3Headers.amznRequestId: requestId]
    }

    /// The headers GET and HEAD share: ETag (quoted), Last-Modified, Content-Type, metadata.
    static func objectHeaders(_ object: ObjectRecord) -> HTTPFields {
        var headers: HTTPFields = [
            .eTag: quoted(object.etag),
            .lastModified: S3Time.rfc1123(object.lastModified),
            .contentType: object.contentType ?? "binary/octet-stream",
            .acceptRanges: "bytes",
        ]
        for (name, value) in object.metadata.sorted(by: { $0.key < $1.key }) {
            if let field = HTTPField.Name(S3Headers.metaPrefix + name) { headers[field] = value }
        }
        return headers
    }

    static func quoted(_ etag: String) -> String { "\"\(etag)\"" }

    static func newRequestId() -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = String(generator.next() as UInt64, radix: 16, uppercase: true)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension S3Error {
    /// The error as the S3 door answers it, for refusals made before the door runs (authentication).
    public func response(head: Bool) -> Response {
        S3Response.error(self, requestId: S3Response.newRequestId(), head: head)
    }
}
