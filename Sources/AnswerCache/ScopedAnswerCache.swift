import Engine
import Foundation
import Logging
import Stores
import Synchronization
import SwitchyardModel

/// The gateway's answer cache: exact entries by the hash of the canonical request, semantic entries by the
/// embedding of the last user turn, both inside the caller's scope. Entries live in the index and are persisted to
/// the store behind it, which they are loaded from at start.
public final class ScopedAnswerCache: AnswerCache {
    let settings: CacheSettings
    let store: any CacheEntryStore
    let index: CacheIndex
    /// The cache part of a virtual key's policy, by key id (the governance key ring's cached lookup).
    let policies: @Sendable (String) async -> CachePolicy?
    let logger: Logger
    let counters = Mutex(CacheCounters())
    /// How far this gateway has read the store's writes (a shared store's other gateways write there too).
    let followed = Mutex<Int64>(0)
    let writer: CacheStoreWriter

    init(settings: CacheSettings, store: any CacheEntryStore, policies: @escaping @Sendable (String) async -> CachePolicy?, logger: Logger) {
        self.settings = settings
        self.store = store
        self.index = CacheIndex(limits: .init(maxEntries: max(1, settings.maxEntries), maxBytes: max(1, settings.maxBytes)))
        self.policies = policies
        self.logger = logger
        self.writer = CacheStoreWriter(store: store, logger: logger)
    }

    /// Opens the cache with the live entries the store holds.
    public static func open(
        settings: CacheSettings, store: any CacheEntryStore, policies: @escaping @Sendable (String) async -> CachePolicy?, logger: Logger
    ) async throws -> ScopedAnswerCache {
        let cache = ScopedAnswerCache(settings: settings, store: store, policies: policies, logger: logger)
        var dropped: [String] = []
        // Where following the other gateways' writes starts: before the load, so nothing written meanwhile is missed.
        if let start = try await store.written(after: Int64.max, at: Date()) { cache.followed.withLock { $0 = start.last } }
        for record in try await store.live(at: Date()) { dropped += cache.absorb(record) }
        try await store.write(puts: [], deletes: dropped)
        logger.info("answer cache opened", metadata: ["entries": "\(cache.index.count)"])
        return cache
    }

    /// Puts a stored entry into the index; the ids the index evicted (or that could not be decoded) to delete.
    func absorb(_ record: CacheEntryRecord) -> [String] {
        guard let answer = StoredAnswer.decode(record.answer) else { return [record.id] }
        let entry = CacheIndex.Entry(
            id: record.id, key: record.key, scope: record.scope, provider: record.provider, model: record.model,
            partition: record.partition, answer: answer, createdAt: record.createdAt, expiresAt: record.expiresAt,
            bytes: record.answer.count)
        return index.insert(entry, vector: record.embedding)
    }

    /// Takes in the entries other gateways on a shared store wrote since the last call (this gateway's own come back
    /// too and replace themselves); false when the store is not shared.
    public func follow() async throws -> Bool {
        guard let written = try await store.written(after: followed.withLock { $0 }, at: Date()) else { return false }
        var evicted: [String] = []
        for record in written.entries where index.exact(record.key, now: Date(), counting: false).entry?.id != record.id {
            evicted += absorb(record)
        }
        followed.withLock { $0 = max($0, written.last) }
        // Evicted here is this gateway's memory limit, not the entry's end: the store keeps it for the others.
        _ = evicted
        return true
    }

