/// The gateway's Prometheus metrics (gateway-features.md §2.3): names, and the buckets of each histogram, which the
/// backend needs before the first value is recorded.
public enum MetricNames {
    public static let httpRequests = "switchyard_http_requests_total"
    public static let httpRequestDuration = "switchyard_http_request_duration_seconds"
    public static let llmRequests = "switchyard_llm_requests_total"
    public static let llmRequestDuration = "switchyard_llm_request_duration_seconds"
    public static let upstreamDuration = "switchyard_upstream_duration_seconds"
    public static let timeToFirstToken = "switchyard_time_to_first_token_seconds"
    public static let overhead = "switchyard_overhead_seconds"
    public static let tokens = "switchyard_tokens_total"
    public static let cost = "switchyard_cost_usd_total"
    public static let uncharged = "switchyard_uncharged_requests_total"
    public static let activeRequests = "switchyard_active_requests"
    public static let retries = "switchyard_retries_total"
    public static let logQueueDepth = "switchyard_log_queue_depth"
    public static let logDropped = "switchyard_log_dropped_total"
    public static let authRefusals = "switchyard_auth_refusals_total"
    public static let cacheRequests = "switchyard_cache_requests_total"

    /// OpenTelemetry's HTTP server duration buckets.
    static let httpBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
    /// OpenTelemetry's GenAI operation duration buckets.
    static let genAIBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
    /// The gateway's own share of a call: well under a millisecond when all is well.
    static let overheadBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025]

    /// Buckets of every histogram, by metric name (values are seconds).
    public static let histogramBuckets: [String: [Double]] = [
        httpRequestDuration: httpBuckets,
        llmRequestDuration: genAIBuckets,
        upstreamDuration: genAIBuckets,
        timeToFirstToken: genAIBuckets,
        overhead: overheadBuckets,
    ]
}
