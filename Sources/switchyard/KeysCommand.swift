import ArgumentParser
import Foundation
import SwitchyardModel

/// `switchyard keys …`: manage virtual keys through the running gateway's admin API.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list, show, update, rotate and revoke virtual keys (through the gateway's admin API).",
        subcommands: [KeysCreate.self, KeysList.self, KeysShow.self, KeysUpdate.self, KeysRotate.self, KeysRevoke.self])
}

/// The rules `create` and `update` share; on `update` only what is given changes.
struct KeyRuleOptions: ParsableArguments {
    @Option(name: .customLong("provider"), help: "A provider the key may use (repeat; none: every provider).")
    var providers: [String] = []

    @Option(name: .customLong("model"), help: "A model the key may use: exact, glob with *, or regex:… (repeat; none: every model).")
    var models: [String] = []

    @Option(name: .customLong("pinned-key"), help: "A provider key (keys[].name) the key's calls must use (repeat).")
    var pinnedKeys: [String] = []

    @Option(
        name: .customLong("budget"),
        help: "A budget as [ID=]USD/PERIOD[/calendar], e.g. 25/1M/calendar or daily=2.50/1d (repeat; PERIOD: Nm Nh Nd Nw NM NQ NY).")
    var budgets: [String] = []

    @Option(help: "Rate limit: requests per window.") var requests: Int?
    @Option(help: "Rate limit: input plus output tokens per window.") var tokens: Int?
    @Option(name: .customLong("window-seconds"), help: "Rate limit window (default 60).") var windowSeconds: Int?
    @Option(name: .customLong("max-concurrent"), help: "Rate limit: calls in flight at once.") var maxConcurrent: Int?

    @Option(name: .customLong("expires-at"), help: "When the key stops working (RFC 3339, e.g. 2026-06-30T00:00:00Z).")
    var expiresAt: String?

    @Option(name: .customLong("metadata"), help: "NAME=VALUE to keep with the key, e.g. team=search (repeat).")
    var metadata: [String] = []

    /// The JSON fields these options set.
    func fields() throws -> [String: JSONValue] {
        func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
        func number(_ value: Int) -> JSONValue { .number(Double(value)) }
        var body: [String: JSONValue] = [:]
        if !providers.isEmpty { body["allowed_providers"] = strings(providers) }
        if !models.isEmpty { body["allowed_models"] = strings(models) }
        if !pinnedKeys.isEmpty { body["pinned_keys"] = strings(pinnedKeys) }
        if !budgets.isEmpty { body["budgets"] = .array(try budgets.map(Self.budget)) }
        if requests != nil || tokens != nil || windowSeconds != nil || maxConcurrent != nil {
            var limit: [String: JSONValue] = ["window_seconds": number(windowSeconds ?? 60)]
            if let requests { limit["requests"] = number(requests) }
            if let tokens { limit["tokens"] = number(tokens) }
            if let maxConcurrent { limit["max_concurrent"] = number(maxConcurrent) }
            body["rate_limit"] = .object(limit)
        }
        if let expiresAt { body["expires_at"] = .string(expiresAt) }
        if !metadata.isEmpty {
            var map: [String: String] = [:]
            for pair in metadata {
                guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                    throw ValidationError("--metadata: expected NAME=VALUE, got '\(pair)'")
                }
                map[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            body["metadata"] = .object(map.mapValues(JSONValue.string))
        }
        return body
    }

    static func budget(_ text: String) throws -> JSONValue {
        var rest = Substring(text)
        var budget: [String: JSONValue] = [:]
        if let equals = rest.firstIndex(of: "=") {
            budget["id"] = .string(String(rest[..<equals]))
            rest = rest[rest.index(after: equals)...]
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), !parts[0].isEmpty, !parts[1].isEmpty, parts.count == 2 || parts[2] == "calendar" else {
            throw ValidationError("--budget: expected [ID=]USD/PERIOD[/calendar] such as 25/1M/calendar, got '\(text)'")
        }
        budget["limit_usd"] = .string(String(parts[0].drop(while: { $0 == "$" })))
        budget["period"] = .string(String(parts[1]))
        budget["calendar_aligned"] = .bool(parts.count == 3)
        return .object(budget)
    }
}

/// Output options of every subcommand.
struct KeyOutputOptions: ParsableArguments {
    @Flag(help: "Print the gateway's JSON answer instead of tables.")
    var json = false

    func emit(_ object: [String: JSONValue], else text: () -> String) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = (try? encoder.encode(JSONValue.object(object))) ?? Data()
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data((text() + "\n").utf8))
        }
    }
}

