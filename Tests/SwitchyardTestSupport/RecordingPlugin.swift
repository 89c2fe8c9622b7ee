import Engine
import SwitchyardModel
import Synchronization

/// Where several plugins note what they saw, in the order they saw it (`name start`, `name end`).
public final class PluginJournal: Sendable {
    private let entries = Mutex([String]())

    public init() {}

    public var lines: [String] { entries.withLock { $0 } }

    func note(_ line: String) { entries.withLock { $0.append(line) } }
}

/// What a plugin was shown before a call: a copy, so that holding it does not keep the call's context alive (and
/// its end-of-life safety net from running).
public struct PlannedSnapshot: Sendable {
    public var descriptor: CallDescriptor
    public var provider: String
    public var model: String
    public var request: ChatRequest?
}

/// A plugin that records every call it is shown and, when told to, refuses calls with a given error.
public final class RecordingPlugin: CallPlugin {
    public let name: String
    private let journal: PluginJournal?
    private let state: Mutex<(planned: [PlannedSnapshot], ended: [CallRecord], refusal: GatewayError?)>

    public init(_ name: String = "recorder", journal: PluginJournal? = nil, refusing refusal: GatewayError? = nil) {
        self.name = name
        self.journal = journal
        self.state = Mutex(([], [], refusal))
    }

    public var planned: [PlannedSnapshot] { state.withLock { $0.planned } }
    public var ended: [CallRecord] { state.withLock { $0.ended } }

    /// Refuse from now on (nil lets calls through again).
    public func refuse(with error: GatewayError?) { state.withLock { $0.refusal = error } }

    public func callWillStart(_ call: PlannedCall) async throws {
        journal?.note("\(name) start")
        let refusal: GatewayError? = state.withLock {
            $0.planned.append(
                PlannedSnapshot(descriptor: call.context.descriptor, provider: call.provider, model: call.model, request: call.request))
            return $0.refusal
        }
        if let refusal { throw refusal }
    }

    public func callEnded(_ record: CallRecord) {
        journal?.note("\(name) end")
        state.withLock { $0.ended.append(record) }
    }
}
