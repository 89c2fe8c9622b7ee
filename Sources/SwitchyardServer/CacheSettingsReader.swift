import Engine
import SwitchyardModel
import Yams

/// Reads `cache:` and a virtual key's `cache:` policy; every problem names its path and line.
enum CacheSettingsReader {
    static func read(_ map: Mapping) throws -> CacheSettings {
        try map.allowOnly([
            "enabled", "ttl", "max_ttl", "max_entries", "max_bytes", "max_entry_bytes", "sweep_interval", "cache_tool_use", "models", "semantic",
        ])
        var settings = CacheSettings()
        settings.configured = true
        settings.enabled = try map.bool("enabled") ?? settings.enabled
        settings.ttlSeconds = try duration(map, "ttl") ?? settings.ttlSeconds
        settings.maxTTLSeconds = try duration(map, "max_ttl") ?? max(settings.maxTTLSeconds, settings.ttlSeconds)
        if settings.ttlSeconds > settings.maxTTLSeconds {
            throw ConfigError("cache.ttl: \(settings.ttlSeconds) s is longer than cache.max_ttl (\(settings.maxTTLSeconds) s)", line: map.line("ttl"))
        }
        settings.maxEntries = try map.int("max_entries", in: 1...10_000_000) ?? settings.maxEntries
        settings.maxBytes = try map.int("max_bytes", in: 1...Int(Int64.max)) ?? settings.maxBytes
        settings.maxEntryBytes = try map.int("max_entry_bytes", in: 1...Int(Int32.max)) ?? settings.maxEntryBytes
        settings.sweepIntervalSeconds = try duration(map, "sweep_interval") ?? settings.sweepIntervalSeconds
        settings.cacheToolUse = try map.bool("cache_tool_use") ?? settings.cacheToolUse
        if let models = try map.mapping("models") {
            for (name, node) in models.entries {
                let model = try Mapping(node, path: "cache.models.\(name)")
                try model.allowOnly(["enabled", "ttl"])
                let ttl = try duration(model, "ttl")
                if let ttl, ttl > settings.maxTTLSeconds {
                    throw ConfigError("cache.models.\(name).ttl: longer than cache.max_ttl (\(settings.maxTTLSeconds) s)", line: model.line("ttl"))
                }
                settings.models[name] = ModelCacheSettings(enabled: try model.bool("enabled"), ttlSeconds: ttl)
            }
        }
        if let semantic = try map.mapping("semantic") {
            try semantic.allowOnly(["enabled", "embedding_model", "threshold", "max_turns", "include_system"])
            settings.semantic.enabled = try semantic.bool("enabled") ?? true
            settings.semantic.embeddingModel = try semantic.string("embedding_model")
            if let threshold = try semantic.double("threshold", min: 0) {
                guard threshold <= 1 else { throw ConfigError("cache.semantic.threshold: expected a similarity from 0 to 1", line: semantic.line("threshold")) }
                settings.semantic.threshold = threshold
            }
            settings.semantic.maxTurns = try semantic.int("max_turns", in: 1...100) ?? settings.semantic.maxTurns
            settings.semantic.includeSystem = try semantic.bool("include_system") ?? settings.semantic.includeSystem
            if settings.semantic.enabled, (settings.semantic.embeddingModel ?? "").isEmpty {
                throw ConfigError("cache.semantic.embedding_model: required when the semantic cache is on", line: semantic.line)
            }
        }
        return settings
    }

    /// A key's `cache:` policy (`governance.keys[].cache`).
    static func policy(_ map: Mapping) throws -> CachePolicy {
        try map.allowOnly(["enabled", "scope", "allowed_controls", "cache_tool_use"])
        var policy = CachePolicy()
        policy.enabled = try map.bool("enabled")
        if let scope = try map.string("scope") {
            if let problem = CachePolicy.problem(scope: scope) {
                throw ConfigError("\(map.path).scope: '\(scope)': \(problem)", line: map.line("scope"))
            }
            policy.scope = scope
        }
        if let controls = try map.strings("allowed_controls") {
            if let unknown = controls.first(where: { !CachePolicy.controls.contains($0) }) {
                throw ConfigError(
                    "\(map.path).allowed_controls: unknown control '\(unknown)' (known: \(CachePolicy.controls.joined(separator: ", ")))",
                    line: map.line("allowed_controls"))
            }
            policy.allowedControls = controls
        }
        policy.cacheToolUse = try map.bool("cache_tool_use")
        return policy
    }

    /// Seconds as a number, or text such as `30s`, `5m`, `1h`.
    static func duration(_ map: Mapping, _ key: String) throws -> Double? {
        guard let node = map.node(key) else { return nil }
        if let number = node.float ?? node.int.map(Double.init), number > 0 { return number }
        if let text = node.scalar?.string, let seconds = parse(text), seconds > 0 { return seconds }
        throw ConfigError("\(map.path).\(key): expected a duration such as 300, 30s, 5m or 1h", line: node.mark?.line)
    }

    static func parse(_ text: String) -> Double? {
        let units: [(String, Double)] = [("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast()).map { $0 * scale }
        }
        return Double(text)
    }
}
