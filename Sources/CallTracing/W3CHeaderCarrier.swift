import Engine
import Tracing

/// The W3C trace-context headers of one hop, as the tracer's propagator reads and writes them.
struct W3CHeaders: Sendable {
    var values: [String: String] = [:]

    init(traceParent: TraceParent?) {
        if let traceParent { values["traceparent"] = traceParent.header }
    }
}

struct W3CHeaderExtractor: Extractor {
    func extract(key: String, from carrier: W3CHeaders) -> String? { carrier.values[key.lowercased()] }
}

struct W3CHeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout W3CHeaders) { carrier.values[key.lowercased()] = value }
}