    public func lookup(_ call: PlannedCall, request: ChatRequest, engine: Engine) async throws -> AnswerCacheLookup {
        let descriptor = call.context.descriptor
        // Batch records are billed at batch prices and rarely repeat; they go upstream like any batch record.
        if descriptor.billing == .batch { return AnswerCacheLookup() }
        let policy: CachePolicy? = if let caller = descriptor.caller { await policies(caller.keyId) } else { nil }
        guard enabled(descriptor.modelRequested, provider: call.provider, model: call.model, policy: policy) else {
            report(CacheOutcome(status: .off), on: call.context)
            return AnswerCacheLookup()
        }
        let directives = try CacheDirectives.parse(headers: descriptor.cacheControls, metadata: request.metadata)
        try check(directives, policy: policy, caller: descriptor.caller)
        let scope = Self.scope(descriptor.caller, policy) + (directives.namespace.map { "/ns:" + $0 } ?? "")
        let key = RequestFingerprint.exactKey(request, scope: scope, provider: call.provider, model: call.model)
        let now = Date()

        if !directives.skipLookup, directives.only != .semantic {
            let (entry, expired) = index.exact(key, now: now)
            if let expired { forget([expired]) }
            if let entry { return hit(entry, kind: .exact, similarity: nil, now: now, call: call) }
        }

        var vector: [Float]?
        var partition: String?
        let semantic = settings.semantic
        if semantic.enabled, let model = semantic.embeddingModel, directives.only != .exact, let text = embeddable(request),
            !(directives.skipLookup && directives.noStore)
        {
            partition = RequestFingerprint.partition(request, scope: scope, provider: call.provider, model: call.model, embeddingModel: model)
            vector = await embed(text, model: model, parent: descriptor, engine: engine)
            if let vector, let partition, !directives.skipLookup {
                let threshold = max(semantic.threshold, directives.threshold ?? 0)
                if let (entry, similarity) = index.nearest(partition: partition, vector: vector, threshold: threshold, now: now) {
                    return hit(entry, kind: .semantic, similarity: similarity, now: now, call: call)
                }
            }
        }

        let status: CacheOutcome.Status = directives.skipLookup ? .bypass : .miss
        report(CacheOutcome(status: status), on: call.context)
        counters.withLock { status == .miss ? ($0.misses += 1) : ($0.bypasses += 1) }
        guard !directives.noStore else { return AnswerCacheLookup() }
        let ttl = min(directives.ttlSeconds ?? modelSettings(descriptor.modelRequested, call)?.ttlSeconds ?? settings.ttlSeconds, settings.maxTTLSeconds)
        let toolUse = policy?.cacheToolUse ?? settings.cacheToolUse
        let site = Placement(key: key, scope: scope, provider: call.provider, model: call.model, partition: vector == nil ? nil : partition)
        let embedded = vector
        return AnswerCacheLookup(store: { [self] answer in keep(answer, at: site, vector: embedded, ttl: ttl, toolUse: toolUse) })
    }

    public func covers(_ descriptor: CallDescriptor, provider: String, model: String) async -> Bool {
        guard descriptor.billing != .batch else { return false }
        let policy: CachePolicy? = if let caller = descriptor.caller { await policies(caller.keyId) } else { nil }
        return enabled(descriptor.modelRequested, provider: provider, model: model, policy: policy)
    }

    struct Placement: Sendable {
        var key: String
        var scope: String
        var provider: String
        var model: String
        var partition: String?
    }

    // MARK: - Decisions

    /// The most specific setting wins: the key's policy, then the model's, then the global one.
    func enabled(_ requested: String?, provider: String, model: String, policy: CachePolicy?) -> Bool {
        if let decided = policy?.enabled { return decided }
        if let decided = modelSettings(requested, provider: provider, model: model)?.enabled { return decided }
        return settings.enabled
    }

    func modelSettings(_ requested: String?, _ call: PlannedCall) -> ModelCacheSettings? {
        modelSettings(requested, provider: call.provider, model: call.model)
    }

    func modelSettings(_ requested: String?, provider: String, model: String) -> ModelCacheSettings? {
        if let requested, let found = settings.models[requested] { return found }
        return settings.models["\(provider)/\(model)"]
    }

    func check(_ directives: CacheDirectives, policy: CachePolicy?, caller: CallerIdentity?) throws {
        guard let allowed = policy?.allowedControls, let caller else { return }
        if let refused = directives.used.sorted().first(where: { !allowed.contains($0) }) {
            throw GatewayError(.accessDenied, "The virtual key '\(caller.name)' may not use the cache control '\(refused)'")
        }
    }

    /// `vk:<id>` unless the key's policy shares its entries; anonymous traffic has a scope of its own.
    static func scope(_ caller: CallerIdentity?, _ policy: CachePolicy?) -> String {
        guard let caller else { return "anonymous" }
        switch policy?.scope {
        case "global"?: return "global"
        case let shared? where shared.hasPrefix("group:"): return shared
        default: return "vk:\(caller.keyId)"
        }
    }

    /// The text a paraphrase is recognised by: the last user turn (with the system prompt), for plain text
    /// conversations of at most `maxTurns` user turns; nil for anything with tools or attachments.
    func embeddable(_ request: ChatRequest) -> String? {
        guard request.tools.isEmpty, request.toolChoice == nil, let last = request.messages.last, last.role == .user else { return nil }
        let turns = request.messages.filter { $0.role == .user }.count
        guard turns <= max(1, settings.semantic.maxTurns) else { return nil }
        func text(_ parts: [ContentPart]) -> String? {
            var pieces: [String] = []
            for part in parts {
                switch part {
                case .text(let t): pieces.append(t)
                case .cachePoint: continue
                default: return nil
                }
            }
            return pieces.joined(separator: "\n")
        }
        for message in request.messages { guard text(message.content) != nil else { return nil } }
        guard let question = text(last.content), !question.isEmpty else { return nil }
        guard settings.semantic.includeSystem, let system = text(request.system), !system.isEmpty else { return question }
        return system + "\n\n" + question
    }

