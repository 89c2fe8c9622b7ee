import HTTPTypes
import Hummingbird

/// One S3 request on its way through the door: what was asked, of which backend.
struct S3Call: Sendable {
    var request: Request
    var target: S3RequestTarget
    var backend: any FileBackend
    var requestId: String

    var isHead: Bool { request.method == .head }
    var bucket: String { target.bucket ?? "" }
    var key: String { target.key ?? "" }
    var query: S3Query { target.query }

    func header(_ name: HTTPField.Name) -> String? { request.headers[name] }
}
