import ArgumentParser
import Batch
import Foundation
import Stores

struct BatchGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Describe one job.")

    @OptionGroup var store: BatchStoreOptions

    @Argument(help: "The job ARN or its 12-character id.")
    var job: String

    @Option(help: "Only if the job is owned by this virtual key (its name, id or access key id).")
    var key: String?

    func run() async throws {
        let opened = try await store.open()
        defer { try? opened.close() }
        let found = try await BatchFormat.find(job, in: opened.batchJobs)
        let owners = try await BatchOwnerNames.load(opened.virtualKeys)
        if let key, try await owners.owner(key, jobs: opened.batchJobs) != found.owner {
            throw ValidationError("batch job \(job) is not owned by key '\(key)'")
        }
        for (name, value) in BatchFormat.describe(found, owners: owners) { print("\(name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(value)") }
    }
}
