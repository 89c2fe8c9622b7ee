import Foundation
import SwitchyardModel

/// A store of finished answers that may answer a chat call in place of any upstream. The engine consults it after
/// the plugins admitted the call (so governance has checked the key and the model, and holds its budget), and
/// hands it the finished answer of a call it did not answer.
public protocol AnswerCache: Sendable {
    /// Decides for one planned call. A thrown `GatewayError` refuses the call (a cache control the caller's key
    /// may not use); the door renders it in its dialect. `engine` is there for the lookups that need a model call of
    /// their own (an embedding), which the engine then governs and logs like any other.
    func lookup(_ call: PlannedCall, request: ChatRequest, engine: Engine) async throws -> AnswerCacheLookup

    /// Whether the cache is on for a call of this caller to this model, before any request control is read: a
    /// door that could forward the call untouched (Bedrock to Bedrock) takes the canonical path instead, where the
    /// cache can answer it and keep its answer.
    func covers(_ descriptor: CallDescriptor, provider: String, model: String) async -> Bool
}

/// What the cache said about one call: an answer to serve, or where the upstream's answer goes once complete.
public struct AnswerCacheLookup: Sendable {
    /// A hit: served as the call's answer, streamed or not; no upstream is contacted.
    public var answer: ChatResponse?
    /// A miss that may be stored: called once with the whole answer of the primary model, never for a failure,
    /// a fallback's answer or a stream that did not reach its end.
    public var store: (@Sendable (ChatResponse) -> Void)?

    public init(answer: ChatResponse? = nil, store: (@Sendable (ChatResponse) -> Void)? = nil) {
        self.answer = answer
        self.store = store
    }
}

/// How the cache treated a call, on its record, so governance, the request log and the metrics tell hits from
/// misses without knowing the cache.
public struct CacheOutcome: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// Answered from an entry.
        case hit
        /// Looked up, not found: the upstream answered.
        case miss
        /// The caller asked to skip the lookup, or the request is not one the cache keeps.
        case bypass
        /// The cache is not on for this model or key.
        case off
    }

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case exact
        case semantic
    }

    public var status: Status
    public var kind: Kind?
    /// The cosine similarity of a semantic hit.
    public var similarity: Double?
    public var entryId: String?
    public var ageSeconds: Int?

    public init(status: Status, kind: Kind? = nil, similarity: Double? = nil, entryId: String? = nil, ageSeconds: Int? = nil) {
        self.status = status
        self.kind = kind
        self.similarity = similarity
        self.entryId = entryId
        self.ageSeconds = ageSeconds
    }
}
