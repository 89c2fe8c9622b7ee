import CoreMetrics
import Foundation
import Logging
import Synchronization
import SwitchyardModel

/// Holds a key's current AWS credentials and refreshes them in the background before they expire, so a request
/// only ever reads a lock-protected value. A failed refresh keeps the old set in service until it really
/// expires (logged and counted in `switchyard_aws_credential_refresh_failures_total{source}`), then retries.
public final class RefreshingCredentialSupplier: AWSCredentialSupplier {
    struct State {
        var fetched: FetchedCredentials?
        var lastError: String?
        var consecutiveFailures = 0
        /// Every secret handed out, newest last (a few: a refresh rarely runs more than hourly).
        var issued: [String] = []
    }

    let source: (any AWSCredentialSource)?
    /// The key this supplier serves, for messages.
    let keyName: String
    public let sourceDescription: String
    /// Refresh when less than this is left (plus up to 10% jitter, so many gateways do not call STS at once).
    let refreshWindow: Double
    let logger: Logger
    /// The `source` label of the failure counter: the kind of source, a handful of values.
    let sourceKind: String
    let now: @Sendable () -> Date
    private let box = Mutex(State())
    static let maxIssued = 8
    static let maxRetryDelay = 30.0

    /// `source` nil: the chain found nothing configured; every request fails with a message saying so.
    public init(
        source: (any AWSCredentialSource)?, unresolved: String? = nil, keyName: String, refreshBeforeExpirySeconds: Double, logger: Logger,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.source = source
        self.keyName = keyName
        self.sourceDescription = source?.description ?? "none (\(unresolved ?? "no credentials found"))"
        self.refreshWindow = refreshBeforeExpirySeconds
        self.logger = logger
        self.now = now
        let kind = source.map { String($0.description.prefix(while: { $0 != " " })) } ?? "none"
        sourceKind = kind
        if source == nil { box.withLock { $0.lastError = unresolved ?? "no credentials found" } }
    }

    public func current() throws -> AWSAccess {
        let moment = now()
        return try box.withLock { state in
            if let fetched = state.fetched, fetched.expiration.map({ moment < $0 }) ?? true { return fetched.access }
            let why: String
            if let fetched = state.fetched, let expiration = fetched.expiration {
                why = "they expired at \(Self.format(expiration))" + (state.lastError.map { " and the refresh failed: \($0)" } ?? "")
            } else {
                why = state.lastError ?? "they are still being fetched"
            }
            throw GatewayError(.accessDenied, "key '\(keyName)' has no AWS credentials from \(sourceDescription): \(why)")
        }
    }

    public var state: String {
        let moment = now()
        return box.withLock { state in
            guard let fetched = state.fetched else { return state.lastError.map { "unavailable: \($0)" } ?? "pending" }
            let until = fetched.expiration.map { " until \(Self.format($0))" } ?? ""
            if let expiration = fetched.expiration, moment >= expiration { return "expired: \(state.lastError ?? "refresh pending")" }
            if let error = state.lastError { return "refresh failing (serving the current set\(until)): \(error)" }
            return "ok" + until
        }
    }

    public var issuedSecrets: [String] { box.withLock { $0.issued } }

    /// One fetch now; true when it succeeded. Called at start (so the first request finds credentials) and by
    /// the refresh loop.
    @discardableResult
    public func refresh() async -> Bool {
        guard let source else { return false }
        do {
            let fresh = try await source.fetch()
            box.withLock { state in
                state.fetched = fresh
                state.lastError = nil
                state.consecutiveFailures = 0
                state.issued.append(contentsOf: [fresh.access.secretAccessKey, fresh.access.sessionToken].compactMap { $0 })
                if state.issued.count > Self.maxIssued { state.issued.removeFirst(state.issued.count - Self.maxIssued) }
            }
            logger.debug(
                "AWS credentials fetched",
                metadata: ["key": "\(keyName)", "source": "\(sourceDescription)", "expires": "\(fresh.expiration.map(Self.format) ?? "never")"])
            return true
        } catch {
            let message = (error as? GatewayError)?.message ?? "\(error)"
            let hasValid = box.withLock { state -> Bool in
                state.lastError = message
                state.consecutiveFailures += 1
                return state.fetched.map { f in f.expiration.map { now() < $0 } ?? true } ?? false
            }
            // Made at the failure, not at init: suppliers exist before the server bootstraps the metrics backend.
            Counter(label: "switchyard_aws_credential_refresh_failures_total", dimensions: [("source", sourceKind)]).increment()
            logger.warning(
                "AWS credential refresh failed",
                metadata: [
                    "key": "\(keyName)", "source": "\(sourceDescription)", "error": "\(message)",
                    "serving": "\(hasValid ? "the previous credentials until they expire" : "nothing: requests fail")",
                ])
            return false
        }
    }

    /// Refreshes before each expiry until cancelled; returns at once for long-term keys that are already held.
    public func runRefreshLoop() async {
        guard source != nil else { return }
        while !Task.isCancelled {
            guard let delay = nextDelay() else { return }
            do {
                try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
            } catch {
                return
            }
            await refresh()
        }
    }

    /// Seconds until the next fetch; nil when the credentials never expire.
    func nextDelay() -> Double? {
        let moment = now()
        let (fetched, failures) = box.withLock { ($0.fetched, $0.consecutiveFailures) }
        if failures > 0 || fetched == nil {
            // Backing off, but never past the expiry of a set still in service.
            var delay = min(Self.maxRetryDelay, pow(2, Double(max(0, failures - 1))))
            if let expiration = fetched?.expiration, expiration > moment { delay = min(delay, max(0.5, expiration.timeIntervalSince(moment) / 2)) }
            return delay
        }
        guard let expiration = fetched?.expiration else { return nil }
        let left = expiration.timeIntervalSince(moment)
        let jitter = Double.random(in: 0...(refreshWindow * 0.1))
        // Credentials shorter-lived than the window are refreshed at half their remaining life instead of at once.
        return max(left - refreshWindow - jitter, left / 2, 0.5)
    }

    static func format(_ date: Date) -> String { date.formatted(.iso8601) }
}
