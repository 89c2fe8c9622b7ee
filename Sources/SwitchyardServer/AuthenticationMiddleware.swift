import AWSWire
import BedrockDoor
import Engine
import GatewayMetrics
import Governance
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import S3Door
import SwitchyardModel

/// `x-swyd-vk` and `x-bf-vk`, made once (a generic type cannot hold them).
private let virtualKeyFields: [HTTPField.Name] = Authenticator.headerNames.map { HTTPField.Name($0)! }


/// Authenticates every request to the Bedrock doors (`/bedrock`, runtime and control plane) and the S3 door
/// (`/bedrock/files`) before any route sees it, and runs the rest of the request as its caller
/// (`CallerScope.current`). A refusal is answered in the door's dialect. The credential itself goes no further:
/// key headers, a virtual-key bearer token and presigned-signature parameters are taken off the request, so no
/// door can forward or log them. Every refusal is counted (`switchyard_auth_refusals_total`) and logged, once, with
/// the access key id presented; it writes no request-log row, so a flood of unauthenticated requests costs no
/// database writes.
struct AuthenticationMiddleware<Context: RequestContext>: RouterMiddleware {
    let authenticator: Authenticator
    let maxBodyBytes: Int
    let filesMount: String
    var metrics: AuthenticationMetrics?

    static var bedrockMount: String { "/bedrock" }
    static var keyFields: [HTTPField.Name] { virtualKeyFields }

    func handle(_ request: Request, context: Context, next: @concurrent (Request, Context) async throws -> Response) async throws -> Response {
        let target = request.head.path ?? "/"
        let question = target.utf8.firstIndex(of: UInt8(ascii: "?"))
        let path = target[..<(question ?? target.endIndex)]
        let query = question.map { target[target.utf8.index(after: $0)...] } ?? ""
        let door: SigV4Door
        if Self.isUnder(path, filesMount) {
            door = .s3
        } else if Self.isUnder(path, Self.bedrockMount) {
            door = .bedrock
        } else {
            return try await next(request, context)
        }
        var request = request
        var body: ByteBuffer?
        if door == .bedrock {
            // Bedrock signs the body's digest, so the body is read here, bounded as the routes bound it, and handed on.
            do {
                let collected = try await BodyReader.collect(request, limit: maxBodyBytes)
                request.body = RequestBody(buffer: collected)
                body = collected
            } catch let error as GatewayError {
                return Self.bedrockResponse(BedrockErrorMapper.awsError(for: error))
            }
        }
        var headers = SigV4Headers(capacity: request.headers.count)
        for field in request.headers { headers.append(lowercasedName: field.name.canonicalName, value: field.value) }
        let signed = SigV4Request(
            method: request.method.rawValue, path: path, query: query, authority: request.head.authority, headers: headers,
            s3ResourcePath: door == .s3 ? path.dropFirst(filesMount.count) : nil)
        let caller: CallerIdentity?
        do {
            caller = try await authenticator.authenticate(signed, door: door, body: body)
        } catch {
            report(error, door: door, method: request.method, path: path, logger: context.logger)
            return Self.response(error, door: door, head: request.method == .head)
        }
        let forwarded = Self.withoutCredentials(request, headers: headers, path: path, query: query)
        return try await CallerScope.$current.withValue(caller) { try await next(forwarded, context) }
    }

    /// `path` is `mount` or below it; on bytes, as every request asks.
    static func isUnder(_ path: Substring, _ mount: String) -> Bool {
        let bytes = path.utf8
        guard bytes.starts(with: mount.utf8) else { return false }
        let next = bytes.index(bytes.startIndex, offsetBy: mount.utf8.count)
        return next == bytes.endIndex || bytes[next] == UInt8(ascii: "/")
    }

    /// The path without its query (a presigned URL's signature is there) and the access key id only (public, as
    /// CloudTrail shows it): nothing of a secret, signature or token reaches the log.
    func report(_ refusal: AuthenticationRefusal, door: SigV4Door, method: HTTPRequest.Method, path: Substring, logger: Logger) {
        let doorLabel = Self.doorLabel(door), reason = Self.reasonLabel(refusal.reason)
        metrics?.refused(door: doorLabel, reason: reason)
        var metadata: Logger.Metadata = [
            "door": "\(doorLabel)", "reason": "\(reason)", "method": "\(method.rawValue)", "path": "\(path.prefix(Self.loggedPathLength))",
        ]
        if let accessKeyId = refusal.accessKeyId { metadata["access_key_id"] = "\(Self.loggable(accessKeyId: accessKeyId))" }
        // The key store failing is the gateway's trouble, not the caller's.
        logger.log(level: refusal.reason == .unavailable ? .warning : .notice, "authentication refused", metadata: metadata)
    }

    static var loggedPathLength: Int { 512 }

    /// An access key id as the caller sent it when it looks like one (AWS's are 16–128 letters and digits); anything
    /// else (a token pasted in the wrong field, control characters) is not repeated.
    static func loggable(accessKeyId: String) -> String {
        let plain = (1...128).contains(accessKeyId.utf8.count) && accessKeyId.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        return plain ? accessKeyId : "(unreadable)"
    }