    /// What may be stored: a whole answer that is neither a refusal by a guardrail or filter nor malformed, a tool
    /// call only where the key opts in, and no larger than the limit.
    static func storable(_ answer: ChatResponse, toolUse: Bool) -> Bool {
        switch answer.stopReason {
        case .endTurn, .maxTokens, .stopSequence: return true
        case .toolUse: return toolUse
        case .guardrailIntervened, .contentFiltered, .malformedModelOutput, .malformedToolUse, .contextWindowExceeded: return false
        }
    }

    // MARK: - Hits, misses, storing

    func hit(_ entry: CacheIndex.Entry, kind: CacheOutcome.Kind, similarity: Double?, now: Date, call: PlannedCall) -> AnswerCacheLookup {
        let age = max(0, Int(now.timeIntervalSince(entry.createdAt)))
        report(CacheOutcome(status: .hit, kind: kind, similarity: similarity, entryId: entry.id, ageSeconds: age), on: call.context)
        counters.withLock { kind == .exact ? ($0.exactHits += 1) : ($0.semanticHits += 1) }
        var answer = entry.answer
        answer.latencyMs = max(0, Int((now.timeIntervalSince(call.context.record.startedAt) * 1000).rounded()))
        return AnswerCacheLookup(answer: answer)
    }

    func report(_ outcome: CacheOutcome, on context: CallContext) {
        var headers = [AnswerHeader("x-swyd-cache", outcome.status.rawValue)]
        if let kind = outcome.kind { headers.append(AnswerHeader("x-swyd-cache-type", kind.rawValue)) }
        if let similarity = outcome.similarity { headers.append(AnswerHeader("x-swyd-cache-similarity", String(format: "%.4f", similarity))) }
        if let age = outcome.ageSeconds { headers.append(AnswerHeader("x-swyd-cache-age", String(age))) }
        if let id = outcome.entryId { headers.append(AnswerHeader("x-swyd-cache-id", id)) }
        context.update {
            $0.cache = outcome
            $0.answerHeaders.append(contentsOf: headers)
        }
    }

    func keep(_ answer: ChatResponse, at site: Placement, vector: [Float]?, ttl: Double, toolUse: Bool) {
        guard Self.storable(answer, toolUse: toolUse), let stored = StoredAnswer(answer), let data = stored.encoded() else { return }
        guard data.count <= settings.maxEntryBytes else {
            counters.withLock { $0.tooLarge += 1 }
            return
        }
        let now = Date()
        let entry = CacheIndex.Entry(
            id: UUID().uuidString.lowercased(), key: site.key, scope: site.scope, provider: site.provider, model: site.model,
            partition: site.partition, answer: answer, createdAt: now, expiresAt: now.addingTimeInterval(ttl), bytes: data.count)
        let gone = index.insert(entry, vector: vector)
        counters.withLock {
            $0.stored += 1
            $0.evicted += max(0, gone.count - 1)
        }
        let record = CacheEntryRecord(
            id: entry.id, key: entry.key, scope: entry.scope, provider: entry.provider, model: entry.model, partition: entry.partition,
            embedding: entry.partition == nil ? nil : vector, answer: data, createdAt: entry.createdAt, expiresAt: entry.expiresAt)
        writer.put(record, deleting: gone)
    }

    func forget(_ ids: [String]) {
        writer.delete(ids)
    }

    /// The embedding, through the engine as a call of its own: governed (charged to the caller's key) and logged.
    func embed(_ text: String, model: String, parent: CallDescriptor, engine: Engine) async -> [Float]? {
        var descriptor = CallDescriptor(
            requestId: parent.requestId + "-cache-embedding", door: parent.door, operation: "CacheEmbedding", route: parent.route,
            modelRequested: model, stream: false, caller: parent.caller, userAgent: parent.userAgent, httpMethod: parent.httpMethod)
        descriptor.directKeys = parent.directKeys
        let context = engine.begin(descriptor)
        do {
            let answer = try await engine.embed(EmbeddingRequest(inputs: [text]), modelId: model, call: context)
            context.finish(CallEnd(outcome: .success, status: 200))
            return answer.vectors.first.flatMap(VectorPartition.unit)
        } catch {
            let failure = error as? GatewayError
            context.finish(CallEnd(outcome: .failure, status: failure.map(Self.status) ?? 500, errorCode: failure.map { "\($0.kind)" }), error: failure)
            logger.warning("cache embedding failed; looking up by exact key only", metadata: ["model": "\(model)", "error": "\(failure?.message ?? "\(error)")"])
            return nil
        }
    }

    static func status(_ error: GatewayError) -> Int {
        error.upstreamStatus ?? 500
    }
}
