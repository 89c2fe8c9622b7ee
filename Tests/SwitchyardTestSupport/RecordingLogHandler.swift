import Logging
import Synchronization

/// Keeps every line logged through it, with its level and metadata (the logger's own merged in), for tests that
/// check what the gateway logs and what it must not.
public final class LogRecording: Sendable {
    public struct Line: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]
    }

    private let kept = Mutex<[Line]>([])

    public init() {}

    public var lines: [Line] { kept.withLock { $0 } }

    /// A logger at `level` that records here.
    public func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "switchyard-tests") { _ in RecordingLogHandler(recording: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func keep(_ line: Line) {
        kept.withLock { $0.append(line) }
    }
}

struct RecordingLogHandler: LogHandler {
    let recording: LogRecording
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        recording.keep(LogRecording.Line(level: event.level, message: event.message.description, metadata: merged.mapValues(\.description)))
    }
}
