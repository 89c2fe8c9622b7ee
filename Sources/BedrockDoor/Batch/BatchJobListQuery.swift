import Foundation
import Hummingbird
import SwitchyardModel

/// ListModelInvocationJobs' query string, checked against the service model.
enum BatchJobListQuery {
    static let statuses = [
        "Submitted", "InProgress", "Completed", "Failed", "Stopping", "Stopped", "PartiallyCompleted", "Expired", "Validating", "Scheduled",
    ]

    static func filter(_ query: [String: String]) throws(GatewayError) -> BatchJobFilter {
        var filter = BatchJobFilter()
        if let status = query["statusEquals"] {
            guard statuses.contains(status) else {
                throw BatchJobPatterns.violation(status, at: "statusEquals", "Member must satisfy enum value set: [\(statuses.joined(separator: ", "))]")
            }
            filter.status = status
        }
        if let name = query["nameContains"] {
            try BatchJobPatterns.check(name, at: "nameContains", length: 1...63)
            try BatchJobPatterns.check(name, at: "nameContains", pattern: BatchJobPatterns.jobName)
            filter.nameContains = name
        }
        filter.submittedAfter = try date(query["submitTimeAfter"], at: "submitTimeAfter")
        filter.submittedBefore = try date(query["submitTimeBefore"], at: "submitTimeBefore")
        if let sortBy = query["sortBy"], sortBy != "CreationTime" {
            throw BatchJobPatterns.violation(sortBy, at: "sortBy", "Member must satisfy enum value set: [CreationTime]")
        }
        if let order = query["sortOrder"] {
            guard order == "Ascending" || order == "Descending" else {
                throw BatchJobPatterns.violation(order, at: "sortOrder", "Member must satisfy enum value set: [Ascending, Descending]")
            }
            filter.ascending = order == "Ascending"
        }
        if let raw = query["maxResults"] {
            guard let size = Int(raw), (1...1000).contains(size) else {
                throw BatchJobPatterns.violation(raw, at: "maxResults", "Member must have value between 1 and 1000")
            }
            filter.maxResults = size
        }
        if let token = query["nextToken"] {
            guard let offset = BatchJobPageToken.offset(token) else {
                throw GatewayError(.validation, "The nextToken '\(token)' is not valid; pass the nextToken of the previous page")
            }
            filter.offset = offset
        }
        return filter
    }

    /// boto3 writes query timestamps as ISO-8601 with seconds (`2025-01-01T00:00:00Z`); fractions and offsets
    /// are accepted too.
    static func date(_ raw: String?, at member: String) throws(GatewayError) -> Date? {
        guard let raw else { return nil }
        if let date = BatchJobTimestamp.parse(raw) { return date }
        throw GatewayError(.validation, "\(member) '\(raw)' is not an ISO-8601 timestamp")
    }
}
