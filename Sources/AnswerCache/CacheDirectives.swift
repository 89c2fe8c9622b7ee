import Foundation
import Engine
import SwitchyardModel

/// What one request asked of the cache, from its headers (`x-swyd-cache*`, Bifrost's `x-bf-cache-*`,
/// `Cache-Control`) and, for boto3 callers without event hooks, Converse's `requestMetadata` (`swyd:cache*`).
struct CacheDirectives: Equatable {
    /// `off` / `no-cache`: do not look up (the answer is still stored).
    var skipLookup = false
    var noStore = false
    var ttlSeconds: Double?
    /// Only this level is looked up.
    var only: CacheOutcome.Kind?
    /// Raises the configured similarity threshold; never lowers it.
    var threshold: Double?
    /// A sub-namespace inside the caller's scope (`x-bf-cache-key`): it narrows what is shared, never widens it.
    var namespace: String?
    /// The controls used, by their policy names (`off`, `no-store`, `ttl`, `type`, `threshold`, `key`).
    var used: Set<String> = []

    static func parse(headers: [AnswerHeader], metadata: [String: String]) throws -> CacheDirectives {
        var directives = CacheDirectives()
        for header in headers {
            try directives.apply(header: header.name.lowercased(), header.value.trimmingCharacters(in: .whitespaces))
        }
        for (name, value) in metadata where name.hasPrefix("swyd:cache") {
            try directives.apply(metadata: name, value.trimmingCharacters(in: .whitespaces))
        }
        return directives
    }

    private mutating func apply(header name: String, _ value: String) throws {
        switch name {
        case "x-swyd-cache": try mode(value, source: name)
        case "x-swyd-cache-no-store", "x-bf-cache-no-store": if try Self.flag(value, source: name) { set("no-store") { $0.noStore = true } }
        case "x-swyd-cache-ttl", "x-bf-cache-ttl": try ttl(value, source: name)
        case "x-swyd-cache-type", "x-bf-cache-type": try type(value, source: name)
        case "x-swyd-cache-threshold", "x-bf-cache-threshold": try threshold(value, source: name)
        case "x-swyd-cache-key", "x-bf-cache-key": try key(value, source: name)
        case "cache-control":
            for token in value.lowercased().split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if token == "no-cache" {
                    set("off") { $0.skipLookup = true }
                } else if token == "no-store" {
                    set("no-store") { $0.noStore = true }
                } else if let seconds = token.split(separator: "=", maxSplits: 1).dropFirst().first,
                    token.hasPrefix("max-age=") || token.hasPrefix("s-maxage=")
                {
                    try ttl(String(seconds), source: name)
                }
            }
        default:
            // Bifrost has more `x-bf-cache-*` headers than the cache has uses for; ours must all mean something.
            if name.hasPrefix("x-swyd-cache") {
                throw GatewayError(
                    .validation,
                    "Unknown cache control header '\(name)'; the cache reads x-swyd-cache, x-swyd-cache-no-store, x-swyd-cache-ttl, x-swyd-cache-type, x-swyd-cache-threshold and x-swyd-cache-key"
                )
            }
        }
    }

    private mutating func apply(metadata name: String, _ value: String) throws {
        let source = "requestMetadata['\(name)']"
        switch name {
        case "swyd:cache":
            for token in value.split(separator: ",") { try mode(token.trimmingCharacters(in: .whitespaces), source: source) }
        case "swyd:cache-ttl": try ttl(value, source: source)
        case "swyd:cache-type": try type(value, source: source)
        case "swyd:cache-threshold": try threshold(value, source: source)
        case "swyd:cache-key": try key(value, source: source)
        default:
            throw GatewayError(
                .validation,
                "Unknown cache control \(source); the cache reads swyd:cache (off, no-store), swyd:cache-ttl, swyd:cache-type, swyd:cache-threshold and swyd:cache-key"
            )
        }
    }

    private mutating func set(_ control: String, _ change: (inout CacheDirectives) -> Void) {
        used.insert(control)
        change(&self)
    }

    private mutating func mode(_ value: String, source: String) throws {
        switch value.lowercased() {
        case "on", "": break
        case "off", "no-cache": set("off") { $0.skipLookup = true }
        case "no-store": set("no-store") { $0.noStore = true }
        default: throw GatewayError(.validation, "The cache control \(source) must be on, off or no-store, not '\(value)'")
        }
    }

    private mutating func ttl(_ value: String, source: String) throws {
        guard let seconds = Self.seconds(value), seconds > 0 else {
            throw GatewayError(.validation, "The cache control \(source) must be a duration such as 30, 30s, 5m or 1h, not '\(value)'")
        }
        set("ttl") { $0.ttlSeconds = seconds }
    }

    private mutating func type(_ value: String, source: String) throws {
        switch value.lowercased() {
        case "exact", "direct": set("type") { $0.only = .exact }
        case "semantic": set("type") { $0.only = .semantic }
        default: throw GatewayError(.validation, "The cache control \(source) must be exact or semantic, not '\(value)'")
        }
    }

    private mutating func threshold(_ value: String, source: String) throws {
        guard let number = Double(value), number.isFinite, number >= 0, number <= 1 else {
            throw GatewayError(.validation, "The cache control \(source) must be a similarity between 0 and 1, not '\(value)'")
        }
        set("threshold") { $0.threshold = number }
    }

    private mutating func key(_ value: String, source: String) throws {
        guard !value.isEmpty, value.utf8.count <= 256 else {
            throw GatewayError(.validation, "The cache control \(source) must be 1 to 256 characters")
        }
        set("key") { $0.namespace = value }
    }

    static func flag(_ value: String, source: String) throws -> Bool {
        switch value.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw GatewayError(.validation, "The cache control \(source) must be true or false, not '\(value)'")
        }
    }

    /// `30`, `30s`, `5m`, `1h`.
    static func seconds(_ text: String) -> Double? {
        let lowered = text.lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where lowered.hasSuffix(suffix) {
            guard let number = Double(lowered.dropLast(suffix.count)), number.isFinite else { return nil }
            return number * scale
        }
        guard let number = Double(lowered), number.isFinite else { return nil }
        return number
    }
}
