import CoreMetrics
import Synchronization

/// One metric's handlers by label values. The backend would find an existing series itself, but only after
/// validating the name and every label on each call; this is one lock and one hash per update.
final class SeriesCache<Handler: Sendable>: Sendable {
    private let handlers = Mutex<[[String]: Handler]>([:])
    private let make: @Sendable ([String]) -> Handler

    init(make: @escaping @Sendable ([String]) -> Handler) {
        self.make = make
    }

    func callAsFunction(_ values: String...) -> Handler {
        if let found = handlers.withLock({ $0[values] }) { return found }
        let made = make(values)
        return handlers.withLock { handlers in
            if let raced = handlers[values] { return raced }
            handlers[values] = made
            return made
        }
    }
}

extension SeriesCache where Handler == any CounterHandler {
    static func counter(_ factory: any MetricsFactory, _ name: String, labels: [String]) -> SeriesCache {
        SeriesCache { factory.makeCounter(label: name, dimensions: Array(zip(labels, $0))) }
    }
}

extension SeriesCache where Handler == any FloatingPointCounterHandler {
    static func floatingPointCounter(_ factory: any MetricsFactory, _ name: String, labels: [String]) -> SeriesCache {
        SeriesCache { factory.makeFloatingPointCounter(label: name, dimensions: Array(zip(labels, $0))) }
    }
}

extension SeriesCache where Handler == any RecorderHandler {
    static func histogram(_ factory: any MetricsFactory, _ name: String, labels: [String]) -> SeriesCache {
        SeriesCache { factory.makeRecorder(label: name, dimensions: Array(zip(labels, $0)), aggregate: true) }
    }
}

extension SeriesCache where Handler == any MeterHandler {
    static func gauge(_ factory: any MetricsFactory, _ name: String, labels: [String]) -> SeriesCache {
        SeriesCache { factory.makeMeter(label: name, dimensions: Array(zip(labels, $0))) }
    }
}
