import Logging
import SwitchyardModel

/// A configured provider with the adapter that speaks its API.
public struct ProviderRuntime: Sendable {
    public let config: ProviderConfig
    public let adapter: any ChatProvider
    /// Files, batch and control-plane APIs, as far as `ProviderServices.available` grants them.
    public let services: ProviderServices

    public init(config: ProviderConfig, adapter: any ChatProvider, services: ProviderServices = .none) {
        self.config = config
        self.adapter = adapter
        self.services = ProviderServices.available(services, for: config)
    }
}

/// The one place that decides: which provider and key serve a request, retries, fallbacks.
public struct Engine: Sendable {
    let providers: [String: ProviderRuntime]
    let router: ModelRouter
    let redactor: SecretRedactor
    let logger: Logger
    /// Run in order around every call (governance, cache, request log, metrics, tracing).
    let plugins: [any CallPlugin]
    /// What the model listings show.
    public let catalog: ModelCatalog
    /// Consulted for chat calls once the plugins admitted them; nil when no cache is configured.
    let answerCache: (any AnswerCache)?

    public init(
        providers: [ProviderRuntime], aliases: [String: String], plugins: [any CallPlugin] = [], answerCache: (any AnswerCache)? = nil,
        logger: Logger
    ) {
        self.providers = Dictionary(providers.map { ($0.config.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.router = ModelRouter(providers: self.providers.mapValues(\.config.kind), aliases: aliases)
        self.redactor = SecretRedactor(
            secrets: providers.flatMap { $0.config.keys.flatMap(\.secrets) }, live: providers.flatMap { $0.config.keys.compactMap(\.awsSupplier) })
        self.logger = logger
        self.plugins = plugins
        self.answerCache = answerCache
        self.catalog = ModelCatalog(providers: providers.map(\.config), aliases: aliases, router: router)
    }

    public var providerNames: [String] { providers.keys.sorted() }

    /// Starts a call's record; the door ends it (`CallContext.finish`) once the client has its answer.
    /// The caller is the authenticated one of the request being served unless the door names another (the batch
    /// runner names the job's owner); so are the direct keys, which the batch runner never has.
    public func begin(_ descriptor: CallDescriptor) -> CallContext {
        var descriptor = descriptor
        if descriptor.caller == nil { descriptor.caller = CallerScope.current }
        if descriptor.directKeys == nil { descriptor.directKeys = DirectKeyScope.current }
        return CallContext(descriptor: descriptor, plugins: plugins)
    }

    /// Which provider and model would serve `modelId`, and the kind of API it speaks.
    public func resolve(_ modelId: String) throws -> (route: Route, kind: ProviderKind) {
        let route = try router.route(modelId)
        guard let runtime = providers[route.provider] else {
            throw GatewayError(.notFound, "provider '\(route.provider)' is not configured")
        }
        return (route, runtime.config.kind)
    }

    public func complete(_ request: ChatRequest, modelId: String, call: CallContext) async throws -> ChatResponse {
        call.update { $0.purpose = .chat }
        let (answer, cached) = try await redacting(call) { () -> (ChatResponse, Bool) in
            let lookup = try await consultCache(request, modelId: modelId, call: call)
            if let hit = lookup?.answer { return (hit, true) }
            let answer = try await withFallbacks(request, modelId: modelId, call: call, admitted: lookup != nil) { adapter, target in
                try await adapter.complete(request, target: target)
            }
            if let store = lookup?.store, call.record.fallbackPosition == 0 { store(answer) }
            return (answer, false)
        }
        call.observeFirstByte()
        // A hit used no tokens: its record carries none, so no budget or token window is charged for it.
        if !cached { call.observeUsage(answer.usage) }
        call.observeStop(answer.stopReason.name.description)
        call.observeAnswer(answer.content)
        return answer
    }

    /// Returns once an upstream has accepted the request; failures before that are retried and fall back,
    /// failures after it end the stream with an error. A cache hit replays the stored answer as events.
    public func stream(_ request: ChatRequest, modelId: String, call: CallContext) async throws -> EventStream {
        call.update { $0.purpose = .chat }
        let (upstream, recorder, replayed) = try await redacting(call) { () -> (ChatEventStream, AnswerRecorder?, Bool) in
            let lookup = try await consultCache(request, modelId: modelId, call: call)
            // The cache sets a hit's latency to the gateway's own time for this call.
            if let hit = lookup?.answer { return (AnswerEvents.stream(of: hit, latencyMs: hit.latencyMs), nil, true) }
            let upstream = try await withFallbacks(request, modelId: modelId, call: call, admitted: lookup != nil) { adapter, target in
                try await adapter.stream(request, target: target)
            }
            let recorder = lookup?.store.flatMap { store in call.record.fallbackPosition == 0 ? AnswerRecorder(store: store) : nil }
            return (upstream, recorder, false)
        }
        return EventStream(upstream: upstream, redactor: redactor(for: call.descriptor), call: call, recorder: recorder, replayed: replayed)
    }

    /// Whether the answer cache is on for a call to `modelId` (see `AnswerCache.covers`); false without a cache.
    public func cacheCovers(_ call: CallContext, modelId: String) async -> Bool {
        guard let answerCache, let route = try? router.route(modelId) else { return false }
        return await answerCache.covers(call.descriptor, provider: route.provider, model: route.model)
    }

    /// Runs the plugins for the primary model and asks the cache; nil when there is no cache (the plugins then run
    /// as the first attempt starts, as for every other call).
    func consultCache(_ request: ChatRequest, modelId: String, call: CallContext) async throws -> AnswerCacheLookup? {
        guard let answerCache else { return nil }
        let route = try router.route(modelId)
        guard providers[route.provider] != nil else {
            throw GatewayError(.notFound, "provider '\(route.provider)' is not configured")
        }
        let planned = PlannedCall(context: call, provider: route.provider, model: route.model, request: request, metering: .chat)
        try await runPlugins(planned)
        let lookup = try await answerCache.lookup(planned, request: request, engine: self)
        if lookup.answer != nil {
            call.update {
                $0.provider = route.provider
                $0.model = route.model
            }
        }
        return lookup
    }

    public func embed(_ request: EmbeddingRequest, modelId: String, call: CallContext) async throws -> EmbeddingResponse {
        call.update { $0.purpose = .embeddings }
        let answer = try await redacting(call) {
            let bytes = request.inputs.reduce(0) { $0 + $1.utf8.count }
            return try await withRetries(modelId: modelId, call: call, request: nil, metering: .raw(inputBytes: bytes, maxOutputTokens: 0)) {
                adapter, target in
                guard let embedder = adapter as? any EmbeddingProvider else {
                    throw GatewayError(.validation, "provider '\(target.provider)' has no embeddings API")
                }
                return try await embedder.embed(request, target: target)
            }
        }
        call.observeFirstByte()
        call.observeUsage(Usage(inputTokens: answer.inputTokens))
        return answer
    }

    /// The provider's own count when it has a counting API; nil when it has none, so the caller may estimate.
    public func countTokens(_ request: ChatRequest, modelId: String, call: CallContext) async throws -> Int? {
        call.update { $0.purpose = .tokenCount }
        return try await redacting(call) {
            try await withRetries(modelId: modelId, call: call, request: request, metering: .none) { adapter, target -> Int? in
                guard let counter = adapter as? any TokenCountingProvider else { return nil }
                return try await counter.countTokens(request, target: target)
            }
        }
    }

    /// Forwards a request untouched when the model's provider speaks the caller's dialect; nil when it does not,
    /// and the door must translate instead. The adapter reports the answer's usage and failures to `call`.
    public func passthrough(_ request: RawRequest, modelId: String, call: CallContext) async throws -> RawResponse? {
        let (route, _) = try resolve(modelId)
        guard let forwarder = providers[route.provider]?.adapter as? any PassthroughProvider, forwarder.speaks(request.dialect) else {
            return nil
        }
        return try await redacting(call) {
            let metering = CallMetering.raw(inputBytes: request.body.readableBytes, maxOutputTokens: request.maxOutputTokens)
            return try await withRetries(modelId: modelId, call: call, request: nil, metering: metering) { _, target in
                // The plugins have run: content logging, when on, has said how much to keep.
                call.observeRawRequest(request)
                return try await forwarder.passthrough(request, target: target, observer: call)
            }
        }
    }

    func redacting<T>(_ call: CallContext, _ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let error as GatewayError {
            let safe = redactor(for: call.descriptor).redact(error)
            call.observeFailure(safe)
            throw safe
        }
    }

    /// The configured keys' redactor, and for a call with direct keys, their values too.
    func redactor(for descriptor: CallDescriptor) -> SecretRedactor {
        guard let direct = descriptor.directKeys else { return redactor }
        return redactor.adding(direct.secrets)
    }

    /// `admitted`: the plugins have run for the primary already (the cache was consulted).
    private func withFallbacks<T: Sendable>(
        _ request: ChatRequest, modelId: String, call: CallContext, admitted: Bool = false,
        _ perform: (any ChatProvider, UpstreamTarget) async throws -> T
    ) async throws -> T {
        let candidates = [modelId] + request.fallbacks
        // A direct key for "the provider the call resolves to" stays with that provider through the fallbacks.
        let requestedProvider = request.fallbacks.isEmpty ? nil : try? router.route(modelId).provider
        var failure: GatewayError?
        for (position, candidate) in candidates.enumerated() {
            do {
                return try await withRetries(
                    modelId: candidate, call: call, request: request, metering: .chat, fallbackPosition: position,
                    requestedProvider: requestedProvider, admitted: admitted, perform)
            } catch let error as GatewayError {
                // A plugin's refusal is the answer; no fallback can change it.
                if error.refusedByPlugin { throw error }
                if position + 1 < candidates.count {
                    logger.info(
                        "falling back",
                        metadata: [
                            "hb.request.id": "\(call.descriptor.requestId)", "model": "\(candidate)", "next": "\(candidates[position + 1])",
                            "error": "\(redactor(for: call.descriptor).redact(error.message))",
                        ])
                }
                failure = failure ?? error
            }
        }
        throw failure ?? GatewayError(.internalError, "no model to try")
    }

    /// Retries on another key where there is one. An upstream's `Retry-After` is waited for when no fresh key is
    /// left and the wait ends within the call's budget (the provider's timeout, counted from the first attempt);
    /// a longer wait fails the call at once, carrying the upstream's wait back to the caller. A call with the
    /// caller's direct key for this provider uses that key for every attempt: it is the only one there is.
    private func withRetries<T: Sendable>(
        modelId: String, call: CallContext, request: ChatRequest?, metering: CallMetering, fallbackPosition: Int = 0,
        requestedProvider: String? = nil, admitted: Bool = false,
        _ perform: (any ChatProvider, UpstreamTarget) async throws -> T
    ) async throws -> T {
        let route = try router.route(modelId)
        guard let runtime = providers[route.provider] else {
            throw GatewayError(.notFound, "provider '\(route.provider)' is not configured")
        }
        if fallbackPosition == 0 {
            if !admitted {
                try await runPlugins(
                    PlannedCall(context: call, provider: route.provider, model: route.model, request: request, metering: metering))
            }
        } else if let caller = call.descriptor.caller, !caller.access.allows(provider: route.provider, model: route.model, requested: modelId) {
            // The plugins admitted the primary; a fallback must still be one the caller's key may use.
            throw GatewayError(.accessDenied, "the virtual key '\(caller.name)' may not use the fallback model '\(modelId)'")
        }
        let descriptor = call.descriptor
        let safety = redactor(for: descriptor)
        // A pinned key names a key of the primary provider only.
        let pinnedKey = fallbackPosition == 0 ? descriptor.pinnedKey : nil
        let config = runtime.config
        let direct = descriptor.directKeys?.credential(
            for: config, isRequested: fallbackPosition == 0 || route.provider == requestedProvider)
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int64(config.timeoutSeconds * 1000))
        var failedKeys: Set<String> = []
        var attempt = 0
        var key = direct == nil ? try KeySelector.pick(from: config.keys, model: route.model, pinned: pinnedKey, avoiding: failedKeys) : nil
        while true {
            var target = direct.map { Self.target(config, model: route.model, direct: $0, region: descriptor.directKeys?.bedrockRegion) }
                ?? Self.target(config, model: route.model, key: key)
            target.traceParent = call.attemptStarts(
                provider: config.name, model: route.model, keyName: direct == nil ? key?.name : DirectKeys.keyName,
                fallbackPosition: fallbackPosition)
            do {
                let answer = try await perform(runtime.adapter, target)
                call.attemptAnswered()
                return answer
            } catch let error as GatewayError where error.isRetryable && attempt < config.maxRetries {
                // The record goes to plugins (request log, traces): never an upstream's echo of a key.
                call.attemptAnswered(error: safety.redact(error))
                attempt += 1
                if let key { failedKeys.insert(key.name) }
                let next =
                    direct == nil ? try KeySelector.pick(from: config.keys, model: route.model, pinned: pinnedKey, avoiding: failedKeys) : nil
                var delay = Backoff.delay(attempt: attempt, baseMs: config.retryBackoffMs)
                // The upstream's wait concerns the key it was told to; a key not tried yet goes at once.
                if let retryAfter = error.retryAfterSeconds, next.map({ failedKeys.contains($0.name) }) ?? true {
                    guard retryAfter <= config.timeoutSeconds else { throw error }
                    let wait = Duration.milliseconds(Int64((retryAfter * 1000).rounded(.up)))
                    guard clock.now + wait <= deadline else { throw error }
                    delay = max(delay, wait)
                }
                logger.info(
                    "retrying upstream call",
                    metadata: [
                        "hb.request.id": "\(call.descriptor.requestId)", "provider": "\(config.name)", "attempt": "\(attempt)",
                        "error": "\(safety.redact(error.message))",
                    ])
                try await Task.sleep(for: delay)
                key = next
            } catch {
                call.attemptAnswered(error: (error as? GatewayError).map(safety.redact))
                throw error
            }
        }
    }

    func runPlugins(_ planned: PlannedCall) async throws {
        for plugin in plugins {
            do {
                try await plugin.callWillStart(planned)
            } catch var error as GatewayError {
                error.refusedByPlugin = true
                throw error
            }
        }
    }
}
