import AWSWire
import NIOCore
import Providers

/// The incremental decoders. Each input is decoded twice, in one piece and in ragged pieces; the two must agree on
/// every output and on the error, because the network may cut a body anywhere.
enum StreamingTargets {
    static func awsChunked(_ input: [UInt8]) -> Bool {
        agree(decodeChunked([ByteBuffer(bytes: input)]), decodeChunked(InputSplitting.ragged(input)), "aws-chunked", input)
            .error == nil
    }

    static func eventStream(_ input: [UInt8]) -> Bool {
        let outcome = agree(
            decodeEventStream([ByteBuffer(bytes: input)]), decodeEventStream(InputSplitting.ragged(input)), "event-stream", input)
        return outcome.error == nil && outcome.leftover == 0 && !outcome.messages.isEmpty
    }

    static func sse(_ input: [UInt8]) -> Bool {
        agree(parseSSE([ByteBuffer(bytes: input)]), parseSSE(InputSplitting.ragged(input)), "sse", input).map { !$0.isEmpty } ?? false
    }

    struct ChunkedOutcome: Equatable {
        var payload: [UInt8] = []
        var trailers: [String: String] = [:]
        var error: AWSChunkedDecodingError?
    }

    static func decodeChunked(_ pieces: [ByteBuffer]) -> ChunkedOutcome {
        var decoder = AWSChunkedDecoder()
        var outcome = ChunkedOutcome()
        do {
            for piece in pieces {
                for slice in try decoder.feed(piece) { outcome.payload += slice.readableBytesView }
            }
            try decoder.finish()
            outcome.trailers = decoder.trailers
        } catch {
            // Payload handed out before the error depends on where the pieces fell; only the error must agree.
            return ChunkedOutcome(error: error)
        }
        precondition(decoder.decodedCount == Int64(outcome.payload.count), "aws-chunked: decodedCount disagrees with the payload")
        return outcome
    }

    struct EventStreamOutcome: Equatable {
        var messages: [EventStreamMessage] = []
        var leftover = 0
        var error: EventStreamDecodingError?
    }

    static func decodeEventStream(_ pieces: [ByteBuffer]) -> EventStreamOutcome {
        var decoder = EventStreamDecoder()
        var outcome = EventStreamOutcome()
        do {
            for piece in pieces { outcome.messages += try decoder.decode(piece) }
        } catch {
            return EventStreamOutcome(error: error)
        }
        outcome.leftover = decoder.bufferedByteCount
        return outcome
    }

    /// nil when an event is over the parser's size cap, which must not depend on where the bytes were cut either.
    static func parseSSE(_ pieces: [ByteBuffer]) -> [SSEEvent]? {
        var parser = SSEParser()
        var events: [SSEEvent] = []
        do {
            for piece in pieces { events += try parser.feed(piece.readableBytesView) }
            if let last = try parser.finish() { events.append(last) }
        } catch {
            return nil
        }
        return events
    }

    static func agree<T: Equatable>(_ whole: T, _ pieces: T, _ decoder: String, _ input: [UInt8]) -> T {
        guard whole != pieces else { return whole }
        fatalError("\(decoder): decoding \(input.count) bytes in one piece gave \(whole), in pieces \(pieces)")
    }
}
