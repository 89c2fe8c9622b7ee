import Engine
import Foundation
import Governance
import SwitchyardModel
import Yams

/// Reads the YAML (or JSON) configuration file, or builds the configuration from the standard environment variables.
public struct ConfigLoader: Sendable {
    let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// The built-in provider names and where their APIs live.
    static let wellKnown: [String: (kind: ProviderKind, baseURL: String, keyVariable: String?, urlVariable: String)] = [
        "openai": (.openai, "https://api.openai.com/v1", "OPENAI_API_KEY", "OPENAI_BASE_URL"),
        "anthropic": (.anthropic, "https://api.anthropic.com", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"),
        "mistral": (.openai, "https://api.mistral.ai/v1", "MISTRAL_API_KEY", "MISTRAL_BASE_URL"),
        "ollama": (.openai, "http://127.0.0.1:11434/v1", nil, "OLLAMA_BASE_URL"),
        "gemini": (.gemini, "https://generativelanguage.googleapis.com", "GEMINI_API_KEY", "GEMINI_BASE_URL"),
        "bedrock": (.bedrock, ConfigLoader.bedrockRuntimeURL, "AWS_BEARER_TOKEN_BEDROCK", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME"),
    ]

    /// `{region}` is filled in per key, so one provider can hold keys for several regions.
    public static let bedrockRuntimeURL = "https://bedrock-runtime.{region}.amazonaws.com"

    public func load(path: String) throws -> GatewayConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError("cannot read config file '\(path)': \(error.localizedDescription)")
        }
        return try parse(text)
    }

    /// Providers whose environment variables are set; a provider with none is simply not configured.
    public func fromEnvironment() -> GatewayConfig {
        var providers: [ProviderConfig] = []
        for (name, known) in Self.wellKnown.sorted(by: { $0.key < $1.key }) where known.kind != .bedrock {
            let key = known.keyVariable.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
            let url = environment[known.urlVariable].flatMap { $0.isEmpty ? nil : $0 }
            // Ollama has no key: its base URL is what turns it on.
            guard key != nil || (known.keyVariable == nil && url != nil) else { continue }
            providers.append(
                ProviderConfig(
                    name: name, kind: known.kind, baseURL: url ?? known.baseURL,
                    keys: key.map { [KeyConfig(name: "\(name)-env", value: $0)] } ?? []))
        }
        if let bedrock = bedrockFromEnvironment() { providers.append(bedrock) }
        var config = GatewayConfig(providers: providers)
        config.server.adminToken = environmentAdminToken
        config.server.databaseURL = environmentDatabaseURL
        return config
    }

