import AWSWire
import Engine
import Foundation
import NIOCore

/// Finds the virtual key a request presents and proves it, before any door sees the request
/// (gateway-features.md §1.2–1.3). A key comes as the request's AWS credentials (its SigV4 signature verified), as
/// `Authorization: Bearer sk-swyd-…` (boto3's `AWS_BEARER_TOKEN_BEDROCK`), or in `x-swyd-vk` / `x-bf-vk`. Every
/// form presented must hold and name the same key.
public struct Authenticator: Sendable {
    public let ring: KeyRing
    public let settings: GovernanceSettings
    let verifier: SigV4Verifier
    let now: @Sendable () -> Date

    public static let headerNames = ["x-swyd-vk", "x-bf-vk"]
    static let tokenPrefix = "sk-swyd-"

    public init(
        ring: KeyRing, settings: GovernanceSettings, verifier: SigV4Verifier = SigV4Verifier(),
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.ring = ring
        self.settings = settings
        self.verifier = verifier
        self.now = now
    }

    /// The caller, nil for anonymous traffic (no key presented while `governance.enforce` is off). `body` is the whole
    /// request body at the Bedrock door, whose signatures cover it; nil at the S3 door.
    public func authenticate(_ request: SigV4Request, door: SigV4Door, body: ByteBuffer?) async throws(AuthenticationRefusal)
        -> CallerIdentity?
    {
        let tokens = try presentedTokens(request.headers)
        let signed: SigV4Presentation?
        do {
            signed = try SigV4Presentation.find(in: request, door: door)
        } catch {
            // Before governance every signature was ignored; with it off, an unreadable one still is.
            guard settings.enforce else { return try await identity(of: tokens, signed: nil) }
            // No access key id: an unreadable credential is not repeated anywhere.
            throw AuthenticationRefusal(.signature(error), error.message)
        }
        guard let signed else { return try await identity(of: tokens, signed: nil) }
        guard let entry = try await lookUp(signed.accessKeyId) else {
            // An access key id that is no virtual key is boto3's dummy credentials: anonymous with enforcement off,
            // or beside a key presented as a token.
            if tokens.isEmpty, settings.enforce { throw AuthenticationRefusal.unknownKey.presenting(signed.accessKeyId) }
            return try await identity(of: tokens, signed: nil)
        }
        try verify(signed, entry: entry, request: request, door: door, body: body)
        return try await identity(of: tokens, signed: entry)
    }

    /// The token doors (OpenAI, Anthropic): a virtual key as a bearer token or in a key header, never a signature.
    public func authenticate(tokens headers: any SigV4HeaderSource) async throws(AuthenticationRefusal) -> CallerIdentity? {
        try await identity(of: try presentedTokens(headers), signed: nil)
    }

    private func identity(of tokens: [KeyCredentials], signed: KeyRing.Entry?) async throws(AuthenticationRefusal) -> CallerIdentity? {
        var proven = signed.map { [$0] } ?? []
        for token in tokens {
            guard let entry = try await lookUp(token.accessKeyId), KeyCredentials.secretsMatch(token.secret, entry.secret) else {
                throw AuthenticationRefusal.unknownKey.presenting(token.accessKeyId)
            }
            proven.append(entry)
        }
        guard let entry = proven.first else {
            if settings.enforce { throw .missing }
            return nil
        }
        let presented = entry.record.accessKeyId
        guard proven.allSatisfy({ $0.record.id == entry.record.id }) else { throw AuthenticationRefusal.conflicting.presenting(presented) }
        // Checked only once the caller has proven the key, so the state of a key tells nobody else anything.
        guard entry.record.active else { throw AuthenticationRefusal.inactive.presenting(presented) }
        if let expiresAt = entry.record.expiresAt, now() >= expiresAt { throw AuthenticationRefusal.expired.presenting(presented) }
        ring.noteUse(keyId: entry.record.id, at: now())
        return entry.identity
    }

    private func verify(_ signed: SigV4Presentation, entry: KeyRing.Entry, request: SigV4Request, door: SigV4Door, body: ByteBuffer?)
        throws(AuthenticationRefusal)
    {
        // Virtual keys are long-term credentials: a session token means credentials from somewhere else.
        guard signed.sessionToken == nil else { throw AuthenticationRefusal.sessionToken.presenting(signed.accessKeyId) }
        do {
            try verifier.checkScopeAndTime(signed, door: door, now: Int64(now().timeIntervalSince1970.rounded(.down)))
            try verifier.verify(signed, request: request, door: door, secret: entry.secret, body: body)
        } catch {
            throw AuthenticationRefusal(.signature(error), error.message, accessKeyId: signed.accessKeyId)
        }
    }

