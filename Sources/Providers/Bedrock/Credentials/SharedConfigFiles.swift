import Foundation

/// `~/.aws/credentials` and `~/.aws/config` as the SDKs read them: INI sections (`[name]` in the credentials file,
/// `[profile name]` or `[default]` in the config file), `key = value` lines, `#`/`;` comments, and indented lines
/// under a key (nested settings such as `s3 =`) skipped.
struct SharedConfigFiles: Sendable {
    /// Profile name → settings, from each file.
    let credentials: [String: [String: String]]
    let config: [String: [String: String]]

    init(environment: CredentialEnvironment) {
        credentials = Self.parse(Self.read(environment.credentialsFile), configFile: false)
        config = Self.parse(Self.read(environment.configFile), configFile: true)
    }

    init(credentialsText: String, configText: String) {
        credentials = Self.parse(credentialsText, configFile: false)
        config = Self.parse(configText, configFile: true)
    }

    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    func exists(_ profile: String) -> Bool { credentials[profile] != nil || config[profile] != nil }

    /// The profile's settings from both files; the credentials file wins, as in botocore.
    func settings(_ profile: String) -> [String: String] {
        (config[profile] ?? [:]).merging(credentials[profile] ?? [:]) { _, fromCredentials in fromCredentials }
    }

    static func parse(_ text: String, configFile: Bool) -> [String: [String: String]] {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if !configFile {
                    current = name
                } else if name == "default" {
                    current = "default"
                } else if name.hasPrefix("profile ") || name.hasPrefix("profile\t") {
                    current = name.dropFirst("profile".count).trimmingCharacters(in: .whitespaces)
                } else {
                    current = nil  // [sso-session …], [services …]: not profiles
                }
                if let current, profiles[current] == nil { profiles[current] = [:] }
                continue
            }
            guard let profile = current, raw.first?.isWhitespace != true, let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            // An inline comment needs whitespace before it, so a `#` inside a value survives.
            if let comment = value.range(of: #"\s[#;]"#, options: .regularExpression) {
                value = value[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
            }
            profiles[profile]?[key] = value
        }
        return profiles
    }
}
