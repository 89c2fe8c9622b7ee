import Foundation

public enum BlockStart: Sendable, Hashable {
    case toolUse(id: String, name: String)
}

public enum BlockDelta: Sendable, Hashable {
    case text(String)
    /// A fragment of the tool input's JSON text; fragments concatenate to the whole input.
    case toolInput(String)
    case reasoningText(String)
    case reasoningSignature(String)
    case redactedReasoning(Data)
}

/// A streamed answer, in the order a door must emit it.
public enum StreamEvent: Sendable, Hashable {
    case messageStart(Role)
    case blockStart(index: Int, BlockStart)
    case blockDelta(index: Int, BlockDelta)
    case blockStop(index: Int)
    case messageStop(StopReason)
    case metadata(Usage, latencyMs: Int)
}

public typealias ChatEventStream = AsyncThrowingStream<StreamEvent, any Error>
