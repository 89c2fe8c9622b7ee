import ArgumentParser
import Batch
import Foundation
import Stores

/// How the batch commands print jobs.
enum BatchFormat {
    static func find(_ identifier: String, in store: some BatchJobStore) async throws -> BatchJob {
        let id = identifier.hasPrefix("arn:") ? String(identifier.split(separator: "/").last ?? "") : identifier
        guard let job = try await store.job(id: id) else { throw ValidationError("no batch job \(identifier)") }
        return job
    }

    static func row(_ cells: [String]) -> String {
        let widths = [12, 24, 18, 11, 24, 10, 16]
        return cells.enumerated().map { i, cell in
            i < widths.count ? cell.padding(toLength: max(widths[i], cell.count), withPad: " ", startingAt: 0) : cell
        }.joined(separator: " ")
    }

    static func time(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    static func describe(_ job: BatchJob, owners: BatchOwnerNames) -> [(String, String)] {
        let stats = job.statistics
        var out: [(String, String)] = [
            ("jobArn", job.arn), ("jobName", job.name), ("status", job.status.rawValue), ("modelId", job.modelId),
            ("runner", job.runner), ("owner", owners.name(of: job.owner)),
        ]
        if let owner = job.owner { out.append(("ownerKeyId", owner)) }
        out += [
            ("roleArn", job.roleArn), ("input", job.inputURI), ("output", job.outputURI),
            ("submitTime", time(job.submitTime)), ("lastModifiedTime", time(job.lastModifiedTime)),
        ]
        if let end = job.endTime { out.append(("endTime", time(end))) }
        out.append(("jobExpirationTime", time(BatchJobView.expiration(job))))
        if let type = job.invocationType { out.append(("modelInvocationType", type)) }
        if let remote = job.providerJobId { out.append(("providerJobId", remote)) }
        out += [
            ("totalRecordCount", "\(stats.totalRecordCount)"), ("processedRecordCount", "\(stats.processedRecordCount)"),
            ("successRecordCount", "\(stats.successRecordCount)"), ("errorRecordCount", "\(stats.errorRecordCount)"),
            ("inputTokenCount", "\(stats.inputTokenCount)"), ("outputTokenCount", "\(stats.outputTokenCount)"),
        ]
        if let message = job.message { out.append(("message", message)) }
        return out
    }

    /// `[#########.....] 12/40 (30%) InProgress  ok 11  errors 1`
    static func progress(_ job: BatchJob, width: Int) -> String {
        let stats = job.statistics
        let fraction = stats.totalRecordCount > 0 ? Double(stats.processedRecordCount) / Double(stats.totalRecordCount) : 0
        let filled = min(width, Int((fraction * Double(width)).rounded(.down)))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "[\(bar)] \(stats.processedRecordCount)/\(stats.totalRecordCount) (\(Int((fraction * 100).rounded(.down)))%) "
            + "\(job.status.rawValue)  ok \(stats.successRecordCount)  errors \(stats.errorRecordCount)"
    }
}
