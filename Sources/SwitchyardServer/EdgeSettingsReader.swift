import Engine

/// Reads the `server:` settings that guard the edge: who may call (origins, hosts) and how long a client may take.
struct EdgeSettingsReader {
    let server: Mapping

    init(_ server: Mapping) {
        self.server = server
    }

    func read(into settings: inout ServerSettings) throws {
        if let origins = try server.strings("allowed_origins") {
            settings.allowedOrigins = try origins.map { try origin($0) }
        }
        if let hosts = try server.strings("allowed_hosts") {
            settings.allowedHosts = try hosts.map { try host($0) }
        }
        settings.headerTimeoutSeconds = try server.double("header_timeout_seconds", min: 0.01) ?? settings.headerTimeoutSeconds
        settings.idleTimeoutSeconds = try server.double("idle_timeout_seconds", min: 0.01) ?? settings.idleTimeoutSeconds
        settings.bodyTimeoutSeconds = try server.double("body_timeout_seconds", min: 0.01) ?? settings.bodyTimeoutSeconds
        settings.bodyMinBytesPerSecond =
            try server.int("body_min_bytes_per_second", in: 0...Int(Int32.max)) ?? settings.bodyMinBytesPerSecond
        settings.maxConnections = try server.int("max_connections", in: 1...Int(Int32.max)) ?? settings.maxConnections
    }

    /// An origin is compared as the browser writes it, so anything but `scheme://host[:port]` could never match.
    private func origin(_ value: String) throws -> String {
        let lowered = value.lowercased()
        let scheme = ["http://", "https://"].first { lowered.hasPrefix($0) }
        guard let scheme, let authority = HostAuthority(String(lowered.dropFirst(scheme.count))) else {
            throw ConfigError(
                "server.allowed_origins: '\(value)' is not an origin (expected scheme://host[:port], e.g. https://console.example.com)",
                line: server.line("allowed_origins"))
        }
        return scheme + authority.description
    }

    private func host(_ value: String) throws -> String {
        guard let parsed = HostAuthority(value) else {
            throw ConfigError(
                "server.allowed_hosts: '\(value)' is not a host name (expected name or name:port, e.g. gateway.internal:8080)",
                line: server.line("allowed_hosts"))
        }
        return parsed.description
    }
}
