import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardModel

/// The HTTP half every adapter shares: each provider's pooled client, deadlines, and upstream errors turned into
/// `GatewayError`.
public struct UpstreamHTTP: Sendable {
    /// For targets without a lane of their own (callers that build targets outside the configured providers).
    public let client: HTTPClient
    /// The most a non-streaming answer may hold; a runaway upstream cannot exhaust memory.
    public var maxResponseBytes: Int
    /// Configured provider name → its own client and limits.
    public var lanes: [String: UpstreamLane]

    private let sharedLane: UpstreamLane

    /// `clientMaxConnections` is `client`'s pool size (AsyncHTTPClient's default is 8), for messages.
    public init(client: HTTPClient, maxResponseBytes: Int = 64 << 20, lanes: [String: UpstreamLane] = [:], clientMaxConnections: Int = 8) {
        self.client = client
        self.maxResponseBytes = maxResponseBytes
        self.lanes = lanes
        self.sharedLane = UpstreamLane(client: client, maxConnections: clientMaxConnections)
    }

    public func lane(for target: UpstreamTarget) -> UpstreamLane {
        lanes[target.provider] ?? sharedLane
    }

    /// POST and collect the whole answer within `target.timeoutSeconds`, head and body together. The body's share
    /// of the deadline is checked as each chunk arrives, so a trickling answer is cut at the deadline; one that
    /// stalls outright is cut by the provider's read timeout. (A timer task per call cost about a tenth of the
    /// gateway's throughput, which this avoids.)
    public func postJSON(url: String, headers: HTTPHeaders, body: ByteBuffer, target: UpstreamTarget) async throws -> ByteBuffer {
        let deadline = ContinuousClock.now + .milliseconds(Int64(target.timeoutSeconds * 1000))
        let (response, lease) = try await send(url: url, headers: headers, body: body, target: target)
        do {
            // The lease is released here, once the body has been read, with no wrapper around every chunk.
            defer { withExtendedLifetime(lease) {} }
            return try await Self.collect(response.body, upTo: maxResponseBytes, before: deadline, target: target)
        } catch let error as GatewayError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as HTTPClientError where error == .readTimeout {
            throw Self.timeoutError(target)
        } catch {
            throw UpstreamFailure.brokenAnswer(error, target: target, limit: maxResponseBytes)
        }
    }

    /// The whole body, failing with the provider's timeout once a chunk arrives after `deadline`.
    static func collect(
        _ body: HTTPClientResponse.Body, upTo limit: Int, before deadline: ContinuousClock.Instant, target: UpstreamTarget
    ) async throws -> ByteBuffer {
        var collected: ByteBuffer?
        for try await chunk in body {
            guard ContinuousClock.now < deadline else { throw timeoutError(target) }
            var chunk = chunk
            guard (collected?.readableBytes ?? 0) + chunk.readableBytes <= limit else {
                throw UpstreamFailure.tooLarge(target: target, limit: limit)
            }
            if collected == nil { collected = chunk } else { collected!.writeBuffer(&chunk) }
        }
        return collected ?? ByteBuffer()
    }

    /// POST and return as soon as a successful response head arrives; the body is the caller's to stream.
    public func open(url: String, headers: HTTPHeaders, body: ByteBuffer, target: UpstreamTarget) async throws -> HTTPClientResponse {
        var (response, lease) = try await send(url: url, headers: headers, body: body, target: target)
        // The body, which the caller streams, holds the lease until it is gone.
        if let lease { response.body = .stream(LeasedBody(base: response.body, lease: lease)) }
        return response
    }

    /// The call, counted on its pool until the returned lease is released.
    private func send(url: String, headers: HTTPHeaders, body: ByteBuffer, target: UpstreamTarget) async throws
        -> (HTTPClientResponse, PoolLease?)
    {
        let lane = lane(for: target)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers = headers
        // After signing: a SigV4 signature covers only the headers it lists, and traceparent is not one of them.
        if let traceParent = target.traceParent { request.headers.replaceOrAdd(name: "traceparent", value: traceParent) }
        request.body = .bytes(body)
        let response: HTTPClientResponse
        let lease: PoolLease?
        do {
            // AsyncHTTPClient's deadline covers the wait for the response head only, which is what a stream wants.
            let leased = lane.lease()
            lease = leased.lease
            response = try await leased.client.execute(request, timeout: .milliseconds(Int64(target.timeoutSeconds * 1000)))
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw Self.timeoutError(target)
        } catch let error as HTTPClientError where error == .getConnectionFromPoolTimeout {
            throw Self.poolFullError(target, lane: lane)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw UpstreamFailure.unreachable(error, target: target)
        }
        guard (200..<300).contains(Int(response.status.code)) else {
            defer { withExtendedLifetime(lease) {} }
            throw await Self.upstreamError(response, target: target)
        }
        return (response, lease)
    }

