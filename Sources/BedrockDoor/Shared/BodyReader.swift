import Hummingbird
import NIOCore
import SwitchyardModel

public enum BodyReader {
    /// Refuses an oversized body from its Content-Length before reading any of it, and stops reading one that
    /// grows past the limit without declaring its length.
    public static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        // The first value, not the String subscript: that one joins every value into a new string per request.
        if let declared = request.headers[values: .contentLength].first.flatMap({ Int($0) }), declared > limit {
            throw tooLarge(limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge(limit)
        } catch {
            // The connection broke mid-body (fewer bytes than Content-Length, malformed chunked framing): the
            // caller's fault, answered if the connection can still carry an answer.
            throw GatewayError(.validation, "the request body could not be read whole: the connection ended early or its chunked framing is malformed")
        }
    }

    static func tooLarge(_ limit: Int) -> GatewayError {
        GatewayError(.payloadTooLarge, "the request body is larger than the limit of \(limit) bytes")
    }
}
