import Foundation
import Synchronization

/// Bounds failed dashboard logins: after `limit` wrong tokens within `window`, every login is refused until the window
/// that started with the first of them ends, the right token included, so the answer tells a guesser nothing. An
/// admin token of 32 or more characters cannot be guessed anyway; this keeps a flood of guesses from costing CPU and
/// filling the log. The gateway sees no client address (it may sit behind a proxy), so the count is the instance's.
public final class LoginThrottle: Sendable {
    let limit: Int
    let window: Duration
    private let state = Mutex<(started: ContinuousClock.Instant, failures: Int)>((.now, 0))

    public init(limit: Int = 10, window: Duration = .seconds(60)) {
        self.limit = limit
        self.window = window
    }

    /// The seconds to wait when logins are refused now; nil when a login may be tried.
    public func refusal(now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            if now - state.started >= window { state = (now, 0) }
            guard state.failures >= limit else { return nil }
            let left = window - (now - state.started)
            return max(1, Int((Double(left.components.seconds) + Double(left.components.attoseconds) / 1e18).rounded(.up)))
        }
    }

    public func failed(now: ContinuousClock.Instant = .now) {
        state.withLock { state in
            if now - state.started >= window { state = (now, 0) }
            state.failures += 1
        }
    }
}
