import AWSWire
import Foundation
import NIOCore
import SwitchyardModel

/// Reads a passing AWS event stream on the side, so the gateway knows the usage and any exception without
/// changing a byte of what the caller receives — up to a frame botocore would refuse for its size: the stream
/// then ends before that frame with an exception the caller can read.
struct EventStreamTap {
    /// What of one upstream chunk goes on to the caller.
    struct Passage {
        var forward: ByteBuffer
        /// Set when the stream must end after `forward`: an exception frame to send last.
        var ending: ByteBuffer?
    }

    let provider: String
    /// Told the usage, stop reason and exceptions as their frames pass.
    let observer: (any CallObserver)?
    private var decoder = EventStreamDecoder()
    private(set) var usage: String?
    private(set) var exception: String?
    private(set) var broken = false
    private var lastChunk: ByteBuffer?
    /// The start of a frame whose prelude (and so its length) has not fully arrived: held back until it can be
    /// checked, so an oversized frame is refused before any byte of it reaches the caller.
    private var held = ByteBuffer()
    /// Content logging on: answer text (Converse deltas, InvokeModel chunks' JSON) goes to the observer.
    let capturesContent: Bool

    init(provider: String, observer: (any CallObserver)? = nil, capturesContent: Bool = false) {
        self.provider = provider
        self.observer = observer
        self.capturesContent = capturesContent
    }

    mutating func observe(_ chunk: ByteBuffer) -> Passage {
        var incoming = held
        incoming.writeImmutableBuffer(chunk)
        held.clear()
        guard !broken else { return Passage(forward: incoming) }
        decoder.append(chunk)
        do throws(EventStreamDecodingError) {
            while let message = try decoder.next() { note(message) }
        } catch .payloadTooLong(let length) {
            return refuse(incoming, reason: "an event-stream frame payload of \(length) bytes")
        } catch .headersTooLong(let length) {
            return refuse(incoming, reason: "event-stream frame headers of \(length) bytes")
        } catch .invalidMessageLength(let total, _) {
            return refuse(incoming, reason: "an event-stream frame with an impossible length (\(total) bytes)")
        } catch {
            // Other damage is the caller's SDK to see (its checksums catch it): pass the bytes on untouched.
            broken = true
            return Passage(forward: incoming)
        }
        let partial = decoder.bufferedByteCount
        if partial < EventStreamEncoder.preludeLength, partial <= incoming.readableBytes {
            held = incoming.getSlice(at: incoming.readerIndex + incoming.readableBytes - partial, length: partial)!
            incoming.moveWriterIndex(to: incoming.writerIndex - partial)
        }
        return Passage(forward: incoming)
    }

    /// What is still held back when the upstream ends (a cut-off prelude), passed on as it was.
    mutating func finish() -> ByteBuffer {
        defer { held.clear() }
        return held
    }

    /// The frames before the refused one, then a `modelStreamErrorException` (a member of both the
    /// ConverseStream and the InvokeModelWithResponseStream unions).
    private mutating func refuse(_ incoming: ByteBuffer, reason: String) -> Passage {
        broken = true
        exception = "modelStreamErrorException"
        observer?.observeFailure(GatewayError(.streamFailed, "provider '\(provider)' sent \(reason)", upstreamCode: "modelStreamErrorException"))
        let whole = incoming.readableBytes - min(decoder.bufferedByteCount, incoming.readableBytes)
        let message = "provider '\(provider)' sent \(reason), over the \(EventStreamDecoder.maxPayloadLength) bytes a frame may carry"
        var ending = ByteBuffer()
        EventStreamEncoder.writeException(type: "modelStreamErrorException", into: &ending) { b in
            b.writeStaticString("{\"message\":")
            b.writeJSONString(message)
            b.writeStaticString("}")
        }
        decoder = EventStreamDecoder()
        return Passage(forward: incoming.getSlice(at: incoming.readerIndex, length: whole)!, ending: ending)
    }

    private mutating func note(_ message: EventStreamMessage) {
        if let type = message.exceptionType {
            exception = type
            let text = BedrockAnswerUsage.members(message.payload)?.message ?? type
            observer?.observeFailure(GatewayError(.streamFailed, text, upstreamCode: type))
        } else if message.eventType == "metadata" {
            usage = String(buffer: message.payload)
            if let members = BedrockAnswerUsage.members(message.payload), let found = BedrockAnswerUsage.converse(members) {
                observer?.observeUsage(found)
            }
        } else if message.eventType == "contentBlockDelta" {
            if capturesContent, let text = BedrockAnswerUsage.texts(message.payload)?.delta?.text {
                observer?.observeAnswerText(text)
            }
        } else if message.eventType == "messageStop" {
            if let reason = BedrockAnswerUsage.members(message.payload)?.stopReason { observer?.observeStop(reason) }
        } else if message.eventType == "chunk" {
            lastChunk = message.payload
            guard let bytes = Self.chunkBytes(message.payload) else { return }
            if capturesContent { observer?.observeAnswerText(String(decoding: bytes, as: UTF8.self)) }
            if let inner = BedrockAnswerUsage.invokeChunk(bytes) {
                if let found = inner.usage { observer?.observeUsage(found) }
                if let reason = inner.stopReason { observer?.observeStop(reason) }
            }
        }
    }

    /// An InvokeModelWithResponseStream chunk carries the model family's own JSON, base64-encoded in `bytes`.
    private static func chunkBytes(_ payload: ByteBuffer) -> Data? {
        BedrockAnswerUsage.members(payload)?.bytes.flatMap { Data(base64Encoded: $0) }
    }

    /// InvokeModelWithResponseStream puts the invocation metrics inside the last chunk's bytes.
    private func invocationMetrics() -> String? {
        guard let payload = lastChunk, let bytes = Self.chunkBytes(payload), let metrics = BedrockAnswerUsage.invokeChunk(bytes)?.metrics
        else { return nil }
        return String(describing: metrics)
    }

    var summary: String {
        [(usage ?? invocationMetrics()).map { "usage \($0)" }, exception.map { "exception \($0)" }, broken ? "undecodable" : nil]
            .compactMap { $0 }.joined(separator: ", ")
    }
}
