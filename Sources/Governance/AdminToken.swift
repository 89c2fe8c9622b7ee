import Crypto
import Foundation

/// The admin API's bearer token. Only its digest is kept, and a presented token is compared digest to digest in
/// constant time: neither where the two differ nor the token's length shows in the time an answer takes.
public struct AdminToken: Sendable {
    private let digest: [UInt8]

    /// Shorter tokens are refused by the configuration: this one guards every key and the whole request log.
    public static let minimumLength = 16

    public init(_ token: String) {
        digest = Array(SHA256.hash(data: Data(token.utf8)))
    }

    public func matches(_ presented: String) -> Bool {
        Self.sameBytes(digest, Array(SHA256.hash(data: Data(presented.utf8))))
    }

    /// Every byte compared whatever the first difference, so the time says nothing of where it is (a length
    /// mismatch answers at once: callers compare digests or fixed-length tokens).
    public static func sameBytes(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
