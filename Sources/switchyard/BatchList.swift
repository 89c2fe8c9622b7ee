import ArgumentParser
import Batch
import Foundation
import Stores

struct BatchList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List jobs, newest first.")

    @OptionGroup var store: BatchStoreOptions

    @Option(help: "Only jobs with this status (Submitted, InProgress, Completed, …).")
    var status: String?

    @Option(help: "Only jobs owned by this virtual key (its name, id or access key id).")
    var key: String?

    func run() async throws {
        let opened = try await store.open()
        defer { try? opened.close() }
        var query = BatchJobQuery()
        if let status {
            guard let value = BatchJobStatus(rawValue: status) else {
                throw ValidationError("unknown status '\(status)'; one of \(BatchJobStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.status = value
        }
        let owners = try await BatchOwnerNames.load(opened.virtualKeys)
        if let key { query.owner = .owner(try await owners.owner(key, jobs: opened.batchJobs)) }
        let jobs = try await opened.batchJobs.list(query)
        if jobs.isEmpty {
            print("no batch jobs")
            return
        }
        print(BatchFormat.row(["JOB", "NAME", "STATUS", "RECORDS", "SUBMITTED", "RUNNER", "OWNER", "MODEL"]))
        for job in jobs {
            let stats = job.statistics
            print(
                BatchFormat.row([
                    job.id, job.name, job.status.rawValue, "\(stats.processedRecordCount)/\(stats.totalRecordCount)",
                    BatchFormat.time(job.submitTime), job.runner, owners.name(of: job.owner), job.modelId,
                ]))
        }
    }
}
