import Hummingbird
import NIOCore

enum HealthResponse {
    static func response(providers: [String]) -> Response {
        let list = providers.map { "\"\($0)\"" }.joined(separator: ",")
        let body = ByteBuffer(string: "{\"status\":\"ok\",\"providers\":[\(list)]}")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}
