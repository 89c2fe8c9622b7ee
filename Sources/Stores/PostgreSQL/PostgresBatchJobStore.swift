import Foundation
import PostgresNIO

/// Batch jobs in PostgreSQL. A job is one JSON document (`BatchJob` is Codable) beside the columns that are queried;
/// every change reads the row `FOR UPDATE` and writes it back in the same transaction, so two instances changing one
/// job (a stop on one, a record result on another) serialize on the row and neither change is lost.
///
/// Which instance runs a job is a lease on its row: `claimUnfinished` takes, with `FOR UPDATE SKIP LOCKED`, the
/// unfinished jobs no live instance holds, and the runner renews its leases while it works. A dead instance's lease
/// runs out and the next instance's scan takes the job over; the records it had finished are in `batch_results`
/// and are never sent again.
public struct PostgresBatchJobStore: BatchJobStore {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    public func insert(_ job: BatchJob) async throws {
        let body = try Self.encode(job)
        do {
            try await database.transaction { connection in
                if try await !connection.rows("SELECT 1 FROM batch_jobs WHERE id = \(job.id)", database.logger).isEmpty {
                    throw BatchStoreError.duplicate(job.id)
                }
                try await connection.rows(
                    """
                    INSERT INTO batch_jobs (id, clientRequestToken, status, name, owner, submitTime, body)
                    VALUES (\(job.id), \(job.clientRequestToken), \(job.status.rawValue), \(job.name), \(job.owner),
                        \(job.submitTime.timeIntervalSince1970), \(body))
                    """, database.logger)
            }
        } catch where PostgresDatabase.isUniqueViolation(error) {
            throw BatchStoreError.duplicate(job.clientRequestToken ?? job.id)
        }
    }

    public func job(id: String) async throws -> BatchJob? {
        try await database.query("SELECT body FROM batch_jobs WHERE id = \(id)").first.map(Self.job)
    }

    public func job(clientRequestToken: String) async throws -> BatchJob? {
        try await database.query("SELECT body FROM batch_jobs WHERE clientRequestToken = \(clientRequestToken)").first.map(Self.job)
    }

    public func list(_ query: BatchJobQuery) async throws -> [BatchJob] {
        var conditions: [String] = []
        var p = PostgresParameters()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String { p.bind(value) }
        if let status = query.status { conditions.append("status = \(bind(status.rawValue))") }
        // strpos, not LIKE: a name may hold % or _, and the match is case-sensitive.
        if let part = query.nameContains, !part.isEmpty { conditions.append("strpos(name, \(bind(part))) > 0") }
        if let after = query.submittedAfter { conditions.append("submitTime > \(bind(after.timeIntervalSince1970))") }
        if let before = query.submittedBefore { conditions.append("submitTime < \(bind(before.timeIntervalSince1970))") }
        if case .owner(let owner) = query.owner {
            conditions.append(owner.map { "owner = \(bind($0))" } ?? "owner IS NULL")
        }
        let direction = query.ascending ? "ASC" : "DESC"
        var sql = "SELECT body FROM batch_jobs"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY submitTime \(direction), id \(direction) LIMIT \(bind(Int64(max(0, query.limit)))) OFFSET \(bind(Int64(max(0, query.offset))))"
        return try await database.query(p.query(sql)).map(Self.job)
    }

    @discardableResult
    public func update(id: String, _ change: @Sendable (inout BatchJob) throws -> Void) async throws -> BatchJob {
        do {
            return try await database.transaction { connection in
                guard let row = try await connection.rows("SELECT body FROM batch_jobs WHERE id = \(id) FOR UPDATE", database.logger).first
                else { throw BatchStoreError.notFound(id) }
                var job = try Self.job(row)
                try change(&job)
                job.id = id
                if let token = job.clientRequestToken,
                    try await !connection.rows(
                        "SELECT 1 FROM batch_jobs WHERE clientRequestToken = \(token) AND id <> \(id)", database.logger
                    ).isEmpty
                {
                    throw BatchStoreError.duplicate(token)
                }
                try await Self.write(job, connection, database.logger)
                return job
            }
        } catch where PostgresDatabase.isUniqueViolation(error) {
            throw BatchStoreError.duplicate(id)
        }
    }

    public func unfinished() async throws -> [BatchJob] {
        try await database.query(
            "SELECT body FROM batch_jobs WHERE status NOT IN (\(unescaped: Self.terminalList)) ORDER BY submitTime, id"
        ).map(Self.job)
    }

