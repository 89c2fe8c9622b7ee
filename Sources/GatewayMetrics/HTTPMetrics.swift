import CoreMetrics

/// Requests and their durations as the HTTP server saw them, by route template (never the raw path, which holds
/// model ids and object keys), method and status.
public struct HTTPMetrics: Sendable {
    /// What requests that matched no route are filed under.
    public static let unmatchedRoute = "unmatched"

    let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    /// `route` is the router's template for the request (nil, or the router's `NotFound`, when none matched).
    public func record(route: String?, method: String, status: Int, seconds: Double) {
        let route = route.flatMap { $0 == "NotFound" ? nil : $0 } ?? Self.unmatchedRoute
        let method = MetricLabels.method(method)
        let status = (100...599).contains(status) ? String(status) : MetricLabels.other
        factory.makeCounter(label: MetricNames.httpRequests, dimensions: [("route", route), ("method", method), ("status", status)])
            .increment(by: 1)
        factory.makeRecorder(label: MetricNames.httpRequestDuration, dimensions: [("route", route), ("method", method)], aggregate: true)
            .record(seconds)
    }
}
