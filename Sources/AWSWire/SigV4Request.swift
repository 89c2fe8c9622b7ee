/// Which of the gateway's AWS dialects a signed request arrived at. The two sign differently (bedrock-wire.md §7.2)
/// and AWS gives them different clock windows (gateway-features.md §1.3).
public enum SigV4Door: Sendable, Hashable {
    /// `bedrock-runtime` and the `bedrock` control plane: signing name `bedrock`, the path encoded once more and
    /// normalised, the payload hash computed from the body, ±5 minutes.
    case bedrock
    /// The S3 API under `/bedrock/files`: signing name `s3`, the path as sent, the payload hash from
    /// `X-Amz-Content-SHA256`, ±15 minutes.
    case s3

    public var service: String {
        switch self {
        case .bedrock: "bedrock"
        case .s3: "s3"
        }
    }

    public var maxSkewSeconds: Int64 {
        switch self {
        case .bedrock: 300
        case .s3: 900
        }
    }
}

/// Reads a request's header fields for verification, so this module needs no HTTP library's header type.
public protocol SigV4HeaderSource: Sendable {
    /// Every value of the header named `lowercasedName`, in the order received; empty when it is absent.
    func values(of lowercasedName: String) -> [String]
    /// The first value of the header named `lowercasedName`, the usual question, without an array.
    func value(of lowercasedName: String) -> String?
}

extension SigV4HeaderSource {
    public func value(of lowercasedName: String) -> String? { values(of: lowercasedName).first }
}

/// A request's header fields read once, as lower-cased names and values. A signed request asks for a dozen names
/// (the key headers, `Authorization`, the date, the payload hash, each signed header); walking an HTTP library's
/// fields for each copied every field every time, and its own name index costs more to build than this list.
public struct SigV4Headers: SigV4HeaderSource {
    private var fields: [(name: String, value: String)] = []

    public init(capacity: Int = 0) {
        fields.reserveCapacity(capacity)
    }

    /// Adds one field; the server passes its library's canonical (lower-case) name.
    public mutating func append(lowercasedName: String, value: String) {
        fields.append((lowercasedName, value))
    }

    public func values(of lowercasedName: String) -> [String] {
        var found: [String] = []
        for field in fields where field.name == lowercasedName { found.append(field.value) }
        return found
    }

    public func value(of lowercasedName: String) -> String? {
        for field in fields where field.name == lowercasedName { return field.value }
        return nil
    }

    public func contains(_ lowercasedName: String) -> Bool {
        fields.contains { $0.name == lowercasedName }
    }
}

/// A request as it arrived, unparsed: what a signature covers. Not generic over its headers: it crosses modules on
/// every signed request, and an unspecialised generic there cost more in runtime type lookups than the check itself.
public struct SigV4Request {
    public var method: String
    /// The path exactly as sent, still percent-encoded, without the query.
    public var path: Substring
    /// The query exactly as sent, without the `?`.
    public var query: Substring
    /// The Host header (HTTP/2's `:authority`), which every SigV4 signature covers.
    public var authority: String?
    public var headers: any SigV4HeaderSource
    /// For SigV2 presigned S3 URLs: the path without the S3 door's mount (`/bucket/key`), which is what the client
    /// signed as its resource.
    public var s3ResourcePath: Substring?

    public init(
        method: String, path: Substring, query: Substring, authority: String?, headers: some SigV4HeaderSource, s3ResourcePath: Substring? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.authority = authority
        self.headers = headers
        self.s3ResourcePath = s3ResourcePath
    }

    func header(_ lowercasedName: String) -> String? {
        headers.value(of: lowercasedName)
    }
}

/// Why a signature was refused. The doors turn the kind into their own error code; `message` is AWS's text for
/// the JSON services (S3 has a fixed message per code).
public struct SigV4Failure: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The Authorization header cannot be read as SigV4.
        case malformedHeader
        /// The presigned query parameters cannot be read as SigV4 (or SigV2).
        case malformedQuery
        /// The credential scope does not fit the request: date, service or terminator.
        case scope
        /// The signing time is outside the door's window.
        case skew
        /// A presigned URL past its expiry.
        case expired
        /// S3 without `X-Amz-Content-SHA256`.
        case missingPayloadHash
        /// An `X-Amz-Content-SHA256` that is neither a hex digest nor an accepted literal.
        case invalidPayloadHash
        /// An `X-Amz-Content-SHA256` digest that is not the body's.
        case payloadHashMismatch
        /// The signature is not the one the secret gives.
        case signatureMismatch
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static let mismatch = SigV4Failure(
        .signatureMismatch,
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    )
}
