import Foundation
import Governance
import Stores
import SwitchyardModel

// What `/api/keys` answers: snake_case names, every field present (absent as `null`), amounts as decimal text.

/// A key as every route shows it: never its secret.
struct KeyJSON: Encodable {
    let record: VirtualKeyRecord
    let now: Date

    enum Field: String, CodingKey {
        case id, name, active, state, source, metadata, budgets, cache
        case accessKeyId = "access_key_id", expiresAt = "expires_at", allowedProviders = "allowed_providers"
        case allowedModels = "allowed_models", pinnedKeys = "pinned_keys", rateLimit = "rate_limit"
        case createdAt = "created_at", updatedAt = "updated_at", lastUsedAt = "last_used_at"
    }

    /// `inactive` (revoked or switched off), `expired`, or `active`.
    static func state(_ record: VirtualKeyRecord, now: Date) -> String {
        if !record.active { return "inactive" }
        return record.isUsable(at: now) ? "active" : "expired"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Field.self)
        try c.encode(record.id, forKey: .id)
        try c.encode(record.name, forKey: .name)
        try c.encode(record.accessKeyId, forKey: .accessKeyId)
        try c.encode(record.active, forKey: .active)
        try c.encode(Self.state(record, now: now), forKey: .state)
        try c.encode(record.source.rawValue, forKey: .source)
        try c.encode(record.expiresAt.map(AdminTime.text), forKey: .expiresAt)
        try c.encode(record.policy.allowedProviders, forKey: .allowedProviders)
        try c.encode(record.policy.allowedModels, forKey: .allowedModels)
        try c.encode(record.policy.pinnedKeys, forKey: .pinnedKeys)
        try c.encode(record.policy.budgets.map(BudgetJSON.init), forKey: .budgets)
        try c.encode(record.policy.rateLimit.map(RateLimitJSON.init), forKey: .rateLimit)
        try c.encode(record.policy.cache.map(CachePolicyJSON.init), forKey: .cache)
        try c.encode(record.metadata, forKey: .metadata)
        try c.encode(AdminTime.text(record.createdAt), forKey: .createdAt)
        try c.encode(AdminTime.text(record.updatedAt), forKey: .updatedAt)
        try c.encode(record.lastUsedAt.map(AdminTime.text), forKey: .lastUsedAt)
    }
}

struct BudgetJSON: Encodable {
    let rule: BudgetRule

    enum Field: String, CodingKey {
        case id, period
        case limitUsd = "limit_usd", calendarAligned = "calendar_aligned"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Field.self)
        try c.encode(rule.id, forKey: .id)
        try c.encode(USDAmount(nanos: rule.limitNanos), forKey: .limitUsd)
        try c.encode(rule.period, forKey: .period)
        try c.encode(rule.calendarAligned, forKey: .calendarAligned)
    }
}

struct RateLimitJSON: Encodable {
    let rule: RateLimitRule

    enum Field: String, CodingKey {
        case requests, tokens
        case windowSeconds = "window_seconds", maxConcurrent = "max_concurrent"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Field.self)
        try c.encode(rule.requests, forKey: .requests)
        try c.encode(rule.tokens, forKey: .tokens)
        try c.encode(rule.windowSeconds, forKey: .windowSeconds)
        try c.encode(rule.maxConcurrent, forKey: .maxConcurrent)
    }
}

/// The answer to a create or a rotation: the key, and its secret this once.
struct IssuedKeyJSON: Encodable {
    let issued: KeyIssuer.Issued
    let now: Date

    enum Field: String, CodingKey {
        case secretAccessKey = "secret_access_key", bearerToken = "bearer_token"
    }

    func encode(to encoder: any Encoder) throws {
        try KeyJSON(record: issued.record, now: now).encode(to: encoder)
        var c = encoder.container(keyedBy: Field.self)
        try c.encode(issued.credentials.secret, forKey: .secretAccessKey)
        try c.encode(issued.credentials.token, forKey: .bearerToken)
    }
}

struct KeyListJSON: Encodable {
    let keys: [KeyJSON]
}

