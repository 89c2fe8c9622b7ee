import CoreMetrics

/// Requests and their durations as the HTTP server saw them, by route template (never the raw path, which holds
/// model ids and object keys), method and status.
public struct HTTPMetrics: Sendable {
    /// What requests that matched no route are filed under.
    public static let unmatchedRoute = "unmatched"

    let requests: SeriesCache<any CounterHandler>
    let durations: SeriesCache<any RecorderHandler>

    public init(factory: any MetricsFactory) {
        requests = .counter(factory, MetricNames.httpRequests, labels: ["route", "method", "status"])
        durations = .histogram(factory, MetricNames.httpRequestDuration, labels: ["route", "method"])
    }

    /// `route` is the router's template for the request (nil, or the router's `NotFound`, when none matched).
    public func record(route: String?, method: String, status: Int, seconds: Double) {
        let route = route.flatMap { $0 == "NotFound" ? nil : $0 } ?? Self.unmatchedRoute
        let method = MetricLabels.method(method)
        let status = (100...599).contains(status) ? String(status) : MetricLabels.other
        requests(route, method, status).increment(by: 1)
        durations(route, method).record(seconds)
    }
}
