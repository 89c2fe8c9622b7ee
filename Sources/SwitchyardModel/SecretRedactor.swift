import Foundation

/// Keeps provider keys out of anything the gateway says: errors, logs, the request log.
public struct SecretRedactor: Sendable {
    let secrets: [String]

    public init(secrets: [String]) {
        // Longest first, so a key that contains another is hidden whole.
        self.secrets = Array(Set(secrets.filter { $0.count >= 4 })).sorted { $0.count > $1.count }
    }

    /// This redactor and `more` (a caller's own keys, hidden for its call only).
    public func adding(_ more: [String]) -> SecretRedactor {
        SecretRedactor(secrets: secrets + more)
    }

    public func redact(_ text: String) -> String {
        var out = text
        for secret in secrets where out.contains(secret) {
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