    public func claimUnfinished(holder: String, until: Date, now: Date) async throws -> [BatchJob] {
        try await database.query(
            """
            UPDATE batch_jobs SET leaseHolder = \(holder), leaseExpiresAt = \(until.timeIntervalSince1970)
            WHERE id IN (
                SELECT id FROM batch_jobs
                WHERE status NOT IN (\(unescaped: Self.terminalList))
                    AND (leaseHolder IS NULL OR leaseHolder = \(holder) OR leaseExpiresAt <= \(now.timeIntervalSince1970))
                ORDER BY submitTime, id
                FOR UPDATE SKIP LOCKED)
            RETURNING body
            """
        ).map(Self.job).sorted { ($0.submitTime, $0.id) < ($1.submitTime, $1.id) }
    }

    public func renewLeases(holder: String, jobIds: [String], until: Date) async throws -> Set<String> {
        guard !jobIds.isEmpty else { return [] }
        let kept = try await database.query(
            """
            UPDATE batch_jobs SET leaseExpiresAt = \(until.timeIntervalSince1970)
            WHERE id = ANY(\(jobIds)) AND leaseHolder = \(holder) RETURNING id
            """
        ).map { try $0.decode(String.self) }
        return Set(jobIds).subtracting(kept)
    }

    public func releaseLease(jobId: String, holder: String) async throws {
        try await database.query("UPDATE batch_jobs SET leaseHolder = NULL, leaseExpiresAt = NULL WHERE id = \(jobId) AND leaseHolder = \(holder)")
    }

    public func addResult(jobId: String, _ result: BatchRecordResult) async throws -> Bool {
        try await database.transaction { connection in
            guard let row = try await connection.rows("SELECT body FROM batch_jobs WHERE id = \(jobId) FOR UPDATE", database.logger).first else {
                throw BatchStoreError.notFound(jobId)
            }
            // The (jobId, recordIndex) key makes a repeated record a no-op, and the statistics move only when the
            // insert did, in the same transaction.
            let inserted = try await connection.rows(
                """
                INSERT INTO batch_results (jobId, recordIndex, line, succeeded, inputTokens, outputTokens)
                VALUES (\(jobId), \(Int64(result.index)), \(result.line), \(result.succeeded), \(Int64(result.inputTokens)), \(Int64(result.outputTokens)))
                ON CONFLICT (jobId, recordIndex) DO NOTHING RETURNING 1
                """, database.logger)
            guard !inserted.isEmpty else { return false }
            var job = try Self.job(row)
            job.statistics.processedRecordCount += 1
            if result.succeeded { job.statistics.successRecordCount += 1 } else { job.statistics.errorRecordCount += 1 }
            job.statistics.inputTokenCount += result.inputTokens
            job.statistics.outputTokenCount += result.outputTokens
            job.lastModifiedTime = max(job.lastModifiedTime, Date())
            try await Self.write(job, connection, database.logger)
            return true
        }
    }

    public func results(jobId: String) async throws -> [BatchRecordResult] {
        try await database.query(
            "SELECT recordIndex, line, succeeded, inputTokens, outputTokens FROM batch_results WHERE jobId = \(jobId) ORDER BY recordIndex"
        ).map { row in
            let (index, line, succeeded, input, output) = try row.decode((Int64, String, Bool, Int64, Int64).self)
            return BatchRecordResult(index: Int(index), line: line, succeeded: succeeded, inputTokens: Int(input), outputTokens: Int(output))
        }
    }

    public func finishedIndexes(jobId: String) async throws -> Set<Int> {
        Set(try await database.query("SELECT recordIndex FROM batch_results WHERE jobId = \(jobId)").map { Int(try $0.decode(Int64.self)) })
    }

    static let terminalList = BatchJobStatus.allCases.filter(\.isTerminal).map { "'\($0.rawValue)'" }.joined(separator: ", ")

    static func write(_ job: BatchJob, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.rows(
            """
            UPDATE batch_jobs SET clientRequestToken = \(job.clientRequestToken), status = \(job.status.rawValue), name = \(job.name),
                owner = \(job.owner), submitTime = \(job.submitTime.timeIntervalSince1970), body = \(try encode(job))
            WHERE id = \(job.id)
            """, logger)
    }

    static func encode(_ job: BatchJob) throws -> String {
        String(decoding: try JSONEncoder.sortedKeys.encode(job), as: UTF8.self)
    }

    static func job(_ row: PostgresRow) throws -> BatchJob {
        try JSONDecoder().decode(BatchJob.self, from: Data(try row.decode(String.self).utf8))
    }
}
