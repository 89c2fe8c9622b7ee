import Foundation
import Synchronization
import SwitchyardModel

/// A whole answer and the stream of events that carries it, both ways: a stored answer replays as the events a
/// provider's stream would have sent, and a streamed answer is put back together for the cache to store.
public enum AnswerEvents {
    /// The events of `answer` in a door's order: message start, each block (text and reasoning as one delta each,
    /// a tool use as its start and its whole input), the stop, then the usage with `latencyMs`.
    public static func events(of answer: ChatResponse, latencyMs: Int) -> [StreamEvent] {
        var events: [StreamEvent] = [.messageStart(.assistant)]
        for (index, part) in answer.content.enumerated() {
            switch part {
            case .text(let text):
                events.append(.blockDelta(index: index, .text(text)))
            case .toolUse(let use):
                events.append(.blockStart(index: index, .toolUse(id: use.id, name: use.name)))
                events.append(.blockDelta(index: index, .toolInput(ToolInputText.string(use.input))))
            case .reasoning(.text(let text, let signature)):
                events.append(.blockDelta(index: index, .reasoningText(text)))
                if let signature { events.append(.blockDelta(index: index, .reasoningSignature(signature))) }
            case .reasoning(.redacted(let data)):
                events.append(.blockDelta(index: index, .redactedReasoning(data)))
            default:
                continue
            }
            events.append(.blockStop(index: index))
        }
        events.append(.messageStop(answer.stopReason))
        events.append(.metadata(answer.usage, latencyMs: latencyMs))
        return events
    }

    static func stream(of answer: ChatResponse, latencyMs: Int) -> ChatEventStream {
        let (stream, continuation) = ChatEventStream.makeStream()
        for event in events(of: answer, latencyMs: latencyMs) { continuation.yield(event) }
        continuation.finish()
        return stream
    }
}

/// Puts a streamed answer back together as it passes, and hands it on only when the stream reached its end: a
/// stream that failed, that the client left, or that never said why it stopped is not an answer to keep.
final class AnswerRecorder: Sendable {
    private let store: @Sendable (ChatResponse) -> Void
    private let state = Mutex(Assembly())

    struct Assembly {
        var blocks: [Int: Block] = [:]
        var order: [Int] = []
        var stop: StopReason?
        var usage = Usage()
        var latencyMs = 0
        var broken = false
    }

    enum Block {
        case text(String)
        case tool(id: String, name: String, input: String)
        case reasoning(String, signature: String?)
        case redacted(Data)
    }

    init(store: @escaping @Sendable (ChatResponse) -> Void) {
        self.store = store
    }

    func observe(_ event: StreamEvent) {
        state.withLock { a in
            switch event {
            case .messageStart: break
            case .blockStart(let index, .toolUse(let id, let name)):
                a.put(index, .tool(id: id, name: name, input: ""))
            case .blockDelta(let index, let delta):
                a.add(delta, at: index)
            case .blockStop: break
            case .messageStop(let reason): a.stop = reason
            case .metadata(let usage, let latencyMs):
                a.usage = usage
                a.latencyMs = latencyMs
            }
        }
    }

    /// The stream ended without an error.
    func finished() {
        let answer: ChatResponse? = state.withLock { a in
            guard !a.broken, let stop = a.stop else { return nil }
            var content: [ContentPart] = []
            for index in a.order {
                switch a.blocks[index] {
                case .text(let text)?: content.append(.text(text))
                case .tool(let id, let name, let input)?:
                    guard let value = ToolInputText.value(input.isEmpty ? "{}" : input) else { return nil }
                    content.append(.toolUse(ToolUse(id: id, name: name, input: value)))
                case .reasoning(let text, let signature)?: content.append(.reasoning(.text(text, signature: signature)))
                case .redacted(let data)?: content.append(.reasoning(.redacted(data)))
                case nil: break
                }
            }
            return ChatResponse(content: content, stopReason: stop, usage: a.usage, latencyMs: a.latencyMs)
        }
        if let answer { store(answer) }
    }
}

extension AnswerRecorder.Assembly {
    mutating func put(_ index: Int, _ block: AnswerRecorder.Block) {
        if blocks[index] == nil { order.append(index) }
        blocks[index] = block
    }

    mutating func add(_ delta: BlockDelta, at index: Int) {
        switch (blocks[index], delta) {
        case (nil, .text(let text)): put(index, .text(text))
        case (.text(let held)?, .text(let text)): blocks[index] = .text(held + text)
        case (.tool(let id, let name, let input)?, .toolInput(let piece)): blocks[index] = .tool(id: id, name: name, input: input + piece)
        case (nil, .reasoningText(let text)): put(index, .reasoning(text, signature: nil))
        case (.reasoning(let held, let signature)?, .reasoningText(let text)): blocks[index] = .reasoning(held + text, signature: signature)
        case (nil, .reasoningSignature(let signature)): put(index, .reasoning("", signature: signature))
        case (.reasoning(let held, let old)?, .reasoningSignature(let signature)):
            blocks[index] = .reasoning(held, signature: (old ?? "") + signature)
        case (nil, .redactedReasoning(let data)): put(index, .redacted(data))
        case (.redacted(let held)?, .redactedReasoning(let data)): blocks[index] = .redacted(held + data)
        default:
            // A delta that does not fit its block: the answer cannot be rebuilt faithfully.
            broken = true
        }
    }
}

/// Tool inputs as JSON text and back, for the stream events that carry them as text.
enum ToolInputText {
    static func string(_ value: JSONValue) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func value(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }
}
