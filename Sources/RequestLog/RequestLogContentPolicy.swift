import Stores
import SwitchyardModel

/// What of a request's content (messages, answer) the log may keep: nothing unless `logging.content` is on, and
/// then redacted of credentials and cut to `maxBytes` of UTF-8 per field.
public struct RequestLogContentPolicy: Sendable {
    public var enabled: Bool
    public var maxBytes: Int
    public var redactor: SecretRedactor

    /// Room left past `maxBytes` when content is first held, so a credential cut at the limit is still whole
    /// when redaction looks for it (session tokens run past 1 KB).
    static let redactionSlack = 4096

    public static let marker = "…[truncated]"

    public init(enabled: Bool = false, maxBytes: Int = 8192, redactor: SecretRedactor = SecretRedactor(secrets: [])) {
        self.enabled = enabled
        self.maxBytes = max(0, maxBytes)
        self.redactor = redactor
    }

    /// On the caller's path: cheap, so it only drops content or cuts it down to a bounded size to hold in memory.
    func bound(_ record: inout RequestLogRecord) {
        guard enabled else {
            record.contentIn = nil
            record.contentOut = nil
            return
        }
        let limit = maxBytes + Self.redactionSlack
        if let text = record.contentIn, text.utf8.count > limit { record.contentIn = Self.prefix(text, bytes: limit) }
        if let text = record.contentOut, text.utf8.count > limit { record.contentOut = Self.prefix(text, bytes: limit) }
    }

    /// On the writer's task: redact first, so no secret is cut into a fragment redaction would miss, then truncate.
    func finish(_ record: inout RequestLogRecord) {
        guard enabled else {
            record.contentIn = nil
            record.contentOut = nil
            return
        }
        record.contentIn = record.contentIn.map(finish)
        record.contentOut = record.contentOut.map(finish)
    }

    func finish(_ text: String) -> String {
        let redacted = redactor.redact(text)
        guard redacted.utf8.count > maxBytes else { return redacted }
        return Self.prefix(redacted, bytes: maxBytes) + Self.marker
    }

    /// The longest prefix of whole Unicode scalars within `bytes` bytes of UTF-8.
    static func prefix(_ text: String, bytes: Int) -> String {
        var used = 0
        var end = text.unicodeScalars.startIndex
        for index in text.unicodeScalars.indices {
            let size = UTF8.width(text.unicodeScalars[index])
            if used + size > bytes { break }
            used += size
            end = text.unicodeScalars.index(after: index)
        }
        return String(text.unicodeScalars[..<end])
    }
}