    static func timeoutError(_ target: UpstreamTarget) -> GatewayError {
        GatewayError(.timeout, "provider '\(target.provider)' did not answer within \(formatSeconds(target.timeoutSeconds)) s")
    }

    /// The request waited for a pooled connection as long as a connect may take while every one was in use: the
    /// gateway's own capacity for this provider is the limit, which is throttling, not an unreachable provider.
    static func poolFullError(_ target: UpstreamTarget, lane: UpstreamLane) -> GatewayError {
        GatewayError(
            .throttled,
            "provider '\(target.provider)' has all \(lane.maxConnections) connections busy; raise its max_connections or retry later")
    }

    static func upstreamError(_ response: HTTPClientResponse, target: UpstreamTarget) async -> GatewayError {
        let status = Int(response.status.code)
        var text = ""
        var code = response.headers.first(name: "x-amzn-ErrorType").map(Self.awsErrorCode)
        if let body = try? await response.body.collect(upTo: 1 << 20) {
            text = Self.errorMessage(in: body) ?? ""
            code = code ?? Self.awsErrorCode(in: body)
        }
        // Upstreams echo the key they were given ("Incorrect API key provided: sk-…"); this is the first place the
        // text is read, so every path from here on (doors, batch job messages, logs) only ever sees it redacted.
        let reason = text.isEmpty ? response.status.reasonPhrase : SecretRedactor(secrets: target.secrets).redact(text)
        // An AWS upstream's error goes back to an AWS caller as it was; others get the provider named.
        let message = code != nil ? reason : "provider '\(target.provider)' answered \(status): \(reason)"
        return GatewayError(
            GatewayError.kind(forUpstreamStatus: status), message, upstreamStatus: status, upstreamCode: code,
            retryAfterSeconds: RetryAfter.seconds(in: response.headers))
    }

    /// `ThrottlingException:http://internal…` or `com.amazon.bedrock#ValidationException` → the bare code.
    static func awsErrorCode(_ raw: String) -> String {
        let beforeColon = raw.split(separator: ":", maxSplits: 1).first.map(String.init) ?? raw
        return beforeColon.split(separator: "#").last.map(String.init) ?? beforeColon
    }

    /// AWS JSON errors name their code in `__type` (or `code`); other providers nest theirs under `error`.
    static func awsErrorCode(in body: ByteBuffer) -> String? {
        guard let members = UpstreamErrorMembers.read(body) else { return nil }
        return (members.type ?? members.code).map(awsErrorCode).flatMap { $0.hasSuffix("Exception") ? $0 : nil }
    }

    /// OpenAI, Anthropic and Gemini all put the human-readable text at `error.message`.
    public static func errorMessage(in body: ByteBuffer) -> String? {
        guard body.readableBytes > 0 else { return nil }
        if let members = UpstreamErrorMembers.read(body),
            let message = members.errorMessage ?? members.errorText ?? members.message ?? members.detail
        {
            return message
        }
        let raw = String(decoding: body.readableBytesView.prefix(1000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if raw.hasPrefix("<") { return nil }
        return raw.isEmpty ? nil : raw
    }

    /// What went wrong on the network, in a caller's words.
    static func describe(_ error: any Error) -> String {
        UpstreamFailure.what(error).phrase
    }

    static func formatSeconds(_ s: Double) -> String {
        s.rounded() == s ? String(Int(s)) : String(s)
    }
}

/// The members of an upstream's error body that name what went wrong, whichever provider wrote it. Each is read on
/// its own: Google's numeric `code` or an `error` that is a string must not hide the message beside it.
struct UpstreamErrorMembers: Decodable {
    var type: String?
    var code: String?
    var message: String?
    var detail: String?
    /// `error.message` (OpenAI, Anthropic, Gemini).
    var errorMessage: String?
    /// `error` as a bare string.
    var errorText: String?

    enum Keys: String, CodingKey {
        case type = "__type"
        case code, Code, message, Message, detail, error
    }

    enum NestedKeys: String, CodingKey { case message }

    init(from decoder: any Decoder) throws {
        let members = try decoder.container(keyedBy: Keys.self)
        func text(_ key: Keys) -> String? { try? members.decodeIfPresent(String.self, forKey: key) }
        type = text(.type)
        code = text(.code) ?? text(.Code)
        message = text(.message) ?? text(.Message)
        detail = text(.detail)
        errorText = text(.error)
        if errorText == nil {
            errorMessage = try? members.nestedContainer(keyedBy: NestedKeys.self, forKey: .error).decodeIfPresent(String.self, forKey: .message)
        }
    }

    static func read(_ body: ByteBuffer) -> UpstreamErrorMembers? {
        try? JSONDecoder().decode(UpstreamErrorMembers.self, from: Data(body.readableBytesView))
    }
}
