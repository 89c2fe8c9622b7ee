import AsyncHTTPClient
import Foundation
import SwitchyardModel

/// Turns a key's credential settings into the one source that serves it, as boto3 decides: the first source
/// that is *configured* wins, and if it then fails the key fails (boto3 does not fall through either).
public struct CredentialChain: Sendable {
    let environment: CredentialEnvironment
    let files: SharedConfigFiles
    let http: CredentialHTTP
    /// Where STS calls go when no profile names a region.
    let region: String

    public init(environment: CredentialEnvironment, client: HTTPClient = .shared, region: String) {
        self.environment = environment
        self.files = SharedConfigFiles(environment: environment)
        self.http = CredentialHTTP(client: client)
        self.region = environment.region ?? region
    }

    /// The source for `settings`, with its `assume_role` on top; nil when the chain finds nothing configured.
    /// A profile that does not exist, or one whose settings make no source, is an error naming it.
    public func source(for settings: AWSCredentialSettings) throws -> (any AWSCredentialSource)? {
        let base: (any AWSCredentialSource)?
        switch settings.source {
        case .chain: base = try defaultChain()
        case .environment: base = EnvironmentCredentialSource(environment: environment)
        case .profile(let name): base = try profile(name ?? environment.profileName, required: true)
        case .webIdentity:
            guard let source = try webIdentity(profile: nil) else {
                throw CredentialFailure("web-identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not both set")
            }
            base = source
        case .container:
            guard let source = try ContainerCredentialSource(environment: environment, http: http) else {
                throw CredentialFailure("container: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set")
            }
            base = source
        case .instanceMetadata: base = InstanceMetadataCredentialSource(environment: environment, http: http)
        case .accessKeys(let access): base = StaticCredentialSource(access: access, description: "access keys \(access.accessKeyId)")
        }
        guard let base else { return nil }
        guard let role = settings.assumeRole else { return base }
        return AssumeRoleCredentialSource(role: role, base: base, sts: sts(region: region))
    }

    /// What serves `settings`, for `check-config` and `/health`: decided from the environment and the shared
    /// files alone, with no network call.
    public func describe(_ settings: AWSCredentialSettings) -> String {
        do {
            return try source(for: settings)?.description ?? "none (the default chain found no credentials)"
        } catch {
            return "error: \(error)"
        }
    }

    /// boto3's order: environment; the profile (role_arn, web identity, credentials file, credential_process,
    /// config file keys); web identity from the environment; the ECS container endpoint; IMDS.
    func defaultChain() throws -> (any AWSCredentialSource)? {
        if environment.value("AWS_ACCESS_KEY_ID") != nil {
            // A lone AWS_ACCESS_KEY_ID is botocore's PartialCredentialsError, not a reason to look further.
            return EnvironmentCredentialSource(environment: environment)
        }
        // A profile named by AWS_PROFILE must exist; `default` may be absent.
        if let source = try profile(environment.profileName, required: environment.value("AWS_PROFILE") != nil) { return source }
        if let source = try webIdentity(profile: nil) { return source }
        if let source = try ContainerCredentialSource(environment: environment, http: http) { return source }
        if environment.metadataDisabled { return nil }
        return InstanceMetadataCredentialSource(environment: environment, http: http)
    }

