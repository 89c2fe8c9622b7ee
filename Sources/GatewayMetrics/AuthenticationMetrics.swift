import CoreMetrics

/// Requests the authentication refused before any door saw them, by door and reason: the numbers a platform team
/// watches for a flood of bad keys or a fleet of clients with a drifting clock. Both labels come from fixed sets
/// the server names (never the key id a caller presented), so no caller can grow the number of series.
public struct AuthenticationMetrics: Sendable {
    let refusals: SeriesCache<any CounterHandler>

    public init(factory: any MetricsFactory) {
        refusals = .counter(factory, MetricNames.authRefusals, labels: ["door", "reason"])
    }

    public func refused(door: String, reason: String) {
        refusals(door, reason).increment(by: 1)
    }
}
