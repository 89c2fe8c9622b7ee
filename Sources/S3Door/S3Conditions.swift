/// Conditional headers (`If-Match`, `If-None-Match`) against an object's ETag. Clients send the ETag quoted (as S3
/// returned it) or, like the documented file-id examples, bare; both match. A list and `*` work as in RFC 9110.
public enum S3Conditions {
    public static func matches(_ header: String, etag: String) -> Bool {
        tags(header).contains { $0 == "*" || $0 == etag }
    }

    /// The entity tags of a header value, without quotes or a weak `W/` prefix.
    static func tags(_ header: String) -> [String] {
        header.split(separator: ",").map { piece in
            var tag = piece.trimmingASCIISpaces[...]
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            if tag.count >= 2, tag.first == "\"", tag.last == "\"" { tag = tag.dropFirst().dropLast() }
            return String(tag)
        }.filter { !$0.isEmpty }
    }

    /// What a read (GET/HEAD) must answer instead of the object, if anything: 412 when If-Match fails, 304 when
    /// If-None-Match matches.
    public enum ReadOutcome: Sendable, Hashable {
        case proceed
        case preconditionFailed
        case notModified
    }

    public static func evaluateRead(ifMatch: String?, ifNoneMatch: String?, etag: String) -> ReadOutcome {
        if let ifMatch, !matches(ifMatch, etag: etag) { return .preconditionFailed }
        if let ifNoneMatch, matches(ifNoneMatch, etag: etag) { return .notModified }
        return .proceed
    }
}
