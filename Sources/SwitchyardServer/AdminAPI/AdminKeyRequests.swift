import Foundation
import Governance
import Stores
import SwitchyardModel

// What a create or an update of `/api/keys` may send, read field by field so every mistake names its field and an
// unknown field is refused rather than ignored. Amounts may be decimal text or JSON numbers, which are read from
// their digits, never through a binary float.

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
    /// `.some(nil)`: `"cache": null`, which returns the key to the configuration's cache settings.
    var cache: CachePolicy??

    static let fields = ["allowed_providers", "allowed_models", "pinned_keys", "budgets", "rate_limit", "expires_at", "metadata", "cache"]

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
        if try object.isNull("cache") {
            cache = .some(nil)
        } else if let policy = try object.object("cache") {
            try policy.refuseUnknown(["enabled", "scope", "allowed_controls", "cache_tool_use"])
            var rule = CachePolicy(enabled: try policy.bool("enabled"), cacheToolUse: try policy.bool("cache_tool_use"))
            if let scope = try policy.string("scope") {
                if let problem = CachePolicy.problem(scope: scope) { throw KeyRequestError("cache.scope: '\(scope)': \(problem)") }
                rule.scope = scope
            }
            if let controls = try policy.strings("allowed_controls") {
                if let unknown = controls.first(where: { !CachePolicy.controls.contains($0) }) {
                    throw KeyRequestError("cache.allowed_controls: unknown control '\(unknown)' (known: \(CachePolicy.controls.joined(separator: ", ")))")
                }
                rule.allowedControls = controls
            }
            cache = rule
        }
    }

    func apply(to record: inout VirtualKeyRecord) {
        if let allowedProviders { record.policy.allowedProviders = allowedProviders }
        if let allowedModels { record.policy.allowedModels = allowedModels }
        if let pinnedKeys { record.policy.pinnedKeys = pinnedKeys }
        if let budgets { record.policy.budgets = budgets }
        if let rateLimit { record.policy.rateLimit = rateLimit }
        if let expiresAt { record.expiresAt = expiresAt }
        if let metadata { record.metadata = metadata }
        if let cache { record.policy.cache = cache }
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
