import Crypto
import Foundation
import NIOCore
import Synchronization

/// Checks a presented SigV4 (or SigV2 presigned) signature exactly as AWS does (bedrock-wire.md §7.2,
/// gateway-features.md §1.3). Holds the derived signing keys, so a warm request costs one HMAC of its string to
/// sign (plus the SHA-256 of its canonical request, and at the Bedrock door of its body).
public struct SigV4Verifier: Sendable {
    let keys: SigV4SigningKeys

    public init(cachedKeys: Int = 4096) {
        keys = SigV4SigningKeys(capacity: cachedKeys)
    }

    /// What needs no secret: the scope fits the door and the request's date, and the clock is within the door's
    /// window (a presigned URL: within its validity).
    public func checkScopeAndTime(_ presented: SigV4Presentation, door: SigV4Door, now: Int64) throws(SigV4Failure) {
        if presented.form == .presignedV2 {
            if let expiresAt = presented.expiresAt, now > expiresAt { throw SigV4Failure(.expired, "Request has expired") }
            return
        }
        guard presented.day == presented.amzDate.prefix(8) else {
            throw SigV4Failure(
                .scope,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(presented.day)' != '\(presented.amzDate.prefix(8))', from '\(presented.amzDate)'."
            )
        }
        guard presented.terminator == "aws4_request" else {
            throw SigV4Failure(.scope, "Credential should be scoped with a valid terminator: 'aws4_request', not '\(presented.terminator)'.")
        }
        guard presented.service == door.service else {
            throw SigV4Failure(.scope, "Credential should be scoped to correct service: '\(door.service)'.")
        }
        guard let signedAt = presented.signedAt else { throw SigV4Failure(.scope, "The request has no signing date.") }
        let window = door.maxSkewSeconds
        let minutes = window / 60
        if signedAt > now + window {
            throw SigV4Failure(
                .skew,
                "Signature not yet current: \(presented.amzDate) is still later than \(AmzDate.format(now + window)) (\(AmzDate.format(now)) + \(minutes) min.)"
            )
        }
        if let expiresAt = presented.expiresAt {
            if now > expiresAt { throw SigV4Failure(.expired, "Request has expired") }
        } else if signedAt < now - window {
            throw SigV4Failure(
                .skew,
                "Signature expired: \(presented.amzDate) is now earlier than \(AmzDate.format(now - window)) (\(AmzDate.format(now)) - \(minutes) min.)"
            )
        }
    }

    /// Rebuilds the canonical request and compares the signatures in constant time. At the Bedrock door `body` is
    /// the whole request body, hashed here; at the S3 door the payload hash is `X-Amz-Content-SHA256` as sent
    /// (the S3 door checks a hex digest against the body as it streams).
    public func verify(
        _ presented: SigV4Presentation, request: SigV4Request, door: SigV4Door, secret: String, body: ByteBuffer?
    ) throws(SigV4Failure) {
        if presented.form == .presignedV2 {
            let stringToSign = SigV4Canonical.stringToSignV2(request, expires: presented.expiresAt ?? 0)
            let key = SymmetricKey(data: Data(secret.utf8))
            guard HMAC<Insecure.SHA1>.isValidAuthenticationCode(presented.signature, authenticating: stringToSign, using: key) else {
                throw .mismatch
            }
            return
        }
        let payloadHash = try Self.payloadHash(presented, request: request, door: door, body: body)
        let canonical = SigV4Canonical.request(
            request, door: door, signedHeaders: presented.signedHeaders, payloadHash: payloadHash,
            presigned: presented.form == .presigned)
        var stringToSign = [UInt8]()
        stringToSign.reserveCapacity(160)
        stringToSign.append(contentsOf: "AWS4-HMAC-SHA256\n".utf8)
        stringToSign.append(contentsOf: presented.amzDate.utf8)
        stringToSign.append(SigV4Canonical.newline)
        stringToSign.append(contentsOf: presented.scope.utf8)
        stringToSign.append(SigV4Canonical.newline)
        // Raw buffers into swift-crypto: its `DataProtocol` calls walk an array through generic regions.
        var hasher = SHA256()
        canonical.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        SigV4Signer.appendHex(hasher.finalize(), to: &stringToSign)
        var mac = keys.signingMAC(for: presented, secret: secret)
        stringToSign.withUnsafeBytes { mac.update(data: $0) }
        let expected = mac.finalize()
        guard presented.signature.count == 32, Self.constantTimeEqual(expected, presented.signature) else { throw .mismatch }
    }

