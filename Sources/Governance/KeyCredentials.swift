import Crypto
import Foundation

/// The credentials of a virtual key, in the forms callers present them.
public struct KeyCredentials: Sendable, Equatable {
    public let accessKeyId: String
    public let secret: String

    public init(accessKeyId: String, secret: String) {
        self.accessKeyId = accessKeyId
        self.secret = secret
    }

    /// `SWYD` + 16 characters of `[A-Z2-7]` (20 in all, like AWS's `AKIA…`; never a `/`, which ends the access key id
    /// in a SigV4 credential scope) and a 40-character secret of `[A-Za-z0-9_-]`, both from the system's CSPRNG.
    public static func generate() -> KeyCredentials {
        KeyCredentials(accessKeyId: "SWYD" + random(16, from: base32), secret: random(40, from: secretAlphabet))
    }

    /// The one-string form for `AWS_BEARER_TOKEN_BEDROCK` and `x-swyd-vk` / `x-bf-vk`: the access key id comes first,
    /// so the gateway looks the key up by id and compares only the secret.
    public var token: String { "sk-swyd-\(accessKeyId).\(secret)" }

    public init?(token: String) {
        guard token.hasPrefix("sk-swyd-") else { return nil }
        let rest = token.dropFirst(8)
        guard let dot = rest.firstIndex(of: "."), dot != rest.startIndex else { return nil }
        let secret = rest[rest.index(after: dot)...]
        guard !secret.isEmpty else { return nil }
        self.init(accessKeyId: String(rest[..<dot]), secret: String(secret))
    }

    public static func isWellFormedAccessKeyId(_ id: String) -> Bool {
        id.utf8.count == 20 && id.hasPrefix("SWYD") && id.utf8.dropFirst(4).allSatisfy { base32.utf8.contains($0) }
    }

    /// Constant-time over the presented secret's length, so a mismatch says nothing about where it differs.
    public static func secretsMatch(_ presented: String, _ stored: String) -> Bool {
        let a = Array(presented.utf8), b = Array(stored.utf8)
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in a.indices { difference |= a[index] ^ (index < b.count ? b[index] : 0) }
        return difference == 0
    }

    private static let base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    private static let secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

    private static func random(_ count: Int, from alphabet: String) -> String {
        let symbols = Array(alphabet)
        // Both alphabets have a power-of-two size (32, 64), so a masked random byte picks without bias.
        precondition(symbols.count & (symbols.count - 1) == 0)
        let bytes = SymmetricKey(size: SymmetricKeySize(bitCount: count * 8)).withUnsafeBytes { Array($0) }
        return String(bytes.map { symbols[Int($0) & (symbols.count - 1)] })
    }
}
