import Foundation
import Hummingbird
import NIOCore
import SwitchyardModel

/// JSON answers for the small control-plane operations, where clarity beats a hand-written encoder.
enum BedrockJSON {
    static func answer(_ body: () throws -> [String: Any]) -> Response {
        do {
            let data = try JSONSerialization.data(withJSONObject: try body(), options: [.sortedKeys, .withoutEscapingSlashes])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        } catch let error as GatewayError {
            return BedrockRoute.errorResponse(error)
        } catch {
            return BedrockRoute.errorResponse(GatewayError(.internalError, "could not write the answer"))
        }
    }

    /// The region the caller signed for (boto3 signs with its `region_name`), so ARNs look like its own.
    static func region(of request: Request) -> String {
        guard let auth = request.headers[.authorization], let start = auth.range(of: "Credential=") else { return "us-east-1" }
        let parts = auth[start.upperBound...].prefix(while: { $0 != "," }).split(separator: "/")
        return parts.count >= 3 ? String(parts[2]) : "us-east-1"
    }

    static func page(_ items: [[String: Any]], query: Parameters) throws -> (items: [[String: Any]], nextToken: String?) {
        let size = query["maxResults"].map { Int(String($0)) } ?? 1000
        guard let size, (1...1000).contains(size) else {
            throw GatewayError(.validation, "maxResults must be a whole number from 1 to 1000")
        }
        let start = query["nextToken"].map { Int(String($0)) } ?? 0
        guard let start, start >= 0, start <= items.count else { throw GatewayError(.validation, "nextToken is not valid") }
        let end = min(items.count, start + size)
        return (Array(items[start..<end]), end < items.count ? String(end) : nil)
    }
}