    /// `Bearer sk-swyd-…` and the key headers. A bearer token of another shape is not a virtual key (it may be a
    /// caller's own Bedrock API key) and is left alone; a key header always names a virtual key.
    private func presentedTokens(_ headers: any SigV4HeaderSource) throws(AuthenticationRefusal) -> [KeyCredentials] {
        var tokens: [KeyCredentials] = []
        for value in headers.values(of: "authorization") {
            guard let token = Self.bearerToken(value), token.hasPrefix(Self.tokenPrefix) else { continue }
            guard let credentials = KeyCredentials(token: token) else { throw .unknownKey }
            tokens.append(credentials)
        }
        for name in Self.headerNames {
            for value in headers.values(of: name) {
                guard let credentials = KeyCredentials(token: String(Substring(value).trimmingBlanks)) else { throw .unknownKey }
                tokens.append(credentials)
            }
        }
        return tokens
    }

    /// The token of `Authorization: Bearer <token>` (the scheme is case-insensitive). On bytes: every signed
    /// request's `Authorization` passes here twice, and Foundation's trimming cost more than the signature check.
    public static func bearerToken(_ authorization: String) -> String? {
        let bytes = authorization.utf8
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        var index = bytes.startIndex
        while index != bytes.endIndex, isBlank(bytes[index]) { bytes.formIndex(after: &index) }
        for expected in "bearer ".utf8 {
            guard index != bytes.endIndex else { return nil }
            let byte = bytes[index]
            // ASCII letters fold to lower case; the space must be a space.
            guard (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == expected else { return nil }
            bytes.formIndex(after: &index)
        }
        var end = bytes.endIndex
        while index != bytes.endIndex, isBlank(bytes[index]) { bytes.formIndex(after: &index) }
        while end != index, isBlank(bytes[bytes.index(before: end)]) { bytes.formIndex(before: &end) }
        guard index != end else { return nil }
        return String(authorization[index..<end])
    }

    /// Whether `authorization` carries a virtual key as a bearer token (what the server strips before forwarding).
    public static func isVirtualKeyBearer(_ authorization: String) -> Bool {
        bearerToken(authorization)?.hasPrefix(tokenPrefix) ?? false
    }

    private func lookUp(_ accessKeyId: String) async throws(AuthenticationRefusal) -> KeyRing.Entry? {
        do {
            return try await ring.entry(accessKeyId: accessKeyId)
        } catch {
            throw AuthenticationRefusal.unavailable.presenting(accessKeyId)
        }
    }
}

/// Why a request was refused before any door saw it. The server answers each in the door's dialect
/// (gateway-features.md §1.3 and §1.6); `message` is the Bedrock text.
public struct AuthenticationRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// No key at all while `governance.enforce` is on.
        case missing
        /// An access key id or token that names no virtual key, or a token whose secret is wrong.
        case unknownKey
        /// SigV4 credentials of a virtual key with a session token.
        case sessionToken
        /// The signature does not hold: malformed, out of scope, out of time, or not the key's.
        case signature(SigV4Failure)
        case inactive
        case expired
        /// Two forms of credentials naming different keys.
        case conflicting
        /// The key store could not be read.
        case unavailable
    }

    public var reason: Reason
    public var message: String
    /// The access key id the refused credential named, when it could be read: public by design (AWS's CloudTrail
    /// shows it), so the refusal's log line may carry it. Never a secret: nil for no key or an unreadable one.
    public var accessKeyId: String?

    public init(_ reason: Reason, _ message: String, accessKeyId: String? = nil) {
        self.reason = reason
        self.message = message
        self.accessKeyId = accessKeyId
    }

    public var description: String { message }

    /// The same refusal, naming the access key id the request presented.
    public func presenting(_ accessKeyId: String) -> AuthenticationRefusal {
        var refusal = self
        refusal.accessKeyId = accessKeyId
        return refusal
    }

    public static let missing = AuthenticationRefusal(.missing, "Missing Authentication Token")
    public static let unknownKey = AuthenticationRefusal(.unknownKey, "The security token included in the request is invalid.")
    public static let sessionToken = AuthenticationRefusal(.sessionToken, "The security token included in the request is invalid.")
    public static let inactive = AuthenticationRefusal(.inactive, "Virtual key is not active")
    public static let expired = AuthenticationRefusal(.expired, "Virtual key has expired")
    public static let conflicting = AuthenticationRefusal(
        .conflicting, "The request presents two different virtual keys; present one (SigV4 credentials, a bearer token or x-swyd-vk).")
    public static let unavailable = AuthenticationRefusal(.unavailable, "The gateway could not read its virtual keys; try again.")
}

extension Substring {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    var trimmingBlanks: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return s
    }
}
