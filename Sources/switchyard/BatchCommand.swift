import ArgumentParser

/// `switchyard batch …`: look at the model invocation jobs in the gateway's store.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch", abstract: "Show the gateway's batch (model invocation) jobs, read straight from its store.",
        subcommands: [BatchList.self, BatchGet.self, BatchWatch.self])
}