/// Where the printed snippets point boto3: what callers reach, which may differ from where the CLI talks.
struct SnippetOptions: ParsableArguments {
    @Option(name: .customLong("public-url"), help: "The gateway URL callers use, for the printed snippets (default: --url).")
    var publicURL: String?
}

struct KeysCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a key and print its credentials (shown this once) ready to paste.")

    @Argument(help: "A unique name for the key, e.g. search-team.") var name: String
    @OptionGroup var rules: KeyRuleOptions
    @OptionGroup var connection: AdminConnectionOptions
    @OptionGroup var snippet: SnippetOptions
    @OptionGroup var output: KeyOutputOptions

    func run() async throws {
        var body = try rules.fields()
        body["name"] = .string(name)
        let key = try await KeysRun.call { try await connection.client().call(.POST, "/api/keys", body: body) }
        output.emit(key) { KeyPrinting.issued(key, verb: "Created", endpoint: snippet.publicURL ?? connection.baseURL) }
    }
}

struct KeysList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the keys (never their secrets).")

    @OptionGroup var connection: AdminConnectionOptions
    @OptionGroup var output: KeyOutputOptions

    func run() async throws {
        let answer = try await KeysRun.call { try await connection.client().call(.GET, "/api/keys") }
        output.emit(answer) { KeyPrinting.table(KeyPrinting.objects(answer["keys"])) }
    }
}

struct KeysShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one key's rules and usage.")

    @Argument(help: "The key's id, access key id or name.") var key: String
    @OptionGroup var connection: AdminConnectionOptions
    @OptionGroup var output: KeyOutputOptions

    func run() async throws {
        let (record, usage) = try await KeysRun.call {
            let client = try connection.client()
            return (try await client.call(.GET, AdminAPIClient.path(key)), try await client.call(.GET, AdminAPIClient.path(key) + "/usage"))
        }
        output.emit(["key": .object(record), "usage": .object(usage)]) { KeyPrinting.details(record) + "\n\n" + KeyPrinting.usage(usage) }
    }
}

struct KeysUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Change a key: only the options given change; a list option replaces the whole list.")

    @Argument(help: "The key's id, access key id or name.") var key: String
    @Option(help: "A new name.") var name: String?
    @Option(help: "true to switch the key on, false to switch it off.") var active: Bool?
    @Flag(name: .customLong("clear-budgets"), help: "Remove every budget.") var clearBudgets = false
    @Flag(name: .customLong("clear-rate-limit"), help: "Remove the rate limit.") var clearRateLimit = false
    @Flag(name: .customLong("clear-expiry"), help: "The key no longer expires.") var clearExpiry = false
    @OptionGroup var rules: KeyRuleOptions
    @OptionGroup var connection: AdminConnectionOptions
    @OptionGroup var output: KeyOutputOptions

    func run() async throws {
        var body = try rules.fields()
        if let name { body["name"] = .string(name) }
        if let active { body["active"] = .bool(active) }
        if clearBudgets { body["budgets"] = [] }
        if clearRateLimit { body["rate_limit"] = .null }
        if clearExpiry { body["expires_at"] = .null }
        guard !body.isEmpty else { throw ValidationError("nothing to change: give at least one option") }
        let record = try await KeysRun.call { try await connection.client().call(.PATCH, AdminAPIClient.path(key), body: body) }
        output.emit(record) { "Updated.\n\n" + KeyPrinting.details(record) }
    }
}

struct KeysRotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Give a key a new access key id and secret; the old pair stops working at once.")

    @Argument(help: "The key's id, access key id or name.") var key: String
    @OptionGroup var connection: AdminConnectionOptions
    @OptionGroup var snippet: SnippetOptions
    @OptionGroup var output: KeyOutputOptions

    func run() async throws {
        let issued = try await KeysRun.call { try await connection.client().call(.POST, AdminAPIClient.path(key) + "/rotate") }
        output.emit(issued) { KeyPrinting.issued(issued, verb: "Rotated", endpoint: snippet.publicURL ?? connection.baseURL) }
    }
}

struct KeysRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Switch a key off at once (its row, files and log rows stay; `update --active true` undoes it).")

    @Argument(help: "The key's id, access key id or name.") var key: String
    @OptionGroup var connection: AdminConnectionOptions
    @OptionGroup var output: KeyOutputOptions

    func run() async throws {
        let record = try await KeysRun.call { try await connection.client().call(.POST, AdminAPIClient.path(key) + "/revoke") }
        output.emit(record) { "Revoked.\n\n" + KeyPrinting.details(record) }
    }
}

enum KeysRun {
    /// The gateway's refusal as the command's error message and exit status 1, without a stack of wrappers.
    static func call<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as AdminAPIClient.Failure {
            FileHandle.standardError.write(Data("error: \(failure.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