    static func doorLabel(_ door: SigV4Door) -> String {
        switch door {
        case .bedrock: "bedrock"
        case .s3: "s3"
        }
    }

    /// The fixed set of `reason` label values (README, "Virtual keys").
    static func reasonLabel(_ reason: AuthenticationRefusal.Reason) -> String {
        switch reason {
        case .missing: "missing"
        case .unknownKey: "unknown_key"
        case .sessionToken: "session_token"
        case .inactive: "inactive"
        case .expired: "expired"
        case .conflicting: "conflicting"
        case .unavailable: "unavailable"
        case .signature(let failure):
            switch failure.kind {
            case .malformedHeader, .malformedQuery, .missingPayloadHash, .invalidPayloadHash: "malformed"
            case .scope: "scope"
            case .skew: "skew"
            case .expired: "expired_signature"
            case .payloadHashMismatch: "payload_hash"
            case .signatureMismatch: "signature"
            }
        }
    }

    /// The request with its key headers, virtual-key bearer and presigned-signature parameters removed; itself when
    /// it carries none (the usual SigV4 request: its `Authorization` stays, the doors read its region).
    static func withoutCredentials(_ request: Request, headers: SigV4Headers, path: Substring, query: Substring) -> Request {
        let unsignedQuery = SigV4Presentation.queryWithoutSignature(query)
        let bearer = headers.values(of: "authorization").contains(where: Authenticator.isVirtualKeyBearer)
        let keyHeader = Authenticator.headerNames.contains { headers.contains($0) }
        guard unsignedQuery != nil || bearer || keyHeader else { return request }
        var head = request.head
        for field in keyFields { head.headerFields[field] = nil }
        if bearer { head.headerFields[.authorization] = nil }
        if let unsignedQuery { head.path = unsignedQuery.isEmpty ? String(path) : "\(path)?\(unsignedQuery)" }
        return Request(head: head, body: request.body)
    }

    static func response(_ refusal: AuthenticationRefusal, door: SigV4Door, head: Bool) -> Response {
        switch door {
        case .bedrock: bedrockResponse(bedrockError(refusal))
        case .s3: s3Error(refusal).response(head: head)
        }
    }

    static func bedrockResponse(_ error: AWSJSONError) -> Response {
        var fields = HTTPFields()
        for (name, value) in error.headers { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return Response(status: .init(code: error.status), headers: fields, body: ResponseBody(byteBuffer: error.bodyBuffer))
    }

    /// gateway-features.md §1.3 and §1.6, Bedrock column.
    static func bedrockError(_ refusal: AuthenticationRefusal) -> AWSJSONError {
        let message = refusal.message
        return switch refusal.reason {
        case .missing: AWSJSONError(code: "MissingAuthenticationTokenException", message: message, status: 403)
        case .unknownKey, .sessionToken: AWSJSONError(code: "UnrecognizedClientException", message: message, status: 403)
        case .inactive, .expired, .conflicting: AWSJSONError(code: "AccessDeniedException", message: message, status: 403)
        case .unavailable: AWSJSONError(code: "ServiceUnavailableException", message: message, status: 503)
        case .signature(let failure):
            switch failure.kind {
            case .malformedHeader, .malformedQuery, .missingPayloadHash, .invalidPayloadHash:
                AWSJSONError(code: "IncompleteSignatureException", message: message, status: 400)
            case .scope, .skew, .expired, .payloadHashMismatch, .signatureMismatch:
                AWSJSONError(code: "InvalidSignatureException", message: message, status: 403)
            }
        }
    }

    /// gateway-features.md §1.3, S3 column: S3's own codes with S3's own messages.
    static func s3Error(_ refusal: AuthenticationRefusal) -> S3Error {
        switch refusal.reason {
        case .missing: return S3Error("AccessDenied", 403, "Access Denied")
        case .unknownKey: return S3Error("InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records.")
        case .sessionToken: return S3Error("InvalidToken", 400, "The provided token is malformed or otherwise invalid.")
        case .inactive, .expired, .conflicting: return S3Error("AccessDenied", 403, refusal.message)
        case .unavailable: return S3Error("ServiceUnavailable", 503, "Please reduce your request rate.")
        case .signature(let failure):
            switch failure.kind {
            case .malformedHeader: return S3Error("AuthorizationHeaderMalformed", 400, failure.message)
            case .malformedQuery: return S3Error("AuthorizationQueryParametersError", 400, failure.message)
            case .missingPayloadHash: return S3Error("InvalidRequest", 400, failure.message)
            case .invalidPayloadHash: return S3Error("InvalidArgument", 400, failure.message)
            case .payloadHashMismatch: return S3Error("XAmzContentSHA256Mismatch", 400, failure.message)
            case .skew: return S3Error("RequestTimeTooSkewed", 403, "The difference between the request time and the current time is too large.")
            case .expired: return S3Error("AccessDenied", 403, "Request has expired")
            case .scope: return S3Error("SignatureDoesNotMatch", 403, failure.message)
            case .signatureMismatch:
                return S3Error(
                    "SignatureDoesNotMatch", 403,
                    "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
            }
        }
    }
}
