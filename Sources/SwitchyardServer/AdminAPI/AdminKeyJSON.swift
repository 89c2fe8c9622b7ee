import Foundation
import Governance
import Stores
import SwitchyardModel

// The JSON of `/api/keys`: what a create or an update may send, read field by field so every mistake names its
// field and an unknown field is refused rather than ignored; and what the routes answer, in snake_case with every
// field present (absent as `null`). Amounts are decimal text; a request may also send them as JSON numbers, which
// are read from their digits, never through a binary float.

/// A request body the API cannot use; answered as 400 with this message.
struct KeyRequestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The rules a create or an update may set. Nil: not given (an update leaves the rule as it is).
struct KeyRulesInput {
    var allowedProviders: [String]?
    var allowedModels: [String]?
    var pinnedKeys: [String]?
    var budgets: [BudgetRule]?
    /// `.some(nil)`: `"rate_limit": null`, which removes it.
    var rateLimit: RateLimitRule??
    var expiresAt: Date??
    var metadata: [String: String]?

    static let fields = ["allowed_providers", "allowed_models", "pinned_keys", "budgets", "rate_limit", "expires_at", "metadata"]

    init(_ object: JSONFields) throws {
        allowedProviders = try object.strings("allowed_providers")
        allowedModels = try object.strings("allowed_models")
        pinnedKeys = try object.strings("pinned_keys")
        if let items = try object.objects("budgets") {
            budgets = try items.map { item in
                try item.refuseUnknown(["id", "limit_usd", "period", "calendar_aligned"])
                guard let limit = try item.usd("limit_usd") else { throw KeyRequestError("\(item.path).limit_usd is required") }
                guard let period = try item.string("period") else { throw KeyRequestError("\(item.path).period is required") }
                do { _ = try BudgetPeriod(parsing: period) } catch { throw KeyRequestError("\(item.path).period: \(error)") }
                // The period is the default id: editing the other budgets then keeps this one's spend.
                return BudgetRule(
                    id: try item.string("id") ?? period, limitNanos: limit.nanos, period: period,
                    calendarAligned: try item.bool("calendar_aligned") ?? false)
            }
        }
        if try object.isNull("rate_limit") {
            rateLimit = .some(nil)
        } else if let limit = try object.object("rate_limit") {
            try limit.refuseUnknown(["requests", "tokens", "window_seconds", "max_concurrent"])
            rateLimit = RateLimitRule(
                requests: try limit.int("requests"), tokens: try limit.int("tokens"), windowSeconds: try limit.int("window_seconds") ?? 60,
                maxConcurrent: try limit.int("max_concurrent"))
        }
        if try object.isNull("expires_at") {
            expiresAt = .some(nil)
        } else if let text = try object.string("expires_at") {
            guard let date = GovernanceSettingsReader.rfc3339(text) else {
                throw KeyRequestError("expires_at: expected an RFC 3339 time such as 2026-01-31T00:00:00Z, got '\(text)'")
            }
            expiresAt = date
        }
        metadata = try object.stringMap("metadata")
    }

    func apply(to record: inout VirtualKeyRecord) {
        if let allowedProviders { record.policy.allowedProviders = allowedProviders }
        if let allowedModels { record.policy.allowedModels = allowedModels }
        if let pinnedKeys { record.policy.pinnedKeys = pinnedKeys }
        if let budgets { record.policy.budgets = budgets }
        if let rateLimit { record.policy.rateLimit = rateLimit }
        if let expiresAt { record.expiresAt = expiresAt }
        if let metadata { record.metadata = metadata }
    }
}

/// `POST /api/keys`.
struct CreateKeyRequest: Decodable {
    let name: String
    let rules: KeyRulesInput

    init(from decoder: any Decoder) throws {
        let object = try JSONFields(decoder)
        try object.refuseUnknown(["name"] + KeyRulesInput.fields)
        guard let name = try object.string("name") else { throw KeyRequestError("name is required") }
        self.name = name
        rules = try KeyRulesInput(object)
    }
}

/// `PATCH /api/keys/{key}`: only what is sent changes.
struct UpdateKeyRequest: Decodable {
    let name: String?
    let active: Bool?
    let rules: KeyRulesInput

