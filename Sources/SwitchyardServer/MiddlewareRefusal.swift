import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A refusal a server middleware answers itself, before any door reads the request, in the dialect of the route
/// asked for: S3's `<Error>` XML under the files mount (no body for HEAD, as boto3 expects), a rest-json error
/// (`x-amzn-ErrorType` and `{"message"}`) elsewhere.
struct MiddlewareRefusal {
    var status: HTTPResponse.Status
    /// The rest-json code (`AccessDeniedException`, `ValidationException`).
    var jsonCode: String
    /// The S3 code (`AccessDenied`, `InvalidArgument`).
    var s3Code: String
    var message: String

    func response(path: String, filesMount: String, head: Bool) -> Response {
        path == filesMount || path.hasPrefix(filesMount + "/") ? s3Response(head: head) : jsonResponse()
    }

    func jsonResponse() -> Response {
        var body = ByteBuffer()
        body.writeString("{\"message\":\"\(Self.escapedJSON(message))\"}")
        return Response(
            status: status, headers: [.contentType: "application/json", HTTPField.Name("x-amzn-ErrorType")!: jsonCode],
            body: .init(byteBuffer: body))
    }

    func s3Response(head: Bool) -> Response {
        var generator = SystemRandomNumberGenerator()
        let requestId = String(generator.next() as UInt64, radix: 16, uppercase: true)
        var headers: HTTPFields = [HTTPField.Name("x-amz-request-id")!: requestId]
        guard !head else { return Response(status: status, headers: headers) }
        headers[.contentType] = "application/xml"
        var body = ByteBuffer()
        body.writeString(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>\(s3Code)</Code><Message>\(Self.escapedXML(message))</Message>"
                + "<RequestId>\(requestId)</RequestId></Error>")
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    static func escapedJSON(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func escapedXML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
