/// Where spans go; tracing stays off unless this or `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` names a collector.
public struct TracingSettings: Sendable {
    /// The collector's OTLP/HTTP base URL (`http://collector:4318`); `/v1/traces` is appended, as for
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`.
    public var endpoint: String?
    public var serviceName: String = "switchyard"

    public init(endpoint: String? = nil, serviceName: String = "switchyard") {
        self.endpoint = endpoint
        self.serviceName = serviceName
    }
}
