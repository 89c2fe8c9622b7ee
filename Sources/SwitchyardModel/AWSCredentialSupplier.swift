/// Where a key's AWS credentials come from when the configuration holds none: the SDKs' default chain or one
/// named source, optionally with a role assumed on top.
public struct AWSCredentialSettings: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        /// boto3's order: environment, profile role / web identity, shared files, credential_process, container, IMDS.
        case chain
        case environment
        /// A profile of the shared files; nil: `AWS_PROFILE`, else `default`.
        case profile(String?)
        case webIdentity
        case container
        case instanceMetadata
        /// The key's own access keys, with `assumeRole` on top (a role is the only reason to hold them here).
        case accessKeys(AWSAccess)
    }

    public struct AssumeRole: Sendable, Hashable {
        public var roleArn: String
        public var externalId: String?
        public var sessionName: String?
        public var durationSeconds: Int?

        public init(roleArn: String, externalId: String? = nil, sessionName: String? = nil, durationSeconds: Int? = nil) {
            self.roleArn = roleArn
            self.externalId = externalId
            self.sessionName = sessionName
            self.durationSeconds = durationSeconds
        }
    }

    public var source: Source
    public var assumeRole: AssumeRole?
    /// Temporary credentials are refreshed when less than this is left of them.
    public var refreshBeforeExpirySeconds: Double

    public init(source: Source = .chain, assumeRole: AssumeRole? = nil, refreshBeforeExpirySeconds: Double = 300) {
        self.source = source
        self.assumeRole = assumeRole
        self.refreshBeforeExpirySeconds = refreshBeforeExpirySeconds
    }
}

/// Hands out the AWS credentials a key signs with right now. `current()` never waits on the network: the
/// supplier refreshes in the background, so a request reads one consistent set and signs with it.
public protocol AWSCredentialSupplier: Sendable {
    /// The credentials to sign with, or an `accessDenied` error naming the source when there are none (yet).
    func current() throws -> AWSAccess
    /// Which source serves this key (e.g. `web-identity (role arn:aws:iam::…)`); never a secret.
    var sourceDescription: String { get }
    /// A short state for `/health`: `ok`, `pending`, `failing: …`, `expired: …`; never a secret.
    var state: String { get }
    /// Every secret key and session token handed out so far, so that redactors hide them too.
    var issuedSecrets: [String] { get }
}
