import Foundation
import Hummingbird
import NIOCore
import SwitchyardModel

/// JSON answers for the small control-plane operations, where clarity beats a hand-written encoder.
enum BedrockJSON {
    static func answer(_ body: () throws -> JSONValue) -> Response {
        do {
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: encode(try body())))
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

    /// Keys sorted, as AWS's own answers are not but tests and diffs like them.
    static func encode(_ document: JSONValue) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ByteBuffer(bytes: (try? encoder.encode(document)) ?? Data("{}".utf8))
    }

    static func page(_ items: [JSONValue], query: Parameters) throws -> (items: [JSONValue], nextToken: String?) {
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