    /// A profile's own source; `visited` stops `source_profile` cycles.
    func profile(_ name: String, required: Bool, visited: Set<String> = []) throws -> (any AWSCredentialSource)? {
        guard files.exists(name) else {
            if required { throw CredentialFailure("profile '\(name)' is not in \(environment.credentialsFile) or \(environment.configFile)") }
            return nil
        }
        let settings = files.settings(name)
        let region = settings["region"] ?? self.region
        if let roleArn = settings["role_arn"] {
            var role = AWSCredentialSettings.AssumeRole(roleArn: roleArn, externalId: settings["external_id"], sessionName: settings["role_session_name"])
            role.durationSeconds = settings["duration_seconds"].flatMap(Int.init)
            if let sourceProfile = settings["source_profile"] {
                // A profile that is its own source uses its keys (botocore's rule), not its role again.
                let base: (any AWSCredentialSource)?
                if sourceProfile == name {
                    guard let keys = staticKeys(settings, name) else {
                        throw CredentialFailure("profile '\(name)' is its own source_profile but has no aws_access_key_id and aws_secret_access_key")
                    }
                    base = keys
                } else {
                    guard !visited.contains(sourceProfile) else {
                        throw CredentialFailure("profile '\(name)': source_profile '\(sourceProfile)' makes a cycle")
                    }
                    base = try profile(sourceProfile, required: true, visited: visited.union([name]))
                }
                guard let base else { throw CredentialFailure("profile '\(sourceProfile)' has no credentials") }
                return AssumeRoleCredentialSource(role: role, base: base, sts: sts(region: region))
            }
            if let credentialSource = settings["credential_source"] {
                let base: any AWSCredentialSource
                switch credentialSource {
                case "Environment": base = EnvironmentCredentialSource(environment: environment)
                case "Ec2InstanceMetadata": base = InstanceMetadataCredentialSource(environment: environment, http: http)
                case "EcsContainer":
                    guard let container = try ContainerCredentialSource(environment: environment, http: http) else {
                        throw CredentialFailure("profile '\(name)': credential_source EcsContainer, but no container credentials URI is set")
                    }
                    base = container
                default:
                    throw CredentialFailure(
                        "profile '\(name)': credential_source '\(credentialSource)' is not Environment, Ec2InstanceMetadata or EcsContainer")
                }
                return AssumeRoleCredentialSource(role: role, base: base, sts: sts(region: region))
            }
            if settings["web_identity_token_file"] != nil { return try webIdentity(profile: name) }
            throw CredentialFailure("profile '\(name)': role_arn needs source_profile, credential_source or web_identity_token_file")
        }
        if settings["web_identity_token_file"] != nil { return try webIdentity(profile: name) }
        if settings["sso_start_url"] != nil || settings["sso_session"] != nil {
            throw CredentialFailure("profile '\(name)': AWS SSO profiles are not supported; use credential_process or a role")
        }
        if let keys = files.credentials[name].flatMap({ staticKeys($0, name, file: "credentials file") }) { return keys }
        if let command = settings["credential_process"] { return ProcessCredentialSource(command: command, profile: name) }
        if let keys = files.config[name].flatMap({ staticKeys($0, name, file: "config file") }) { return keys }
        return nil
    }

    func staticKeys(_ settings: [String: String], _ profile: String, file: String = "shared files") -> StaticCredentialSource? {
        guard let id = settings["aws_access_key_id"], let secret = settings["aws_secret_access_key"] else { return nil }
        return StaticCredentialSource(
            access: AWSAccess(accessKeyId: id, secretAccessKey: secret, sessionToken: settings["aws_session_token"]),
            description: "profile \(profile) (\(file))")
    }

    /// A profile's `web_identity_token_file` + `role_arn`, else `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`.
    func webIdentity(profile: String?) throws -> WebIdentityCredentialSource? {
        let settings = profile.map(files.settings) ?? [:]
        guard let file = settings["web_identity_token_file"] ?? environment.value("AWS_WEB_IDENTITY_TOKEN_FILE") else { return nil }
        guard let role = settings["role_arn"] ?? environment.value("AWS_ROLE_ARN") else {
            throw CredentialFailure("web-identity: a token file is set ('\(file)') but no role ARN (AWS_ROLE_ARN or role_arn)")
        }
        return WebIdentityCredentialSource(
            tokenFile: environment.expandingHome(file), roleArn: role,
            sessionName: settings["role_session_name"] ?? environment.value("AWS_ROLE_SESSION_NAME"), sts: sts(region: settings["region"] ?? region))
    }

    func sts(region: String) -> STSClient {
        STSClient(http: http, endpoint: environment.stsEndpoint(region: region), region: region)
    }
}
