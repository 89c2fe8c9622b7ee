import SwitchyardModel

/// How the key of a call the engine makes for a door or the batch runner is chosen.
public enum KeyChoice: Sendable, Hashable {
    /// Weighted among the keys that may serve the model, as chat calls choose, or the key named `pinned`: a
    /// provider's batch is visible only to keys of the account that submitted it.
    case balanced(pinned: String?)
    /// The provider's account key: the first with a positive weight (with `needsAWS`, among those with AWS access
    /// keys). A provider's files live in one account, so every call uses one key; a weighted pick per call would
    /// scatter files over accounts and send reads and deletes to accounts that never saw the file.
    case account(needsAWS: Bool)
}

extension Engine {
    /// The one place an upstream target (base URL, key, region, timeouts) is built.
    static func target(_ config: ProviderConfig, model: String, key: KeyConfig?) -> UpstreamTarget {
        var target = UpstreamTarget(
            provider: config.name, model: model, baseURL: config.baseURL, apiKey: key?.value, timeoutSeconds: config.timeoutSeconds,
            streamIdleTimeoutSeconds: config.streamIdleTimeoutSeconds)
        if let aws = key?.aws {
            target.aws = aws
        } else if let supplier = key?.awsSupplier {
            // One read per call: every signature of this call uses the same set, whatever a refresh does meanwhile.
            do {
                target.aws = try supplier.current()
            } catch {
                target.awsUnavailable = error as? GatewayError ?? GatewayError(.accessDenied, "\(error)")
            }
        }
        target.region = key?.region ?? config.region
        return target
    }

    /// The target of a call made with the caller's own key; `region` is the caller's for Bedrock.
    static func target(_ config: ProviderConfig, model: String, direct: DirectKeys.Credential, region: String?) -> UpstreamTarget {
        var target = target(config, model: model, key: nil)
        switch direct {
        case .apiKey(let key): target.apiKey = key
        case .aws(let access): target.aws = access
        }
        if config.kind == .bedrock, let region { target.region = region }
        return target
    }

    /// The target and key name of a call outside the chat paths: the caller's direct key for the provider, else
    /// the key `choice` picks. S3 takes only AWS access keys: a Bedrock API key is refused there rather than the
    /// gateway's own keys used in its place.
    static func upstream(
        _ config: ProviderConfig, model: String, choice: KeyChoice, direct keys: DirectKeys?
    ) throws -> (target: UpstreamTarget, keyName: String?) {
        if let credential = keys?.credential(for: config, isRequested: true) {
            if case .account(needsAWS: true) = choice, case .apiKey = credential {
                throw GatewayError(
                    .accessDenied,
                    "Amazon S3 takes AWS access keys, not a Bedrock API key: send x-bf-bedrock-access-key and x-bf-bedrock-secret-key")
            }
            return (target(config, model: model, direct: credential, region: keys?.bedrockRegion), DirectKeys.keyName)
        }
        let key = try key(config, model: model, choice: choice)
        return (target(config, model: model, key: key), key?.name)
    }

    static func key(_ config: ProviderConfig, model: String, choice: KeyChoice) throws -> KeyConfig? {
        switch choice {
        case .balanced(let pinned):
            return try KeySelector.pick(from: config.keys, model: model, pinned: pinned, avoiding: [])
        case .account(let needsAWS):
            let candidates = config.keys.filter { !needsAWS || $0.signsWithAWS }
            guard let key = candidates.first(where: { $0.weight > 0 }) ?? candidates.first else {
                if needsAWS { throw GatewayError(.accessDenied, "provider '\(config.name)' has no key with AWS access keys") }
                return nil
            }
            return key
        }
    }

    public func config(_ provider: String) -> ProviderConfig? { providers[provider]?.config }
    public var providerConfigs: [ProviderConfig] { providers.values.map(\.config).sorted { $0.name < $1.name } }

    /// The provider's file store, object store, batch API and control plane, as the one rule allows.
    public func services(_ provider: String) -> ProviderServices { providers[provider]?.services ?? .none }

    /// What must never appear in messages about `provider`'s calls.
    public func redactor(for provider: String) -> SecretRedactor {
        let keys = providers[provider]?.config.keys ?? []
        return SecretRedactor(secrets: keys.flatMap(\.secrets), live: keys.compactMap(\.awsSupplier))
    }

    /// One upstream call that no chat adapter makes (a provider file API call, a native batch submission, poll or
    /// result fetch), made as an attempt of `call`: the plugins see the call before its first upstream attempt
    /// (and may refuse it), the attempt and its key are recorded, errors come back redacted. Not retried: an
    /// upload's body streams once, and the batch runner polls again by itself.
    public func perform<T: Sendable>(
        provider: String, model: String, key choice: KeyChoice, call: CallContext,
        _ work: (UpstreamTarget, _ keyName: String?) async throws -> T
    ) async throws -> T {
        guard let config = providers[provider]?.config else {
            throw GatewayError(.notFound, "provider '\(provider)' is not configured")
        }
        return try await redacting(call) {
            if call.record.attemptLog.isEmpty {
                try await runPlugins(PlannedCall(context: call, provider: provider, model: model, request: nil, metering: .none))
            }
            var upstream = try Self.upstream(config, model: model, choice: choice, direct: call.descriptor.directKeys)
            upstream.target.traceParent = call.attemptStarts(provider: provider, model: model, keyName: upstream.keyName, fallbackPosition: 0)
            do {
                let answer = try await work(upstream.target, upstream.keyName)
                call.attemptAnswered()
                call.observeFirstByte()
                return answer
            } catch {
                // The attempt goes to plugins (request log, traces): never an upstream's echo of a key.
                call.attemptAnswered(error: (error as? GatewayError).map(redactor(for: call.descriptor).redact))
                throw error
            }
        }
    }

    /// A call the provider made on the gateway's behalf and reported afterwards (one record of a native batch,
    /// read with the batch's results): the plugins see it end, with its usage, as a call of its own.
    public func report(
        _ descriptor: CallDescriptor, provider: String, model: String, keyName: String?, usage: Usage?, stopReason: String?,
        error: GatewayError?
    ) {
        let call = begin(descriptor)
        call.attemptStarts(provider: provider, model: model, keyName: keyName, fallbackPosition: 0)
        call.attemptAnswered(error: error.map { redactor.redact($0) })
        if let usage { call.observeUsage(usage) }
        if let stopReason { call.observeStop(stopReason) }
        if let error {
            let safe = redactor.redact(error)
            call.finish(CallEnd(outcome: .failure, status: safe.upstreamStatus ?? 500, errorCode: safe.upstreamCode), error: safe)
        } else {
            call.finish(CallEnd(outcome: .success, status: 200))
        }
    }
}

extension Engine {
    /// The target and key name for a call made outside the pipeline (a control-plane call forwarded as it came);
    /// the direct keys of the request being served count here as in the pipeline.
    public func target(provider: String, model: String, key choice: KeyChoice) throws -> (target: UpstreamTarget, keyName: String?) {
        guard let config = providers[provider]?.config else {
            throw GatewayError(.notFound, "provider '\(provider)' is not configured")
        }
        return try Self.upstream(config, model: model, choice: choice, direct: DirectKeyScope.current)
    }
}
