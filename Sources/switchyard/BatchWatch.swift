import ArgumentParser
import Batch
import Foundation
import Stores

struct BatchWatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "watch", abstract: "Show a job's progress until it ends.")

    @OptionGroup var store: BatchStoreOptions

    @Argument(help: "The job ARN or its 12-character id.")
    var job: String

    @Option(help: "Seconds between looks at the store.")
    var interval: Double = 0.5

    @Option(help: "Only if the job is owned by this virtual key (its name, id or access key id).")
    var key: String?

    func run() async throws {
        let opened = try await store.open()
        defer { try? opened.close() }
        let found = try await BatchFormat.find(job, in: opened.batchJobs)
        if let key, try await BatchOwnerNames.load(opened.virtualKeys).owner(key, jobs: opened.batchJobs) != found.owner {
            throw ValidationError("batch job \(job) is not owned by key '\(key)'")
        }
        let id = found.id
        let terminal = isatty(STDOUT_FILENO) != 0
        var last = ""
        while true {
            guard let current = try await opened.batchJobs.job(id: id) else { throw ValidationError("job \(id) disappeared") }
            let line = BatchFormat.progress(current, width: 30)
            if terminal {
                // Redraw in place: carriage return, the line, then clear what a longer earlier line left.
                FileHandle.standardOutput.write(Data("\r\(line)\u{1B}[K".utf8))
            } else if line != last {
                // Written at once, not through stdio's buffer, so a pipe sees each step as it happens.
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            last = line
            if current.status.isTerminal {
                if terminal { FileHandle.standardOutput.write(Data("\n".utf8)) }
                if let message = current.message { FileHandle.standardOutput.write(Data((message + "\n").utf8)) }
                return
            }
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        }
    }
}
