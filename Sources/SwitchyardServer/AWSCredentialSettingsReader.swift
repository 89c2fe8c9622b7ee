import SwitchyardModel

/// A Bedrock key's `credentials:`, `assume_role:` and `refresh_before_expiry_seconds:`. A key without access keys
/// or an API key takes its credentials from the default chain.
struct AWSCredentialSettingsReader {
    let map: Mapping
    let path: String

    static let sources = "chain, env, profile, profile:<name>, web_identity, container, imds"

    /// Nil when the key signs with its own long-term access keys or sends an API key, and assumes no role.
    func read(accessKeys: AWSAccess?, value: String?) throws -> AWSCredentialSettings? {
        let named = try map.string("credentials")
        let role = try assumeRole()
        let window = try map.double("refresh_before_expiry_seconds", min: 0)
        if let named, accessKeys != nil || value != nil {
            throw ConfigError(
                "\(path).credentials: '\(named)' is a source of credentials; this key already has \(value != nil ? "an API key (value)" : "access keys")",
                line: map.line("credentials"))
        }
        if role != nil, value != nil {
            throw ConfigError("\(path).assume_role: a Bedrock API key (value) cannot assume a role", line: map.line("assume_role"))
        }
        var settings = AWSCredentialSettings()
        settings.assumeRole = role
        if let window { settings.refreshBeforeExpirySeconds = window }
        if let accessKeys {
            guard role != nil else { return nil }
            settings.source = .accessKeys(accessKeys)
            return settings
        }
        if value != nil { return nil }
        settings.source = try named.map(source) ?? .chain
        return settings
    }

    func source(_ text: String) throws -> AWSCredentialSettings.Source {
        switch text {
        case "chain", "default": return .chain
        case "env", "environment": return .environment
        case "profile": return .profile(nil)
        case "web_identity", "web-identity": return .webIdentity
        case "container", "ecs": return .container
        case "imds", "instance_metadata", "ec2": return .instanceMetadata
        default:
            if text.hasPrefix("profile:"), text.count > "profile:".count { return .profile(String(text.dropFirst("profile:".count))) }
            throw ConfigError("\(path).credentials: unknown source '\(text)' (known: \(Self.sources))", line: map.line("credentials"))
        }
    }

    func assumeRole() throws -> AWSCredentialSettings.AssumeRole? {
        guard let role = try map.mapping("assume_role") else { return nil }
        try role.allowOnly(["role_arn", "external_id", "session_name", "duration_seconds"])
        guard let arn = try role.string("role_arn"), arn.hasPrefix("arn:"), arn.contains(":role/") else {
            throw ConfigError("\(path).assume_role.role_arn: expected an IAM role ARN (arn:aws:iam::<account>:role/<name>)", line: role.line)
        }
        let session = try role.string("session_name")
        if let session, session.range(of: #"^[\w+=,.@-]{2,64}$"#, options: .regularExpression) == nil {
            throw ConfigError(
                "\(path).assume_role.session_name: 2 to 64 letters, digits and +=,.@- (STS's rule)", line: role.line("session_name"))
        }
        return AWSCredentialSettings.AssumeRole(
            roleArn: arn, externalId: try role.string("external_id"), sessionName: session,
            durationSeconds: try role.int("duration_seconds", in: 900...43_200))
    }
}