    /// The file's `store.postgres.url` wins over it.
    var environmentDatabaseURL: String? {
        environment["SWITCHYARD_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The file's `server.admin_token` wins over it.
    var environmentAdminToken: String? {
        environment["SWITCHYARD_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// AWS's own variables: access keys (with a session token when temporary) or a Bedrock API key.
    func bedrockFromEnvironment() -> ProviderConfig? {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var keys: [KeyConfig] = []
        if let id = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") {
            keys.append(
                KeyConfig(
                    name: "bedrock-env", value: "",
                    aws: AWSAccess(accessKeyId: id, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))))
        }
        // The SDKs' other sources, named by their variables, turn the provider on too (never merely the chance of a
        // ~/.aws/credentials file or an instance role: a laptop or any EC2 host would then call Bedrock unasked).
        let chainVariables = [
            "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        ]
        if keys.isEmpty, chainVariables.contains(where: { value($0) != nil }) {
            var key = KeyConfig(name: "bedrock-env", value: "")
            key.awsCredentials = AWSCredentialSettings(source: .chain)
            keys.append(key)
        }
        if let token = value("AWS_BEARER_TOKEN_BEDROCK") {
            keys.append(KeyConfig(name: "bedrock-api-key", value: token))
        }
        guard !keys.isEmpty else { return nil }
        var config = ProviderConfig(
            name: "bedrock", kind: .bedrock, baseURL: value("AWS_ENDPOINT_URL_BEDROCK_RUNTIME") ?? Self.bedrockRuntimeURL, keys: keys,
            region: value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1")
        if let url = value("AWS_ENDPOINT_URL_S3") { config.s3URL = url }
        if let url = value("AWS_ENDPOINT_URL_BEDROCK") { config.controlPlaneURL = url }
        return config
    }

    public func parse(_ text: String) throws -> GatewayConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.syntaxError(error)
        }
        guard let root else {
            var config = GatewayConfig()
            config.server.adminToken = environmentAdminToken
            config.server.databaseURL = environmentDatabaseURL
            return config
        }
        let top = try Mapping(root, path: "config")
        try top.allowOnly(["server", "providers", "aliases", "tracing", "logging", "pricing", "metrics", "governance", "cache", "store"])
        var config = GatewayConfig()
        if let server = try top.mapping("server") {
            try server.allowOnly([
                "host", "port", "max_body_bytes", "shutdown_grace_seconds", "data_dir", "batch_concurrency", "allowed_origins",
                "allowed_hosts", "header_timeout_seconds", "idle_timeout_seconds", "body_timeout_seconds",
                "body_min_bytes_per_second", "max_connections", "multipart_expiry_hours", "admin_api", "admin_token",
            ])
            try EdgeSettingsReader(server).read(into: &config.server)
            config.server.dataDir = try server.string("data_dir") ?? config.server.dataDir
            config.server.batchConcurrency = try server.int("batch_concurrency", in: 1...256) ?? config.server.batchConcurrency
            config.server.host = try server.string("host") ?? config.server.host
            config.server.port = try server.int("port", in: 1...65535) ?? config.server.port
            config.server.maxBodyBytes = try server.int("max_body_bytes", in: 1...Int(Int32.max)) ?? config.server.maxBodyBytes
            config.server.shutdownGraceSeconds = try server.double("shutdown_grace_seconds", min: 0) ?? config.server.shutdownGraceSeconds
            config.server.multipartExpiryHours = try server.double("multipart_expiry_hours", min: 0.01) ?? config.server.multipartExpiryHours
            if server.node("admin_api") != nil {
                throw ConfigError(
                    "server.admin_api is gone: the admin API (/api/...) is on when an admin token is set (server.admin_token: env.NAME, or SWITCHYARD_ADMIN_TOKEN)",
                    line: server.line("admin_api"))
            }
            if let token = try server.string("admin_token") {
                config.server.adminToken = try resolve(token, path: "server.admin_token", line: server.line("admin_token"))
            }
        }
        config.server.adminToken = config.server.adminToken ?? environmentAdminToken
        if let token = config.server.adminToken, token.count < AdminToken.minimumLength {
            throw ConfigError(
                "the admin token (server.admin_token or SWITCHYARD_ADMIN_TOKEN) must have at least \(AdminToken.minimumLength) characters",
                line: try top.mapping("server")?.line("admin_token"))
        }
        if let tracing = try top.mapping("tracing") {
            try tracing.allowOnly(["endpoint", "service_name"])
            if let endpoint = try tracing.string("endpoint") {
                guard let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                    throw ConfigError("tracing.endpoint: '\(endpoint)' is not an http(s) URL", line: tracing.line("endpoint"))
                }
                config.tracing.endpoint = endpoint
            }
            config.tracing.serviceName = try tracing.string("service_name") ?? config.tracing.serviceName
        }
        if let logging = try top.mapping("logging") { config.logging = try ObservabilitySettingsReader.logging(logging) }
        if let pricing = try top.mapping("pricing") { config.pricing = try ObservabilitySettingsReader.pricing(pricing) }
        if let metrics = try top.mapping("metrics") {
            try metrics.allowOnly(["enabled"])
            if let node = metrics.node("enabled") {
                guard let enabled = node.bool else { throw ConfigError("metrics.enabled: expected true or false", line: node.mark?.line) }
                config.metrics.enabled = enabled
            }
        }
        if let providers = try top.mapping("providers") {
            for (name, node) in providers.entries {
                config.providers.append(try provider(name: name, node: node, line: providers.keyLines[name]))
            }
        }
        if let aliases = try top.mapping("aliases") {
            for (alias, node) in aliases.entries {
                guard let target = node.scalar?.string, !target.isEmpty else {
                    throw ConfigError("aliases.\(alias): expected 'provider/model' or a Bedrock model id", line: node.mark?.line)
                }
                if !BedrockModelID.isBedrockShaped(target) {
                    let provider = String(target.prefix(while: { $0 != "/" }))
                    guard target.contains("/"), config.providers.contains(where: { $0.name == provider }) else {
                        throw ConfigError(
                            "aliases.\(alias): '\(target)' names no configured provider (expected 'provider/model' or a Bedrock model id)",
                            line: node.mark?.line)
                    }
                }
                config.aliases[alias] = target
            }
        }
        if let governance = try top.mapping("governance") {
            config.governance = try GovernanceSettingsReader(resolve: { try resolve($0, path: $1, line: $2) }, providers: config.providers)
                .read(governance)
        }
        if let cache = try top.mapping("cache") { config.cache = try CacheSettingsReader.read(cache) }
        config.server.databaseURL = environmentDatabaseURL
        if let store = try top.mapping("store") {
            try store.allowOnly(["postgres", "shared_dir"])
            config.server.sharedDir = try store.string("shared_dir")
            if let postgres = try store.mapping("postgres") {
                try postgres.allowOnly(["url", "max_connections", "batch_lease_seconds"])
                guard let url = try postgres.string("url") else { throw ConfigError("store.postgres.url is required") }
                config.server.databaseURL = try resolve(url, path: "store.postgres.url", line: nil)
                config.server.databaseMaxConnections = try postgres.int("max_connections", in: 1...500) ?? config.server.databaseMaxConnections
                if let lease = try postgres.int("batch_lease_seconds", in: 3...3600) { config.server.batchLeaseSeconds = Double(lease) }
            }
        }
        return config
    }

    private func provider(name: String, node: Node, line: Int?) throws -> ProviderConfig {
        let path = "providers.\(name)"
        guard name.range(of: #"^[A-Za-z0-9_.-]+$"#, options: .regularExpression) != nil else {
            throw ConfigError("\(path): a provider name may hold letters, digits, '_', '.' and '-' only", line: line)
        }
        let map = try Mapping(node, path: path)
        try map.allowOnly([
            "type", "base_url", "keys", "timeout_seconds", "stream_idle_timeout_seconds", "max_retries", "retry_backoff_ms",
            "region", "models", "s3_url", "control_plane_url", "max_connections", "max_stream_event_bytes",
        ])
        let known = Self.wellKnown[name]
        let kind: ProviderKind
        if let type = try map.string("type") {
            guard let parsed = ProviderKind(rawValue: type) else {
                let kinds = ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")
                throw ConfigError("\(path).type: unknown provider type '\(type)' (known: \(kinds))", line: map.line("type"))
            }
            kind = parsed
        } else if let known {
            kind = known.kind
        } else {
            throw ConfigError(
                "\(path): 'type' is required for a provider the gateway does not know (\(ProviderKind.allCases.map(\.rawValue).joined(separator: ", ")))", line: line)
        }
        let baseURL = try map.string("base_url").map { try resolve($0, path: "\(path).base_url", line: map.line("base_url")) }
            ?? known?.baseURL ?? (kind == .bedrock ? Self.bedrockRuntimeURL : nil)
        guard let baseURL else {
            throw ConfigError("\(path): base_url is required for a provider the gateway does not know", line: line)
        }
        guard let url = URL(string: baseURL.replacingOccurrences(of: "{region}", with: "region")), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw ConfigError("\(path).base_url: '\(baseURL)' is not an http(s) URL", line: map.line("base_url") ?? node.mark?.line)
        }
        var config = ProviderConfig(name: name, kind: kind, baseURL: baseURL)
        config.timeoutSeconds = try map.double("timeout_seconds", min: 0.001) ?? config.timeoutSeconds
        config.streamIdleTimeoutSeconds = try map.double("stream_idle_timeout_seconds", min: 0.001) ?? config.streamIdleTimeoutSeconds
        config.maxRetries = try map.int("max_retries", in: 0...10) ?? config.maxRetries
        config.retryBackoffMs = try map.int("retry_backoff_ms", in: 0...60_000) ?? config.retryBackoffMs
        config.region = try map.string("region") ?? config.region
        config.maxConnections = try map.int("max_connections", in: 1...65_536) ?? config.maxConnections
        config.maxStreamEventBytes = try map.int("max_stream_event_bytes", in: 1024...(1 << 30)) ?? config.maxStreamEventBytes
        config.models = try map.strings("models") ?? []
        if let url = try map.string("s3_url") { config.s3URL = try resolve(url, path: "\(path).s3_url", line: map.line("s3_url")) }
        if let url = try map.string("control_plane_url") {
            config.controlPlaneURL = try resolve(url, path: "\(path).control_plane_url", line: map.line("control_plane_url"))
        }
        if let keys = map.node("keys") {
            guard let items = keys.sequence else {
                throw ConfigError("\(path).keys: expected a list", line: keys.mark?.line)
            }
            for (i, item) in items.enumerated() {
                config.keys.append(try key(item, path: "\(path).keys[\(i)]", provider: name, kind: kind, position: i))
            }
            if items.isEmpty, kind == .bedrock { config.keys.append(Self.chainKey(provider: name)) }
            let names = config.keys.map(\.name)
            if let duplicate = names.first(where: { n in names.filter { $0 == n }.count > 1 }) {
                throw ConfigError("\(path).keys: the key name '\(duplicate)' is used twice", line: keys.mark?.line)
            }
        } else if kind == .bedrock {
            config.keys.append(Self.chainKey(provider: name))
        }
        return config
    }