    init(from decoder: any Decoder) throws {
        let object = try JSONFields(decoder)
        try object.refuseUnknown(["name", "active"] + KeyRulesInput.fields)
        name = try object.string("name")
        active = try object.bool("active")
        rules = try KeyRulesInput(object)
    }
}

/// One JSON object, read inside `init(from:)`; type mismatches become messages that name the field.
struct JSONFields {
    struct Key: CodingKey {
        let stringValue: String
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    let container: KeyedDecodingContainer<Key>
    /// Where this object is, for messages: empty at the top, `budgets[0]` inside.
    let path: String

    init(_ decoder: any Decoder) throws {
        do { container = try decoder.container(keyedBy: Key.self) } catch { throw KeyRequestError("the body must be a JSON object") }
        path = ""
    }

    init(_ container: KeyedDecodingContainer<Key>, path: String) {
        self.container = container
        self.path = path
    }

    func name(_ field: String) -> String { path.isEmpty ? field : "\(path).\(field)" }

    func refuseUnknown(_ known: [String]) throws {
        for key in container.allKeys where !known.contains(key.stringValue) {
            throw KeyRequestError("\(name(key.stringValue)): unknown field (known: \(known.sorted().joined(separator: ", ")))")
        }
    }

    func isNull(_ field: String) throws -> Bool {
        guard container.contains(Key(field)) else { return false }
        return try container.decodeNil(forKey: Key(field))
    }

    private func read<T: Decodable>(_ type: T.Type, _ field: String, expected: String) throws -> T? {
        do {
            return try container.decodeIfPresent(type, forKey: Key(field))
        } catch {
            // A type mismatch, or a number the type cannot hold (1.5 as a whole number).
            throw KeyRequestError("\(name(field)): expected \(expected)")
        }
    }

    func string(_ field: String) throws -> String? { try read(String.self, field, expected: "a string") }
    func bool(_ field: String) throws -> Bool? { try read(Bool.self, field, expected: "true or false") }
    func int(_ field: String) throws -> Int? { try read(Int.self, field, expected: "a whole number") }
    func strings(_ field: String) throws -> [String]? { try read([String].self, field, expected: "a list of strings") }

    func stringMap(_ field: String) throws -> [String: String]? {
        try read([String: String].self, field, expected: "an object of string values")
    }

    /// Decimal text (`"12.50"`) or a JSON number, exact to the nano-dollar.
    func usd(_ field: String) throws -> USDAmount? {
        let expected = "a USD amount such as \"12.50\" (at most 9 decimals, not negative)"
        let text: String?
        if let string = try? container.decodeIfPresent(String.self, forKey: Key(field)) {
            text = string
        } else {
            text = try read(Decimal.self, field, expected: expected).map { "\($0)" }
        }
        guard let text else { return nil }
        guard let amount = USDAmount(text), amount >= .zero else { throw KeyRequestError("\(name(field)): expected \(expected)") }
        return amount
    }

    func object(_ field: String) throws -> JSONFields? {
        guard container.contains(Key(field)) else { return nil }
        do {
            return JSONFields(try container.nestedContainer(keyedBy: Key.self, forKey: Key(field)), path: name(field))
        } catch is DecodingError {
            throw KeyRequestError("\(name(field)): expected an object")
        }
    }

    func objects(_ field: String) throws -> [JSONFields]? {
        guard container.contains(Key(field)) else { return nil }
        do {
            var list = try container.nestedUnkeyedContainer(forKey: Key(field))
            var objects: [JSONFields] = []
            while !list.isAtEnd {
                objects.append(JSONFields(try list.nestedContainer(keyedBy: Key.self), path: "\(name(field))[\(objects.count)]"))
            }
            return objects
        } catch is DecodingError {
            throw KeyRequestError("\(name(field)): expected a list of objects")
        }
    }
}

// MARK: - Answers

/// A key as every route shows it: never its secret.
struct KeyJSON: Encodable {
    let record: VirtualKeyRecord
    let now: Date

    enum Field: String, CodingKey {
        case id, name, active, state, source, metadata, budgets
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
