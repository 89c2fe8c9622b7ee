import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// The plain request/answer calls of the batch APIs (GET, POST, multipart uploads), with the same deadlines and
/// error mapping as the chat calls.
struct BatchHTTP: Sendable {
    let http: UpstreamHTTP

    func get(_ url: String, headers: HTTPHeaders, target: UpstreamTarget) async throws -> ByteBuffer {
        try await send(.GET, url, headers: headers, body: nil, target: target)
    }

    func post(_ url: String, headers: HTTPHeaders, json: JSONValue, target: UpstreamTarget) async throws -> ByteBuffer {
        var headers = headers
        headers.replaceOrAdd(name: "content-type", value: "application/json")
        return try await send(.POST, url, headers: headers, body: JSONCoding.encode(json), target: target)
    }

    func send(_ method: HTTPMethod, _ url: String, headers: HTTPHeaders, body: ByteBuffer?, target: UpstreamTarget) async throws -> ByteBuffer {
        let http = self.http
        return try await Deadline.run(seconds: target.timeoutSeconds, onTimeout: UpstreamHTTP.timeoutError(target)) {
            var request = HTTPClientRequest(url: url)
            request.method = method
            request.headers = headers
            if let traceParent = target.traceParent { request.headers.replaceOrAdd(name: "traceparent", value: traceParent) }
            if let body { request.body = .bytes(body) }
            let response: HTTPClientResponse
            do {
                response = try await http.lane(for: target).client.execute(request, timeout: .milliseconds(Int64(target.timeoutSeconds * 1000)))
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as HTTPClientError where error == .getConnectionFromPoolTimeout {
                throw UpstreamHTTP.poolFullError(target, lane: http.lane(for: target))
            } catch {
                throw UpstreamFailure.unreachable(error, target: target)
            }
            guard (200..<300).contains(Int(response.status.code)) else {
                throw await UpstreamHTTP.upstreamError(response, target: target)
            }
            do {
                return try await response.body.collect(upTo: http.maxResponseBytes)
            } catch {
                throw UpstreamFailure.brokenAnswer(error, target: target, limit: http.maxResponseBytes)
            }
        }
    }

    /// A `multipart/form-data` body of text fields and one file.
    static func multipart(fields: [(String, String)], file: (name: String, filename: String, contentType: String, bytes: [UInt8]))
        -> (contentType: String, body: ByteBuffer)
    {
        let boundary = "switchyard-\(UUID().uuidString)"
        var body = ByteBuffer()
        for (name, value) in fields {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\n"
                + "Content-Type: \(file.contentType)\r\n\r\n")
        body.writeBytes(file.bytes)
        body.writeString("\r\n--\(boundary)--\r\n")
        return ("multipart/form-data; boundary=\(boundary)", body)
    }

    /// JSON lines of a results file; lines that are not JSON objects are skipped.
    static func jsonLines(_ buffer: ByteBuffer) -> [JSONValue] {
        let text = String(decoding: buffer.readableBytesView, as: UTF8.self)
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
        }
    }

    static func json(_ buffer: ByteBuffer, provider: String) throws -> JSONValue {
        try JSONCoding.decode(JSONValue.self, from: buffer, provider: provider)
    }
}
