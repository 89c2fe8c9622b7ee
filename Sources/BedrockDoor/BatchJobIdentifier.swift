import SwitchyardModel

/// `{jobIdentifier}` of Get/Stop: a job ARN (percent-encoded as one path segment) or the bare 12-character id.
enum BatchJobIdentifier {
    /// The job id the identifier names.
    static func jobId(fromRaw raw: String?) throws(GatewayError) -> String {
        guard let raw, let value = raw.removingPercentEncoding, !value.isEmpty else {
            throw GatewayError(
                .validation,
                "1 validation error detected: Value '' at 'jobIdentifier' failed to satisfy constraint: Member must have length greater than or equal to 1")
        }
        return try jobId(from: value)
    }

    static func jobId(from value: String) throws(GatewayError) -> String {
        if BatchJobPatterns.matches(value, BatchJobPatterns.jobId) { return value }
        if BatchJobPatterns.matches(value, BatchJobPatterns.jobArn), let slash = value.lastIndex(of: "/") {
            return String(value[value.index(after: slash)...])
        }
        try BatchJobPatterns.check(value, at: "jobIdentifier", length: 0...1011)
        throw BatchJobPatterns.violation(
            value, at: "jobIdentifier",
            "Member must satisfy regular expression pattern: \(BatchJobPatterns.jobIdentifier)")
    }
}
