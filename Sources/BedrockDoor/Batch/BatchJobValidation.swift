import SwitchyardModel

/// The constraints of the bedrock service model that boto3 does not check itself (max, pattern, enum), applied as
/// whole-string matches, with AWS's wording for violations.
enum BatchJobPatterns {
    static let jobName = #"[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}"#
    static let roleArn = #"arn:aws(-[^:]+)?:iam::([0-9]{12})?:role/.+"#
    static let clientRequestToken = #"[a-zA-Z0-9]{1,256}(-*[a-zA-Z0-9]){0,256}"#
    static let s3Uri = #"s3://[a-z0-9][-.a-z0-9]{1,61}[a-z0-9](?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?"#
    static let tag = #"[a-zA-Z0-9\s._:/=+@-]*"#
    static let jobId = #"[a-z0-9]{12}"#
    static let jobArn = #"arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/[a-z0-9]{12}"#
    static let jobIdentifier = #"((arn:aws(-[^:]+)?:bedrock:[a-z0-9-]{1,20}:[0-9]{12}:model-invocation-job/)?[a-z0-9]{12})"#
    static let bucketOwner = #"[0-9]{12}"#

    static func matches(_ value: String, _ pattern: String) -> Bool {
        guard let regex = try? Regex(pattern) else { return false }
        return (try? regex.wholeMatch(in: value)) != nil
    }

    /// `1 validation error detected: Value 'x' at 'jobName' failed to satisfy constraint: …`, as AWS words it.
    static func violation(_ value: String, at member: String, _ constraint: String) -> GatewayError {
        let shown = value.count > 200 ? String(value.prefix(200)) + "…" : value
        return GatewayError(
            .validation, "1 validation error detected: Value '\(shown)' at '\(member)' failed to satisfy constraint: \(constraint)")
    }

    static func check(_ value: String, at member: String, pattern: String) throws(GatewayError) {
        guard matches(value, pattern) else {
            throw violation(value, at: member, "Member must satisfy regular expression pattern: \(pattern)")
        }
    }

    static func check(_ value: String, at member: String, length: ClosedRange<Int>) throws(GatewayError) {
        let count = value.count
        if count < length.lowerBound {
            throw violation(value, at: member, "Member must have length greater than or equal to \(length.lowerBound)")
        }
        if count > length.upperBound {
            throw violation(value, at: member, "Member must have length less than or equal to \(length.upperBound)")
        }
    }
}

/// `{jobIdentifier}` of Get/Stop: a job ARN (percent-encoded as one path segment) or the bare 12-character id.
enum BatchJobIdentifier {
    /// The job id the identifier names.
    static func jobId(fromRaw raw: String?) throws(GatewayError) -> String {
        guard let raw, let value = raw.percentDecoded, !value.isEmpty else {
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
