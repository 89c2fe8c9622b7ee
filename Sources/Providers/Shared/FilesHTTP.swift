import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// The HTTP half of the providers' file stores (OpenAI Files, Gemini Files, Amazon S3): requests whose bodies may
/// stream, answered by a response head whose body the caller reads or streams on, with the adapters' error mapping.
struct FilesHTTP: Sendable {
    /// An upload's response head comes only after its whole body went up, so its deadline cannot be the chat
    /// timeout; an hour carries 5 GiB at about 1.5 MB/s.
    static let uploadSeconds: Double = 3600

    let http: UpstreamHTTP

    /// The response whatever its status; only a failure to reach the upstream (or no head within `seconds`) throws.
    func execute(_ request: HTTPClientRequest, target: UpstreamTarget, seconds: Double? = nil) async throws -> HTTPClientResponse {
        let seconds = seconds ?? target.timeoutSeconds
        do {
            return try await http.lane(for: target).client.execute(request, timeout: .milliseconds(Int64(seconds * 1000)))
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw GatewayError(.timeout, "provider '\(target.provider)' did not answer within \(UpstreamHTTP.formatSeconds(seconds)) s")
        } catch let error as HTTPClientError where error == .getConnectionFromPoolTimeout {
            throw UpstreamHTTP.poolFullError(target, lane: http.lane(for: target))
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as GatewayError {
            throw error
        } catch {
            throw UpstreamFailure.unreachable(error, target: target)
        }
    }

    /// A 2xx response, or the upstream's error as a `GatewayError` carrying its status.
    func checked(_ request: HTTPClientRequest, target: UpstreamTarget, seconds: Double? = nil) async throws -> HTTPClientResponse {
        let response = try await execute(request, target: target, seconds: seconds)
        guard (200..<300).contains(Int(response.status.code)) else {
            throw await UpstreamHTTP.upstreamError(response, target: target)
        }
        return response
    }

    /// A small JSON answer (a file object), read whole.
    func json(_ response: HTTPClientResponse, target: UpstreamTarget) async throws -> JSONValue {
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw UpstreamFailure.brokenAnswer(error, target: target, limit: 1 << 20)
        }
        return try JSONCoding.decode(JSONValue.self, from: body, provider: target.provider)
    }

    /// `{base}{path}`, the base without trailing slashes.
    static func join(_ base: String, _ path: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    /// One path segment (a file id) encoded so it stays one segment.
    static func segment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? value
    }
}
