import Engine
import Foundation
import Governance
import SwitchyardModel

/// Reads `governance:`; every problem names its path and line.
struct GovernanceSettingsReader {
    /// `env.NAME` resolution, as ConfigLoader does it for provider keys.
    let resolve: (String, String, Int?) throws -> String
    /// Provider names and their key names, so a key's allow-list or pin cannot name what does not exist.
    let providers: [ProviderConfig]

    func read(_ map: Mapping) throws -> GovernanceSettings {
        try map.allowOnly(["enforce", "allow_direct_keys", "keys"])
        var settings = GovernanceSettings()
        settings.enforce = try map.bool("enforce") ?? settings.enforce
        settings.allowDirectKeys = try map.bool("allow_direct_keys") ?? settings.allowDirectKeys
        guard let node = map.node("keys") else { return settings }
        if case .scalar(let s) = node, ["", "~", "null"].contains(s.string) { return settings }
        guard let items = node.sequence else { throw ConfigError("governance.keys: expected a list", line: node.mark?.line) }
        var names: [String: Int] = [:], accessKeyIds: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let key = try declaredKey(try Mapping(item, path: "governance.keys[\(i)]"))
            if let other = names.updateValue(i, forKey: key.name) {
                throw ConfigError("governance.keys[\(i)]: the name '\(key.name)' is also governance.keys[\(other)]'s", line: item.mark?.line)
            }
            if let other = accessKeyIds.updateValue(i, forKey: key.accessKeyId) {
                throw ConfigError(
                    "governance.keys[\(i)]: access_key_id '\(key.accessKeyId)' is also governance.keys[\(other)]'s", line: item.mark?.line)
            }
            settings.keys.append(key)
        }
        return settings
    }

    private func declaredKey(_ map: Mapping) throws -> DeclaredKey {
        try map.allowOnly([
            "name", "access_key_id", "secret", "active", "expires_at", "allowed_providers", "allowed_models", "pinned_keys",
            "budgets", "rate_limit", "metadata", "cache",
        ])
        func required(_ field: String) throws -> String {
            guard let value = try map.string(field), !value.isEmpty else {
                throw ConfigError("\(map.path): '\(field)' is required", line: map.line)
            }
            return value
        }
        let name = try required("name")
        let accessKeyId = try resolve(try required("access_key_id"), "\(map.path).access_key_id", map.line("access_key_id"))
        let written = try required("secret")
        let secret = try resolve(written, "\(map.path).secret", map.line("secret"))
        var key = DeclaredKey(name: name, accessKeyId: accessKeyId, secret: secret)
        key.secretInFile = !written.hasPrefix("env.")
        key.active = try map.bool("active") ?? true
        if let text = try map.string("expires_at") {
            guard let date = Self.rfc3339(text) else {
                throw ConfigError("\(map.path).expires_at: expected an RFC 3339 time such as 2026-01-31T00:00:00Z", line: map.line("expires_at"))
            }
            key.expiresAt = date
        }
        key.allowedProviders = try map.strings("allowed_providers") ?? []
        if let cache = try map.mapping("cache") { key.cache = try CacheSettingsReader.policy(cache) }
        for provider in key.allowedProviders where !providers.contains(where: { $0.name == provider }) {
            throw ConfigError(
                "\(map.path).allowed_providers: '\(provider)' is not a configured provider (configured: \(providers.map(\.name).joined(separator: ", ")))",
                line: map.line("allowed_providers"))
        }
        key.allowedModels = try map.strings("allowed_models") ?? []
        key.pinnedKeys = try map.strings("pinned_keys") ?? []
        let keyNames = Set(providers.flatMap { $0.keys.map(\.name) })
        for pin in key.pinnedKeys where !keyNames.contains(pin) {
            throw ConfigError("\(map.path).pinned_keys: '\(pin)' names no provider key (providers.*.keys[].name)", line: map.line("pinned_keys"))
        }
        if let node = map.node("budgets") {
            guard let items = node.sequence else { throw ConfigError("\(map.path).budgets: expected a list", line: node.mark?.line) }
            key.budgets = try items.enumerated().map { i, item in try budget(try Mapping(item, path: "\(map.path).budgets[\(i)]")) }
        }
        if let limit = try map.mapping("rate_limit") { key.rateLimit = try rateLimit(limit) }
        if let metadata = try map.mapping("metadata") {
            for (field, node) in metadata.entries {
                guard let value = node.scalar?.string else {
                    throw ConfigError("\(metadata.path).\(field): expected a string", line: node.mark?.line)
                }
                key.metadata[field] = value
            }
        }
        // The rest of the rules are checked as the admin API checks them, so a file cannot hold what the API refuses.
        do {
            try KeyIssuer.validate(name: key.name, policy: ConfigKeySync.policy(key))
            try KeyIssuer.validate(metadata: key.metadata)
            try KeyIssuer.validate(accessKeyId: key.accessKeyId)
            try KeyIssuer.validate(secret: key.secret)
        } catch let error as KeyIssueError {
            throw ConfigError("\(map.path): \(error.description)", line: map.line)
        }
        return key
    }

    private func budget(_ map: Mapping) throws -> DeclaredKey.Budget {
        try map.allowOnly(["id", "limit_usd", "period", "calendar_aligned"])
        guard let text = try map.string("limit_usd"), let limit = USDAmount(text), limit >= .zero else {
            throw ConfigError("\(map.path).limit_usd: expected a USD amount such as \"25\" or 0.50 (at most 9 decimals)", line: map.line("limit_usd") ?? map.line)
        }
        guard let period = try map.string("period") else { throw ConfigError("\(map.path): 'period' is required", line: map.line) }
        do { _ = try BudgetPeriod(parsing: period) } catch {
            throw ConfigError("\(map.path).period: \(error)", line: map.line("period"))
        }
        return DeclaredKey.Budget(
            id: try map.string("id") ?? period, limitNanos: limit.nanos, period: period, calendarAligned: try map.bool("calendar_aligned") ?? false)
    }

    private func rateLimit(_ map: Mapping) throws -> DeclaredKey.RateLimit {
        try map.allowOnly(["requests", "tokens", "window_seconds", "max_concurrent"])
        let count = 1...Int(Int32.max)
        return DeclaredKey.RateLimit(
            requests: try map.int("requests", in: count), tokens: try map.int("tokens", in: count),
            windowSeconds: try map.int("window_seconds", in: 1...KeyIssuer.maxWindowSeconds) ?? 60,
            maxConcurrent: try map.int("max_concurrent", in: count))
    }

    static func rfc3339(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