/// `GET /api/keys/{key}/usage`.
struct KeyUsageJSON: Encodable {
    let record: VirtualKeyRecord
    let usage: KeyUsage
    let now: Date

    enum Field: String, CodingKey {
        case budgets, source, now
        case keyId = "key_id", name, rateLimit = "rate_limit"
    }

    enum BudgetField: String, CodingKey {
        case id, period
        case limitUsd = "limit_usd", spentUsd = "spent_usd", reservedUsd = "reserved_usd", remainingUsd = "remaining_usd"
        case windowStart = "window_start", windowEnd = "window_end"
    }

    enum RateField: String, CodingKey {
        case requests, tokens
        case windowSeconds = "window_seconds", windowStart = "window_start", windowEnd = "window_end", inFlight = "in_flight"
        case maxConcurrent = "max_concurrent"
    }

    enum CountField: String, CodingKey { case limit, used, remaining }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Field.self)
        try c.encode(record.id, forKey: .keyId)
        try c.encode(record.name, forKey: .name)
        try c.encode(AdminTime.text(now), forKey: .now)
        try c.encode(usage.source, forKey: .source)
        var budgets = c.nestedUnkeyedContainer(forKey: .budgets)
        for (rule, used) in zip(record.policy.budgets, usage.budgets) {
            var b = budgets.nestedContainer(keyedBy: BudgetField.self)
            try b.encode(used.id, forKey: .id)
            try b.encode(rule.period, forKey: .period)
            try b.encode(used.limit, forKey: .limitUsd)
            try b.encode(used.spent, forKey: .spentUsd)
            try b.encode(used.reserved, forKey: .reservedUsd)
            try b.encode(used.remaining, forKey: .remainingUsd)
            try b.encode(AdminTime.text(used.window.start), forKey: .windowStart)
            try b.encode(AdminTime.text(used.window.end), forKey: .windowEnd)
        }
        guard let rule = record.policy.rateLimit, let rate = usage.rateLimit else {
            try c.encodeNil(forKey: .rateLimit)
            return
        }
        var r = c.nestedContainer(keyedBy: RateField.self, forKey: .rateLimit)
        try r.encode(rule.windowSeconds, forKey: .windowSeconds)
        try r.encode(AdminTime.text(rate.window.start), forKey: .windowStart)
        try r.encode(AdminTime.text(rate.window.end), forKey: .windowEnd)
        for (field, limit, used) in [(RateField.requests, rule.requests, rate.requests), (.tokens, rule.tokens, rate.tokens)] {
            var count = r.nestedContainer(keyedBy: CountField.self, forKey: field)
            try count.encode(limit, forKey: .limit)
            try count.encode(used, forKey: .used)
            try count.encode(limit.map { max(0, $0 - used) }, forKey: .remaining)
        }
        try r.encode(rule.maxConcurrent, forKey: .maxConcurrent)
        try r.encode(rate.inFlight, forKey: .inFlight)
    }
}

enum AdminTime {
    static func text(_ date: Date) -> String { LogRowJSON.time(date) }
}

enum AdminKeyJSON {
    /// No key strategy: the names above are already the wire's, and metadata keys are the operator's own.
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as KeyRequestError {
            throw error
        } catch {
            throw KeyRequestError("the body is not valid JSON")
        }
    }
}

/// A key's cache policy as the API shows it.
struct CachePolicyJSON: Encodable {
    let enabled: Bool?
    let scope: String
    let allowedControls: [String]
    let cacheToolUse: Bool?

    init(_ policy: CachePolicy) {
        enabled = policy.enabled
        scope = policy.scope ?? "private"
        allowedControls = policy.allowedControls ?? CachePolicy.controls
        cacheToolUse = policy.cacheToolUse
    }

    enum CodingKeys: String, CodingKey {
        case enabled, scope
        case allowedControls = "allowed_controls", cacheToolUse = "cache_tool_use"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(scope, forKey: .scope)
        try c.encode(allowedControls, forKey: .allowedControls)
        try c.encode(cacheToolUse, forKey: .cacheToolUse)
    }
}