    /// Every byte compared whatever the first difference, so the time says nothing of where it is.
    static func constantTimeEqual(_ mac: HashedAuthenticationCode<SHA256>, _ presented: [UInt8]) -> Bool {
        mac.withUnsafeBytes { expected in
            presented.withUnsafeBytes { given in
                guard expected.count == given.count else { return false }
                var difference: UInt8 = 0
                for index in 0..<expected.count { difference |= expected[index] ^ given[index] }
                return difference == 0
            }
        }
    }

    /// The canonical request's last line. Bedrock signs the body's digest; a client may name it in
    /// `X-Amz-Content-SHA256`, but only truthfully: Bedrock has no unsigned payloads. S3 signs what the header says,
    /// one of its literals or a digest.
    static func payloadHash(_ presented: SigV4Presentation, request: SigV4Request, door: SigV4Door, body: ByteBuffer?)
        throws(SigV4Failure) -> String
    {
        let declared = request.header("x-amz-content-sha256")
        switch door {
        case .bedrock:
            let actual = body.map(PayloadSHA256.hex(of:)) ?? SigV4Signer.emptyPayloadSHA256
            if let declared, declared.lowercased() != actual {
                throw SigV4Failure(.payloadHashMismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
            }
            return declared ?? actual
        case .s3:
            guard let declared else {
                if presented.form == .presigned { return "UNSIGNED-PAYLOAD" }
                throw SigV4Failure(.missingPayloadHash, "Missing required header for this request: x-amz-content-sha256")
            }
            guard declared == "UNSIGNED-PAYLOAD" || declared == "STREAMING-UNSIGNED-PAYLOAD-TRAILER" || isHexDigest(declared) else {
                throw SigV4Failure(
                    .invalidPayloadHash,
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, or a valid sha256 value.")
            }
            return declared
        }
    }

    public static func isHexDigest(_ value: String) -> Bool {
        value.utf8.count == 64 && value.utf8.allSatisfy { SigV4Query.hexValue($0) != nil }
    }
}

/// Derived signing keys per credential scope (`AKID/DATE/REGION/SERVICE/aws4_request`), with the secret they
/// came from: a rotated secret derives afresh. Bounded; when full it starts over, which costs each active key one
/// derivation.
final class SigV4SigningKeys: Sendable {
    private struct Entry {
        var secret: String
        var key: SymmetricKey
        /// HMAC already keyed: copying it skips hashing the padded key for every request.
        var mac: HMAC<SHA256>
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let derived = Mutex<Int>(0)
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// How many keys have been derived (four HMACs each), for tests of the warm path.
    var derivations: Int { derived.withLock { $0 } }

    func signingMAC(for presented: SigV4Presentation, secret: String) -> HMAC<SHA256> {
        entry(for: presented, secret: secret).mac
    }

    private func entry(for presented: SigV4Presentation, secret: String) -> Entry {
        let cacheKey = presented.accessKeyId + "/" + presented.scope
        // Both secrets come from the gateway's own key store, so comparing them leaks nothing to the caller.
        if let hit = entries.withLock({ $0[cacheKey] }), hit.secret == secret { return hit }
        var key = SymmetricKey(data: Data("AWS4\(secret)".utf8))
        for part in [presented.day, presented.region, presented.service, presented.terminator] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        derived.withLock { $0 += 1 }
        let entry = Entry(secret: secret, key: key, mac: HMAC<SHA256>(key: key))
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[cacheKey] = entry
        }
        return entry
    }
}
