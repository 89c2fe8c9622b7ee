import ArgumentParser
import Batch
import Foundation
import Stores

struct BatchGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Describe one job.")

    @OptionGroup var store: BatchStoreOptions

    @Argument(help: "The job ARN or its 12-character id.")
    var job: String

    func run() async throws {
        let opened = try await store.open()
        defer { try? opened.close() }
        let found = try await BatchFormat.find(job, in: opened.batchJobs)
        for (name, value) in BatchFormat.describe(found) { print("\(name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(value)") }
    }
}
