import Engine
import Logging
import Pricing
import RequestLog
import Stores
import SwitchyardModel

/// The request log's running parts: the background writer, the live feed and the engine plugin that feeds both.
public struct RequestLogSetup: Sendable {
    public let store: any RequestLogStore
    public let writer: RequestLogWriter
    public let feed: RequestLogFeed
    public let plugin: RequestLogPlugin

    public init(store: any RequestLogStore, settings: LoggingSettings, prices: PriceTable, redactor: SecretRedactor, logger: Logger) {
        self.store = store
        writer = RequestLogWriter(
            store: store,
            configuration: RequestLogWriter.Configuration(
                capacity: settings.queueCapacity, batchSize: settings.batchSize,
                flushInterval: .milliseconds(Int64(settings.flushIntervalMs)), retentionDays: settings.retentionDays,
                content: RequestLogContentPolicy(enabled: settings.content, maxBytes: settings.contentMaxBytes, redactor: redactor)),
            logger: logger)
        feed = RequestLogFeed()
        plugin = RequestLogPlugin(writer: writer, feed: feed, prices: prices)
    }
}

extension Gateway {
    /// Nil when `logging.enabled` is off.
    func makeRequestLog(store: any RequestLogStore) throws -> RequestLogSetup? {
        guard config.logging.enabled else { return nil }
        let prices = try PriceTable.bundled().overriding(ObservabilitySettingsReader.priceEntries(config.pricing))
        let secrets = config.providers.flatMap { $0.keys.flatMap(\.secrets) } + [config.server.adminToken].compactMap { $0 }
            + config.governance.keys.map(\.secret)
        let redactor = SecretRedactor(secrets: secrets, live: config.providers.flatMap { $0.keys.compactMap(\.awsSupplier) })
        return RequestLogSetup(store: store, settings: config.logging, prices: prices, redactor: redactor, logger: logger)
    }
}
