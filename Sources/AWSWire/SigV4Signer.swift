import Crypto
import Synchronization
import Foundation

/// AWS credentials for Signature Version 4.
public struct AWSCredentials: Sendable, Hashable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }
}

/// Signature Version 4 (`AWS4-HMAC-SHA256`) request signing.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// S3 signs the path as sent; every other service encodes the already-encoded path once more.
    var encodesPathTwice: Bool { service != "s3" }

    /// The headers to add to a request: `Authorization`, `X-Amz-Date` and, with temporary credentials,
    /// `X-Amz-Security-Token`. `path` is the path exactly as it goes on the wire (already percent-encoded);
    /// `headers` are the other headers that will be sent and signed (at least `host`).
    public func signatureHeaders(
        method: String, path: String, query: [(String, String)] = [], headers: [(String, String)],
        payloadSHA256: String, date: Date = Date()
    ) -> [(String, String)] {
        let amzDate = Self.amzDate(date)
        var signed = headers.map { ($0.0.lowercased(), Self.trimHeaderValue($0.1)) }
        signed.append(("x-amz-date", amzDate))
        if let token = credentials.sessionToken { signed.append(("x-amz-security-token", token)) }
        let canonical = canonicalRequest(method: method, path: path, query: query, headers: signed, payloadSHA256: payloadSHA256)
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(Self.hex(SHA256.hash(data: Data(canonical.request.utf8))))"
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: signingKey(day: day)))
        var out: [(String, String)] = [
            ("Authorization", "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"),
            ("X-Amz-Date", amzDate),
        ]
        if let token = credentials.sessionToken { out.append(("X-Amz-Security-Token", token)) }
        return out
    }

    func canonicalRequest(
        method: String, path: String, query: [(String, String)], headers: [(String, String)], payloadSHA256: String
    ) -> (request: String, signedHeaders: String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers { merged[name, default: []].append(value) }
        let names = merged.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        var encoded: [(key: String, value: String)] = query.map { (Self.uriEncode($0.0), Self.uriEncode($0.1)) }
        encoded.sort { a, b in a.key == b.key ? a.value < b.value : a.key < b.key }
        let canonicalQuery = encoded.map { pair in pair.key + "=" + pair.value }.joined(separator: "&")
        let canonicalPath = encodesPathTwice ? Self.encodeSegments(path) : (path.isEmpty ? "/" : path)
        let request = [method, canonicalPath, canonicalQuery, canonicalHeaders, signedHeaders, payloadSHA256].joined(separator: "\n")
        return (request, signedHeaders)
    }

    /// Derived once per credentials, day, region and service (four HMACs), then taken from `derivedKeys`: every
    /// request the Bedrock provider signs would otherwise pay for the chain again.
    func signingKey(day: String) -> SymmetricKey {
        let scope = "\(credentials.accessKeyId)/\(day)/\(region)/\(service)"
        if let key = Self.derivedKeys.key(scope: scope, secret: credentials.secretAccessKey) { return key }
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        Self.derivedKeys.store(key, scope: scope, secret: credentials.secretAccessKey)
        return key
    }

    static let derivedKeys = SigV4DerivedKeys(capacity: 256)

    public static func sha256Hex(_ bytes: some DataProtocol) -> String { hex(SHA256.hash(data: bytes)) }

    public static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    static func hex(_ digest: some ContiguousBytes) -> String {
        digest.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count * 2) { out in
                var index = 0
                for byte in bytes {
                    out[index] = hexDigit(byte >> 4)
                    out[index + 1] = hexDigit(byte & 0x0f)
                    index += 2
                }
                return index
            }
        }
    }

    /// Lower-case hex of `digest` appended to `out`, for strings to sign built as bytes.
    static func appendHex(_ digest: some ContiguousBytes, to out: inout [UInt8]) {
        digest.withUnsafeBytes { bytes in
            for byte in bytes {
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0x0f))
            }
        }
    }

    @inline(__always) static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
    }

    static func amzDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ v: Int?, _ n: Int) -> String {
            let s = String(v ?? 0)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(pad(c.year, 4))\(pad(c.month, 2))\(pad(c.day, 2))T\(pad(c.hour, 2))\(pad(c.minute, 2))\(pad(c.second, 2))Z"
    }

    static func trimHeaderValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    /// Each segment encoded again, keeping the slashes between them.
    static func encodeSegments(_ path: String) -> String {
        if path.isEmpty { return "/" }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { uriEncode(String($0)) }.joined(separator: "/")
    }

    /// RFC 3986 encoding as SigV4 defines it: unreserved characters stay, everything else is %XX in upper case.
    public static func uriEncode(_ string: String) -> String {
        var out = ""
        out.reserveCapacity(string.utf8.count)
        let hexDigits = Array("0123456789ABCDEF")
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out.append("%")
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            }
        }
        return out
    }
}

/// Signing keys the signer derived, by access key id and scope. The secret is kept beside each key and compared, so
/// rotated credentials under the same access key id derive afresh; a full cache starts over.
final class SigV4DerivedKeys: Sendable {
    private let entries = Mutex<[String: (secret: String, key: SymmetricKey)]>([:])
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func key(scope: String, secret: String) -> SymmetricKey? {
        entries.withLock { entries in
            guard let hit = entries[scope], hit.secret == secret else { return nil }
            return hit.key
        }
    }

    func store(_ key: SymmetricKey, scope: String, secret: String) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[scope] = (secret, key)
        }
    }
}
