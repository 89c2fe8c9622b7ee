import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAIDialect
import SwitchyardModel

/// What the files and batches routes share: OpenAI's answers for objects (JSON, and 404s that name the id rather
/// than a model, as the chat routes' do), and the cursor parameters of their listings.
enum OpenAIResourceRoute {
    static func answer(requestId: String, logger: Logger, _ handler: () async throws -> Response) async -> Response {
        await OpenAICallRoute.answer(requestId: requestId, logger: logger) {
            do {
                return try await handler()
            } catch let error as GatewayError where error.kind == .notFound {
                throw OpenAIError(status: 404, type: "invalid_request_error", param: "id", message: error.message)
            }
        }
    }

    static func json(_ value: some Encodable) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(data: OpenAIObjectJSON.data(value))))
    }

    static func query(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { out[String(name)] = String(value) }
        return out
    }

    /// `limit` between 1 and `maximum`, `fallback` when absent.
    static func limit(_ query: [String: String], fallback: Int, maximum: Int) throws(OpenAIError) -> Int {
        guard let raw = query["limit"] else { return fallback }
        guard let limit = Int(raw), (1...maximum).contains(limit) else {
            throw OpenAIError(
                status: 400, type: "invalid_request_error", code: "invalid_value", param: "limit",
                message: "Invalid 'limit': must be an integer between 1 and \(maximum).")
        }
        return limit
    }

    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let declared = request.headers[values: .contentLength].first.flatMap({ Int($0) }), declared > limit {
            throw GatewayError(.payloadTooLarge, "The request body is larger than \(limit) bytes.")
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw GatewayError(.payloadTooLarge, "The request body is larger than \(limit) bytes.")
        } catch {
            throw GatewayError(.validation, "The request body could not be read whole.")
        }
    }
}
