import Engine
import SwitchyardModel

/// The upstream one provider's file backend talks to, and what must never appear in its messages. A provider's
/// files live in one account, so every call uses one key: the first configured key with a positive weight (for
/// S3, the first with AWS access keys). A weighted pick per call, as chat requests get, would scatter files over
/// accounts and send reads and deletes to accounts that never saw the file.
struct FileBackendTarget: Sendable {
    var target: UpstreamTarget
    var redactor: SecretRedactor
    /// Bedrock: the S3 endpoint template (`{region}` filled in when signing).
    var s3URL: String

    /// nil when the provider has no usable key (for S3: none with AWS access keys).
    init?(provider: ProviderConfig, needsAWS: Bool = false) {
        let candidates = provider.keys.filter { !needsAWS || $0.aws != nil }
        let key = candidates.first { $0.weight > 0 } ?? candidates.first
        if needsAWS && key == nil { return nil }
        var target = UpstreamTarget(
            provider: provider.name, model: "", baseURL: provider.baseURL, apiKey: key?.value, timeoutSeconds: provider.timeoutSeconds,
            streamIdleTimeoutSeconds: provider.streamIdleTimeoutSeconds)
        target.aws = key?.aws
        target.region = key?.region ?? provider.region
        self.target = target
        self.redactor = SecretRedactor(secrets: provider.keys.flatMap(\.secrets))
        self.s3URL = provider.s3URL
    }
}
