import Foundation
import Stores

/// The terminal status of a job whose records have all been tried (or that was stopped or timed out), and the
/// message Bedrock would show with it.
enum BatchCompletion {
    static func finish(_ job: inout BatchJob, now: Date = Date()) {
        let stats = job.statistics
        if job.status == .stopping {
            job.status = .stopped
            job.message = nil
        } else if stats.processedRecordCount < stats.totalRecordCount {
            job.status = .expired
            job.message =
                "The job did not finish within its timeout of \(job.timeoutHours ?? BatchJobView.defaultTimeoutHours) hours; "
                + "\(stats.processedRecordCount) of \(stats.totalRecordCount) records were processed"
        } else if stats.errorRecordCount == 0 {
            job.status = .completed
            job.message = nil
        } else if stats.successRecordCount > 0 {
            job.status = .partiallyCompleted
            job.message = "\(stats.errorRecordCount) of \(stats.totalRecordCount) records failed; each failed record has an error in the output"
        } else {
            job.status = .failed
            job.message = "All \(stats.totalRecordCount) records failed; each has an error in the output"
        }
        job.endTime = now
        job.lastModifiedTime = now
    }

    /// The key's budget refused a record: the records done so far stand, the rest are not run.
    static func stopForBudget(_ job: inout BatchJob, reason: String, now: Date = Date()) {
        let stats = job.statistics
        job.status = stats.processedRecordCount > 0 ? .stopped : .failed
        job.message = String(
            ("The virtual key's budget was exhausted after \(stats.processedRecordCount) of \(stats.totalRecordCount) records; "
                + "the rest were not run. \(reason)").prefix(2048))
        job.endTime = now
        job.lastModifiedTime = now
    }

    /// The owning key was revoked, expired or deleted: as for an exhausted budget, what was done stands.
    static func stopForOwner(_ job: inout BatchJob, reason: String, now: Date = Date()) {
        let stats = job.statistics
        job.status = stats.processedRecordCount > 0 ? .stopped : .failed
        job.message = String(
            ("\(reason); the job stopped after \(stats.processedRecordCount) of \(stats.totalRecordCount) records and the rest were not run.")
                .prefix(2048))
        job.endTime = now
        job.lastModifiedTime = now
    }

    static func fail(_ job: inout BatchJob, message: String, now: Date = Date()) {
        job.status = .failed
        job.message = String(message.prefix(2048))
        job.endTime = now
        job.lastModifiedTime = now
    }
}
