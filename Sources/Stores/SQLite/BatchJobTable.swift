import Foundation
import GRDB

/// Row mapping for `batch_jobs`.
enum BatchJobTable {
    static let columns = [
        "id", "arn", "name", "modelId", "runner", "roleArn", "clientRequestToken", "status", "message", "submitTime",
        "lastModifiedTime", "endTime", "inputURI", "outputURI", "timeoutHours", "tags", "invocationType",
        "totalRecordCount", "processedRecordCount", "successRecordCount", "errorRecordCount", "inputTokenCount",
        "outputTokenCount", "providerJobId", "runnerState", "owner",
    ]

    static func arguments(_ job: BatchJob) -> StatementArguments {
        let s = job.statistics
        let values: [(any DatabaseValueConvertible)?] = [
            job.id, job.arn, job.name, job.modelId, job.runner, job.roleArn, job.clientRequestToken, job.status.rawValue,
            job.message, job.submitTime.timeIntervalSince1970, job.lastModifiedTime.timeIntervalSince1970,
            job.endTime?.timeIntervalSince1970, job.inputURI, job.outputURI, job.timeoutHours, JSONText.encode(job.tags),
            job.invocationType, s.totalRecordCount, s.processedRecordCount, s.successRecordCount, s.errorRecordCount,
            s.inputTokenCount, s.outputTokenCount, job.providerJobId, JSONText.encode(job.runnerState), job.owner,
        ]
        return StatementArguments(values)
    }

    static var insertSQL: String {
        "INSERT INTO batch_jobs (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))"
    }

    /// Every column but `id`, which is the WHERE argument appended last.
    static var updateSQL: String {
        "UPDATE batch_jobs SET \(columns.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?"
    }

    static func job(_ row: Row) -> BatchJob {
        let status = BatchJobStatus(rawValue: row["status"]) ?? .failed
        let endTime: Double? = row["endTime"]
        return BatchJob(
            id: row["id"], arn: row["arn"], name: row["name"], modelId: row["modelId"], runner: row["runner"],
            roleArn: row["roleArn"], clientRequestToken: row["clientRequestToken"], status: status, message: row["message"],
            submitTime: Date(timeIntervalSince1970: row["submitTime"]),
            lastModifiedTime: Date(timeIntervalSince1970: row["lastModifiedTime"]),
            endTime: endTime.map(Date.init(timeIntervalSince1970:)), inputURI: row["inputURI"], outputURI: row["outputURI"],
            timeoutHours: row["timeoutHours"], tags: JSONText.decode(row["tags"]), invocationType: row["invocationType"],
            statistics: BatchStatistics(
                totalRecordCount: row["totalRecordCount"], processedRecordCount: row["processedRecordCount"],
                successRecordCount: row["successRecordCount"], errorRecordCount: row["errorRecordCount"],
                inputTokenCount: row["inputTokenCount"], outputTokenCount: row["outputTokenCount"]),
            providerJobId: row["providerJobId"], runnerState: JSONText.decode(row["runnerState"]), owner: row["owner"])
    }

    static func fetch(_ db: Database, id: String) throws -> BatchJob? {
        try Row.fetchOne(db, sql: "SELECT * FROM batch_jobs WHERE id = ?", arguments: [id]).map(job)
    }

    /// Maps a constraint violation to the store's own error. The id is checked before writing, so a violation left
    /// here is the client request token's.
    static func translate(_ error: any Error, _ job: BatchJob) -> any Error {
        guard let db = error as? DatabaseError, db.resultCode == .SQLITE_CONSTRAINT else { return error }
        return BatchStoreError.duplicate(job.clientRequestToken ?? job.id)
    }
}
