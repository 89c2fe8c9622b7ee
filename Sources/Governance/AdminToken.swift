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
        let other = Array(SHA256.hash(data: Data(presented.utf8)))
        var difference: UInt8 = 0
        for index in digest.indices { difference |= digest[index] ^ other[index] }
        return difference == 0
    }
}