    /// A Bedrock provider configured without keys signs with whatever the default AWS chain finds.
    static func chainKey(provider: String) -> KeyConfig {
        var key = KeyConfig(name: "\(provider)-chain", value: "")
        key.awsCredentials = AWSCredentialSettings(source: .chain)
        return key
    }

    private func key(_ node: Node, path: String, provider: String, kind: ProviderKind, position: Int) throws -> KeyConfig {
        if let scalar = node.scalar {
            return KeyConfig(name: "\(provider)-\(position)", value: try resolve(scalar.string, path: path, line: node.mark?.line))
        }
        let map = try Mapping(node, path: path)
        var allowed: Set<String> = ["name", "value", "weight", "models", "access_key_id", "secret_access_key", "session_token", "region"]
        if kind == .bedrock { allowed.formUnion(["credentials", "assume_role", "refresh_before_expiry_seconds"]) }
        try map.allowOnly(allowed)
        func secret(_ field: String) throws -> String? {
            try map.string(field).map { try resolve($0, path: "\(path).\(field)", line: map.line(field)) }
        }
        let value = try secret("value")
        var aws: AWSAccess?
        if let id = try secret("access_key_id") {
            guard let secretKey = try secret("secret_access_key") else {
                throw ConfigError("\(path): access_key_id needs secret_access_key", line: node.mark?.line)
            }
            aws = AWSAccess(accessKeyId: id, secretAccessKey: secretKey, sessionToken: try secret("session_token"))
        }
        let credentials = kind == .bedrock ? try AWSCredentialSettingsReader(map: map, path: path).read(accessKeys: aws, value: value) : nil
        guard value != nil || aws != nil || credentials != nil else {
            throw ConfigError("\(path): a key needs 'value' (or access_key_id and secret_access_key)", line: node.mark?.line)
        }
        // Access keys with a role to assume are only the source of that role: the supplier signs, not the keys.
        var key = KeyConfig(
            name: try map.string("name") ?? "\(provider)-\(position)", value: value ?? "", aws: credentials == nil ? aws : nil)
        key.awsCredentials = credentials
        key.weight = try map.double("weight", min: 0) ?? 1
        key.region = try map.string("region")
        key.models = try map.strings("models") ?? []
        return key
    }

    /// `env.NAME` reads a secret from the environment, so the file itself holds none.
    func resolve(_ value: String, path: String, line: Int?) throws -> String {
        guard value.hasPrefix("env.") else { return value }
        let variable = String(value.dropFirst(4))
        guard let resolved = environment[variable], !resolved.isEmpty else {
            throw ConfigError("\(path): environment variable \(variable) is not set", line: line)
        }
        return resolved
    }

    static func syntaxError(_ error: YamlError) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ConfigError("YAML syntax error: \(problem)", line: mark.line)
        default:
            return ConfigError("YAML error: \(error)")
        }
    }
}
