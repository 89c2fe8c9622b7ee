import Foundation

/// Keeps provider keys out of anything the gateway says: errors, logs, the request log.
public struct SecretRedactor: Sendable {
    let secrets: [String]
    /// Secrets that appear after start (temporary AWS credentials fetched and refreshed in the background).
    let live: [any AWSCredentialSupplier]

    public init(secrets: [String], live: [any AWSCredentialSupplier] = []) {
        self.secrets = Self.ordered(secrets)
        self.live = live
    }

    /// Longest first, so a key that contains another is hidden whole.
    static func ordered(_ secrets: [String]) -> [String] {
        Array(Set(secrets.filter { $0.count >= 4 })).sorted { $0.count > $1.count }
    }

    /// This redactor and `more` (a caller's own keys, hidden for its call only).
    public func adding(_ more: [String]) -> SecretRedactor {
        SecretRedactor(secrets: secrets + more, live: live)
    }

    public func redact(_ text: String) -> String {
        var out = text
        let all = live.isEmpty ? secrets : Self.ordered(secrets + live.flatMap(\.issuedSecrets))
        for secret in all where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "[redacted]")
        }
        return Self.maskKeyShapes(out)
    }

    /// Upstreams echo partial keys ("Incorrect API key provided: sk-abc***xyz"); hide anything shaped like one.
    static func maskKeyShapes(_ text: String) -> String {
        guard text.contains("sk-") || text.contains("AIza") || text.contains("gsk_") else { return text }
        var out = ""
        var rest = Substring(text)
        while let range = rest.range(of: #"(sk-|gsk_|AIza)[A-Za-z0-9_\-\*\.]{3,}"#, options: .regularExpression) {
            out += rest[..<range.lowerBound]
            out += "[redacted]"
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
