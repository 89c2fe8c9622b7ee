import Foundation

/// A virtual key's allow-lists. Empty lists allow everything. A model entry is an exact name (the model id a
/// caller sends, an alias, or `provider/model`), a glob with `*`, or `regex:<pattern>` matched against the whole
/// name, case-insensitively.
public struct ModelAccess: Sendable, Hashable, Codable {
    public var providers: [String]
    public var models: [String]

    public init(providers: [String] = [], models: [String] = []) {
        self.providers = providers
        self.models = models
    }

    public var allowsEverything: Bool { providers.isEmpty && models.isEmpty }

    public func allows(provider: String) -> Bool {
        providers.isEmpty || providers.contains(provider)
    }

    /// A call may go ahead when its provider is allowed and any of the names it goes by (what the caller asked
    /// for, the resolved model, `provider/model`) matches a model entry.
    public func allows(provider: String, model: String, requested: String? = nil) -> Bool {
        guard allows(provider: provider) else { return false }
        guard !models.isEmpty else { return true }
        let names = [requested, model, "\(provider)/\(model)"].compactMap { $0 }
        return models.contains { pattern in names.contains { Self.matches(pattern, $0) } }
    }

    /// A model name alone, for listings that have no provider in hand.
    public func allows(model: String) -> Bool {
        models.isEmpty || models.contains { Self.matches($0, model) }
    }

    /// Throws for an entry that can match nothing (empty, `regex:` that does not compile), so configuration and
    /// the admin API refuse it instead of silently denying.
    public static func validate(_ pattern: String) throws {
        guard !pattern.isEmpty else { throw AccessPatternError(pattern: pattern, reason: "is empty") }
        if pattern.hasPrefix("regex:") {
            do { _ = try Regex(String(pattern.dropFirst(6))) } catch {
                throw AccessPatternError(pattern: pattern, reason: "is not a valid regular expression")
            }
        }
    }

    static func matches(_ pattern: String, _ name: String) -> Bool {
        if pattern.hasPrefix("regex:") {
            guard let regex = try? Regex(String(pattern.dropFirst(6))).ignoresCase() else { return false }
            return (try? regex.wholeMatch(in: name)) != nil
        }
        if pattern.contains("*") { return glob(Substring(pattern), Substring(name)) }
        return pattern == name
    }

    private static func glob(_ pattern: Substring, _ name: Substring) -> Bool {
        guard let star = pattern.firstIndex(of: "*") else { return pattern == name }
        let head = pattern[..<star]
        guard name.hasPrefix(head) else { return false }
        let rest = pattern[pattern.index(after: star)...]
        var tail = name.dropFirst(head.count)
        while true {
            if glob(rest, tail) { return true }
            guard !tail.isEmpty else { return false }
            tail = tail.dropFirst()
        }
    }
}

public struct AccessPatternError: Error, CustomStringConvertible {
    public let pattern: String
    public let reason: String
    public var description: String { "the model pattern '\(pattern)' \(reason)" }
}
