import Foundation
import SwitchyardModel

/// How `switchyard keys` prints the admin API's answers: tables for people, and for a new secret the forms a
/// caller pastes (a boto3 client, an AWS profile, the Bedrock API key variable).
enum KeyPrinting {
    static func issued(_ key: [String: JSONValue], verb: String, endpoint: String) -> String {
        let name = key["name"]?.stringValue ?? "key"
        let accessKeyId = key["access_key_id"]?.stringValue ?? ""
        let secret = key["secret_access_key"]?.stringValue ?? ""
        let token = key["bearer_token"]?.stringValue ?? ""
        let bedrock = endpoint + "/bedrock"
        let profile = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return """
            \(verb) virtual key '\(name)' (id \(key["id"]?.stringValue ?? "?")). The secret is shown only now: store it safely.

              access key id      \(accessKeyId)
              secret access key  \(secret)
              bearer token       \(token)

            boto3:

                import boto3
                client = boto3.client("bedrock-runtime", endpoint_url="\(bedrock)",
                                      aws_access_key_id="\(accessKeyId)",
                                      aws_secret_access_key="\(secret)",
                                      region_name="us-east-1")

            ~/.aws/credentials (then AWS_PROFILE=\(profile), or profile_name="\(profile)" in boto3.Session):

                [\(profile)]
                aws_access_key_id = \(accessKeyId)
                aws_secret_access_key = \(secret)

            ~/.aws/config:

                [profile \(profile)]
                region = us-east-1
                endpoint_url = \(bedrock)

            Bedrock API key (boto3, the AWS CLI and the Anthropic Bedrock SDK read it for bedrock-runtime):

                export AWS_BEARER_TOKEN_BEDROCK=\(token)
                export AWS_ENDPOINT_URL_BEDROCK_RUNTIME=\(bedrock)
            """
    }

    static func table(_ keys: [[String: JSONValue]]) -> String {
        guard !keys.isEmpty else { return "no virtual keys" }
        let header = ["NAME", "ACCESS KEY ID", "STATE", "SOURCE", "MODELS", "BUDGETS", "RATE LIMIT", "EXPIRES", "LAST USED", "ID"]
        let rows = keys.map { key in
            [
                text(key["name"]), text(key["access_key_id"]), text(key["state"]), text(key["source"]), models(key), budgets(key),
                rateLimit(key["rate_limit"]), time(key["expires_at"], none: "never"), time(key["last_used_at"], none: "never"),
                text(key["id"]),
            ]
        }
        return columns([header] + rows)
    }

    static func details(_ key: [String: JSONValue]) -> String {
        let metadata = (key["metadata"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\(text($0.value))" }
        let lines: [(String, String)] = [
            ("name", text(key["name"])), ("id", text(key["id"])), ("access key id", text(key["access_key_id"])),
            ("state", text(key["state"])), ("source", text(key["source"])),
            ("providers", list(key["allowed_providers"], empty: "all")), ("models", list(key["allowed_models"], empty: "all")),
            ("pinned keys", list(key["pinned_keys"], empty: "none")), ("budgets", budgets(key)),
            ("rate limit", rateLimit(key["rate_limit"])), ("expires", time(key["expires_at"], none: "never")),
            ("metadata", metadata.isEmpty ? "-" : metadata.joined(separator: ", ")), ("created", time(key["created_at"], none: "-")),
            ("updated", time(key["updated_at"], none: "-")), ("last used", time(key["last_used_at"], none: "never")),
        ]
        return lines.map { "\($0.0.padding(toLength: 16, withPad: " ", startingAt: 0))\($0.1)" }.joined(separator: "\n")
    }

    static func usage(_ usage: [String: JSONValue]) -> String {
        var out = "usage (\(text(usage["source"])))"
        let budgets = objects(usage["budgets"])
        if budgets.isEmpty { out += "\n  no budgets" }
        for budget in budgets {
            out += "\n  budget \(text(budget["id"])) (\(text(budget["period"]))): $\(text(budget["spent_usd"])) spent"
            out += ", $\(text(budget["reserved_usd"])) reserved, $\(text(budget["remaining_usd"])) of $\(text(budget["limit_usd"])) left"
            out += "  [\(text(budget["window_start"])) – \(text(budget["window_end"]))]"
        }
        if let rate = usage["rate_limit"]?.objectValue {
            for kind in ["requests", "tokens"] {
                guard let count = rate[kind]?.objectValue else { continue }
                let limit = count["limit"].flatMap { $0 == .null ? nil : text($0) } ?? "unlimited"
                out += "\n  \(kind): \(text(count["used"])) of \(limit) this window"
            }
            out += "  [\(text(rate["window_start"])) – \(text(rate["window_end"]))]"
        } else {
            out += "\n  no rate limit"
        }
        return out
    }

    /// A member as a person reads it: a string bare, a whole number without a fraction, nothing as `-`.
    static func text(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: return "-"
        case .string(let text)?: return text
        case .bool(let flag)?: return String(flag)
        case .number(let number)?: return number.rounded() == number && abs(number) < 9.0e15 ? String(Int64(number)) : String(number)
        case let other?: return other.documentText
        }
    }

    static func strings(_ value: JSONValue?) -> [String] {
        value?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    static func objects(_ value: JSONValue?) -> [[String: JSONValue]] {
        value?.arrayValue?.compactMap(\.objectValue) ?? []
    }

    static func list(_ value: JSONValue?, empty: String) -> String {
        let items = strings(value)
        return items.isEmpty ? empty : items.joined(separator: ", ")
    }

    static func models(_ key: [String: JSONValue]) -> String {
        let providers = strings(key["allowed_providers"]), models = strings(key["allowed_models"])
        if providers.isEmpty, models.isEmpty { return "all" }
        return (providers.map { "\($0)/*" } + models).joined(separator: ",")
    }

    static func budgets(_ key: [String: JSONValue]) -> String {
        let budgets = objects(key["budgets"])
        guard !budgets.isEmpty else { return "none" }
        return budgets.map { budget in
            "$\(text(budget["limit_usd"]))/\(text(budget["period"]))\(budget["calendar_aligned"] == .bool(true) ? " (calendar)" : "")"
        }.joined(separator: ", ")
    }

    static func rateLimit(_ value: JSONValue?) -> String {
        guard let limit = value?.objectValue else { return "none" }
        let window = "\(text(limit["window_seconds"]))s"
        var parts: [String] = []
        if let requests = limit["requests"]?.intValue { parts.append("\(requests) req/\(window)") }
        if let tokens = limit["tokens"]?.intValue { parts.append("\(tokens) tok/\(window)") }
        if let concurrent = limit["max_concurrent"]?.intValue { parts.append("\(concurrent) at once") }
        return parts.joined(separator: ", ")
    }

    /// RFC 3339 to the second: the milliseconds the API gives are noise in a table.
    static func time(_ value: JSONValue?, none: String) -> String {
        guard let text = value?.stringValue else { return none }
        guard let dot = text.firstIndex(of: ".") else { return text }
        return String(text[..<dot]) + "Z"
    }

    static func columns(_ rows: [[String]]) -> String {
        var widths = [Int](repeating: 0, count: rows.first?.count ?? 0)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
