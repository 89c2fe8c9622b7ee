import Foundation
import GRDB

public struct SQLiteBatchJobStore: BatchJobStore {
    let pool: DatabasePool

    public init(pool: DatabasePool) {
        self.pool = pool
    }

    public func insert(_ job: BatchJob) async throws {
        try await pool.write { db in
            // Checked inside the transaction to name what collided; the constraints still guard the write.
            if try BatchJobTable.fetch(db, id: job.id) != nil { throw BatchStoreError.duplicate(job.id) }
            do {
                try db.execute(sql: BatchJobTable.insertSQL, arguments: BatchJobTable.arguments(job))
            } catch {
                throw BatchJobTable.translate(error, job)
            }
        }
    }

    public func job(id: String) async throws -> BatchJob? {
        try await pool.read { db in try BatchJobTable.fetch(db, id: id) }
    }

    public func job(clientRequestToken: String) async throws -> BatchJob? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM batch_jobs WHERE clientRequestToken = ?", arguments: [clientRequestToken])
                .map(BatchJobTable.job)
        }
    }

    public func list(_ query: BatchJobQuery) async throws -> [BatchJob] {
        try await pool.read { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            if let status = query.status {
                conditions.append("status = ?")
                _ = arguments.append(contentsOf: [status.rawValue])
            }
            if let part = query.nameContains, !part.isEmpty {
                // instr, not LIKE: a name may hold % or _ and the match is case-sensitive.
                conditions.append("instr(name, ?) > 0")
                _ = arguments.append(contentsOf: [part])
            }
            if let after = query.submittedAfter {
                conditions.append("submitTime > ?")
                _ = arguments.append(contentsOf: [after.timeIntervalSince1970])
            }
            if let before = query.submittedBefore {
                conditions.append("submitTime < ?")
                _ = arguments.append(contentsOf: [before.timeIntervalSince1970])
            }
            if let (condition, argument) = query.owner.sqlCondition {
                conditions.append(condition)
                _ = arguments.append(contentsOf: [argument])
            }
            let direction = query.ascending ? "ASC" : "DESC"
            var sql = "SELECT * FROM batch_jobs"
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY submitTime \(direction), id \(direction) LIMIT ? OFFSET ?"
            _ = arguments.append(contentsOf: [max(0, query.limit), max(0, query.offset)])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(BatchJobTable.job)
        }
    }

    @discardableResult
    public func update(id: String, _ change: @Sendable (inout BatchJob) throws -> Void) async throws -> BatchJob {
        try await pool.write { db in
            guard var job = try BatchJobTable.fetch(db, id: id) else { throw BatchStoreError.notFound(id) }
            try change(&job)
            job.id = id
            var arguments = BatchJobTable.arguments(job)
            _ = arguments.append(contentsOf: [id])
            do {
                try db.execute(sql: BatchJobTable.updateSQL, arguments: arguments)
            } catch {
                throw BatchJobTable.translate(error, job)
            }
            return job
        }
    }

    public func unfinished() async throws -> [BatchJob] {
        let terminal = BatchJobStatus.allCases.filter(\.isTerminal).map(\.rawValue)
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM batch_jobs WHERE status NOT IN (\(terminal.map { _ in "?" }.joined(separator: ", "))) ORDER BY submitTime, id",
                arguments: StatementArguments(terminal)
            ).map(BatchJobTable.job)
        }
    }

    public func addResult(jobId: String, _ result: BatchRecordResult) async throws -> Bool {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM batch_jobs WHERE id = ?)", arguments: [jobId]) == true else {
                throw BatchStoreError.notFound(jobId)
            }
            // The (jobId, recordIndex) primary key makes a repeated record a no-op, and the statistics move only
            // when the insert did, in the same transaction: a crash leaves both or neither.
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO batch_results (jobId, recordIndex, line, succeeded, inputTokens, outputTokens)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [jobId, result.index, result.line, result.succeeded, result.inputTokens, result.outputTokens])
            guard db.changesCount > 0 else { return false }
            try db.execute(
                sql: """
                    UPDATE batch_jobs SET
                        processedRecordCount = processedRecordCount + 1,
                        successRecordCount = successRecordCount + ?,
                        errorRecordCount = errorRecordCount + ?,
                        inputTokenCount = inputTokenCount + ?,
                        outputTokenCount = outputTokenCount + ?,
                        lastModifiedTime = max(lastModifiedTime, ?)
                    WHERE id = ?
                    """,
                arguments: [
                    result.succeeded ? 1 : 0, result.succeeded ? 0 : 1, result.inputTokens, result.outputTokens,
                    Date().timeIntervalSince1970, jobId,
                ])
            return true
        }
    }

    public func results(jobId: String) async throws -> [BatchRecordResult] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM batch_results WHERE jobId = ? ORDER BY recordIndex", arguments: [jobId]
            ).map { row in
                BatchRecordResult(
                    index: row["recordIndex"], line: row["line"], succeeded: row["succeeded"], inputTokens: row["inputTokens"],
                    outputTokens: row["outputTokens"])
            }
        }
    }

    public func finishedIndexes(jobId: String) async throws -> Set<Int> {
        try await pool.read { db in
            Set(try Int.fetchAll(db, sql: "SELECT recordIndex FROM batch_results WHERE jobId = ?", arguments: [jobId]))
        }
    }
}
