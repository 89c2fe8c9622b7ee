import Engine
import Logging
import OTel
import ServiceLifecycle
import Synchronization

/// Every tracing backend made, never released: swift-otel's OTLP/HTTP exporter shuts its HTTP client down
/// synchronously in its deinit, which AsyncHTTPClient traps on an event loop, and with NIO's event loops as the
/// global executor (`Switchyard.main`) the gateway's last reference goes on one. Its spans are flushed by the
/// service's graceful shutdown before that; the process ends right after.
private let keptUntilExit = Mutex<[CallTracing]>([])

/// Tracing for the gateway: the engine plugin that writes the spans and the service that exports them.
public struct CallTracing: Sendable {
    /// Goes into the engine's plugin chain.
    public let plugin: any CallPlugin
    /// Runs the batch span processor and the OTLP/HTTP exporter; on graceful shutdown it flushes what is queued.
    public let service: any Service

    /// Tracing as `settings` and the `OTEL_*` environment ask for, or nil when neither names a collector (or the
    /// environment turns traces off). Only the tracing backend is made: logging and metrics stay the gateway's.
    public static func make(
        settings: TracingSettings, environment: [String: String], providers: [String: GenAIProvider], logger: Logger
    ) -> CallTracing? {
        let fromEnvironment = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].contains {
            !(environment[$0] ?? "").isEmpty
        }
        guard settings.endpoint != nil || fromEnvironment else { return nil }
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.serviceName
        configuration.diagnosticLogger = .custom(logger)
        configuration.metrics.enabled = false
        configuration.logs.enabled = false
        configuration.traces.enabled = true
        if let endpoint = settings.endpoint {
            // The config names the collector the way OTEL_EXPORTER_OTLP_ENDPOINT does; an explicitly set endpoint
            // is used as it is, so the signal's path is added here. The environment still overrides it.
            configuration.traces.otlpExporter.endpoint = endpoint.hasSuffix("/") ? "\(endpoint)v1/traces" : "\(endpoint)/v1/traces"
        }
        do {
            let backend = try OTel.makeTracingBackend(configuration: configuration)
            let plugin = CallSpanTracer(tracer: backend.factory, providers: providers, includeContent: false)
            logger.info("tracing on: spans go to the OTLP/HTTP collector", metadata: ["service": "\(settings.serviceName)"])
            let tracing = CallTracing(plugin: plugin, service: backend.service)
            keptUntilExit.withLock { $0.append(tracing) }
            return tracing
        } catch {
            logger.warning("tracing is off: the tracing configuration was refused", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
