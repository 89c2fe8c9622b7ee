import Engine
import SwitchyardModel

/// How a provider namespace's backend reaches its provider. Every call goes through the engine's pipeline with
/// the provider's account key (`KeyChoice.account`): as an attempt of the S3 request being served (`CallScope`),
/// or, for the gateway's own reads and writes outside a request (batch inputs and results), as a call of its own.
struct ProviderFileCalls: Sendable {
    let engine: Engine
    let provider: String
    /// S3 takes only AWS access keys, never a Bedrock API key.
    let needsAWS: Bool
    /// What must never appear in the namespace's messages.
    let redactor: SecretRedactor
    /// Bedrock: the S3 endpoint template (`{region}` filled in when signing).
    let s3URL: String

    init(engine: Engine, provider: ProviderConfig, needsAWS: Bool = false) {
        self.engine = engine
        self.provider = provider.name
        self.needsAWS = needsAWS
        self.redactor = engine.redactor(for: provider.name)
        self.s3URL = provider.s3URL
    }

    /// `operation` names the call when no request is being served (`GetObject`, `PutObject`, …).
    func run<T: Sendable>(_ operation: String, _ work: (UpstreamTarget) async throws -> T) async throws -> T {
        let choice = KeyChoice.account(needsAWS: needsAWS)
        if let call = CallScope.current {
            return try await engine.perform(provider: provider, model: "", key: choice, call: call) { target, _ in try await work(target) }
        }
        let call = engine.begin(
            CallDescriptor(requestId: S3Response.newRequestId(), door: "s3", operation: operation, route: S3Operation.objectRoute))
        do {
            let answer = try await engine.perform(provider: provider, model: "", key: choice, call: call) { target, _ in try await work(target) }
            call.finish(CallEnd(outcome: .success, status: 200))
            return answer
        } catch {
            let seen = FileBackendErrors.s3(error, provider: provider, bucket: "", key: nil, redactor: redactor) as? S3Error
            call.finish(CallEnd(outcome: .failure, status: seen?.status ?? 500, errorCode: seen?.code), error: error as? GatewayError)
            throw error
        }
    }
}
