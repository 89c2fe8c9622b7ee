import Engine
import Pricing

/// Reads `logging:` and `pricing:`; every problem names its path and line.
enum ObservabilitySettingsReader {
    static func logging(_ map: Mapping) throws -> LoggingSettings {
        try map.allowOnly([
            "enabled", "content", "content_max_bytes", "retention_days", "queue_capacity", "batch_size", "flush_interval_ms",
        ])
        var settings = LoggingSettings()
        settings.enabled = try map.bool("enabled") ?? settings.enabled
        settings.content = try map.bool("content") ?? settings.content
        settings.contentMaxBytes = try map.int("content_max_bytes", in: 0...(16 << 20)) ?? settings.contentMaxBytes
        // 0 keeps rows for ever; a retention of "delete at once" is never what anyone means.
        if let days = try map.int("retention_days", in: 0...36_500) { settings.retentionDays = days == 0 ? nil : days }
        settings.queueCapacity = try map.int("queue_capacity", in: 1...10_000_000) ?? settings.queueCapacity
        settings.batchSize = try map.int("batch_size", in: 1...100_000) ?? settings.batchSize
        settings.flushIntervalMs = try map.int("flush_interval_ms", in: 10...3_600_000) ?? settings.flushIntervalMs
        return settings
    }

    static let priceFields: Set<String> = [
        "input", "output", "cache_read", "cache_write", "batch_input", "batch_output", "batch_cache_read", "batch_cache_write",
    ]

    static func pricing(_ map: Mapping) throws -> PricingSettings {
        try map.allowOnly(["models"])
        var settings = PricingSettings()
        guard let models = try map.mapping("models") else { return settings }
        for (name, node) in models.entries {
            let path = "\(models.path).\(name)"
            guard name.contains("/"), !name.hasPrefix("/"), !name.hasSuffix("/") else {
                throw ConfigError("\(path): a price override is keyed 'provider/model' (e.g. openai/gpt-4o)", line: models.keyLines[name])
            }
            let entry = try Mapping(node, path: path)
            try entry.allowOnly(priceFields)
            var fields: [String: String] = [:]
            for (field, _) in entry.entries {
                guard let text = try entry.string(field), TokenPrice(perMillion: text) != nil else {
                    throw ConfigError(
                        "\(path).\(field): expected a price in USD per million tokens (decimal text, at most 6 decimals, e.g. \"2.50\")",
                        line: entry.line(field))
                }
                fields[field] = text
            }
            for required in ["input", "output"] where fields[required] == nil {
                throw ConfigError("\(path): '\(required)' is required", line: models.keyLines[name])
            }
            settings.models[name] = fields
        }
        return settings
    }

    /// The overrides as the price table takes them.
    static func priceEntries(_ settings: PricingSettings) -> [String: PriceEntry] {
        settings.models.mapValues { f in
            PriceEntry(
                prices: PriceEntry.Prices(
                    input: f["input"] ?? "0", output: f["output"] ?? "0", cacheRead: f["cache_read"], cacheWrite: f["cache_write"],
                    batchInput: f["batch_input"], batchOutput: f["batch_output"], batchCacheRead: f["batch_cache_read"],
                    batchCacheWrite: f["batch_cache_write"]))
        }
    }
}
