/// `metrics:` in the config: the Prometheus endpoint and the metrics the pipeline records for it.
public struct MetricsSettings: Sendable, Hashable {
    /// Off: no `/metrics` route and nothing recorded, so a benchmark can measure what the metrics cost.
    public var enabled: Bool

    public init(enabled: Bool = true) {
        self.enabled = enabled
    }
}
