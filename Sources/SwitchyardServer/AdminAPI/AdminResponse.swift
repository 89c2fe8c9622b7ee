import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The admin API's answers: JSON bodies, and errors as `{"error":{"code":…,"message":…}}`.
enum AdminResponse {
    static func json(_ data: Data, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ status: HTTPResponse.Status, code: String, _ message: String) -> Response {
        let body = (try? AdminJSON.encode(["error": ["code": code, "message": message]])) ?? Data()
        return json(body, status: status)
    }
}

/// A failure a route answers with its own status and code.
struct AdminAPIError: Error {
    var status: HTTPResponse.Status
    var code: String
    var message: String

    init(status: HTTPResponse.Status, code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }
}
