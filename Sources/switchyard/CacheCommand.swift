import ArgumentParser
import Foundation

/// `switchyard cache …`: the running gateway's answer cache, through its admin API.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "Show the answer cache's numbers, or purge entries (through the gateway's admin API).",
        subcommands: [CacheStatsCommand.self, CachePurgeCommand.self])
}

struct CacheStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Entries, bytes, hits and misses since start.")

    @OptionGroup var connection: AdminConnectionOptions
    @OptionGroup var output: KeyOutputOptions

    func run() async throws {
        let answer = try await KeysRun.call { try await connection.client().call(.GET, "/api/cache/stats") }
        output.emit(answer) {
            answer.keys.sorted().map { name in "\(name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(KeyPrinting.text(answer[name]))" }
                .joined(separator: "\n")
        }
    }
}

struct CachePurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge", abstract: "Delete one entry (--id) or every entry of a scope (--scope vk:<key id>, group:<name>, global, anonymous, all).")

    @Option(help: "The entry id (the x-swyd-cache-id header of a hit).") var id: String?
    @Option(help: "vk:<key id>, group:<name>, global, anonymous, or all.") var scope: String?
    @OptionGroup var connection: AdminConnectionOptions
    @OptionGroup var output: KeyOutputOptions

    func validate() throws {
        guard (id == nil) != (scope == nil) else { throw ValidationError("give exactly one of --id and --scope") }
    }

    func run() async throws {
        let path: String
        if let id {
            path = "/api/cache/entries/" + (id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id)
        } else {
            path = "/api/cache?scope=" + (scope!.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
        let answer = try await KeysRun.call { try await connection.client().call(.DELETE, path) }
        output.emit(answer) { "deleted \(KeyPrinting.text(answer["deleted"] ?? 0))" }
    }
}
