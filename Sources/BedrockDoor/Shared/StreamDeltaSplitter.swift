import SwitchyardModel

/// botocore refuses an event-stream frame whose payload is over 24 MiB (`InvalidPayloadLength`, which a caller
/// cannot read as an error). An upstream's delta may be longer than that, and grows on the way out: escaped as JSON
/// (up to 6× for control characters) and, in InvokeModel `chunk` events, base64-encoded on top (4/3). Deltas are
/// therefore cut into pieces small enough that even the worst case fits, each sent as a delta of its own; the
/// pieces concatenate to the original, as deltas do.
public enum StreamDeltaSplitter {
    /// 2 MiB × 6 × 4/3 = 16 MiB, well inside the 24 MiB frame payload with the envelope around it.
    public static let maxPieceBytes = 2 << 20

    /// `event` itself, or its text cut into several deltas of the same block when it is longer than `maxPieceBytes`.
    public static func split(_ event: StreamEvent, maxPieceBytes: Int = maxPieceBytes) -> [StreamEvent] {
        guard case .blockDelta(let index, let delta) = event else { return [event] }
        switch delta {
        case .text(let text) where text.utf8.count > maxPieceBytes:
            return pieces(text, maxBytes: maxPieceBytes).map { .blockDelta(index: index, .text($0)) }
        case .toolInput(let text) where text.utf8.count > maxPieceBytes:
            return pieces(text, maxBytes: maxPieceBytes).map { .blockDelta(index: index, .toolInput($0)) }
        case .reasoningText(let text) where text.utf8.count > maxPieceBytes:
            return pieces(text, maxBytes: maxPieceBytes).map { .blockDelta(index: index, .reasoningText($0)) }
        default:
            // A signature or redacted reasoning is one opaque value that cannot be sent in parts.
            return [event]
        }
    }

    /// `text` cut into runs of at most `maxBytes` UTF-8 bytes, never inside a character's encoding.
    static func pieces(_ text: String, maxBytes: Int) -> [String] {
        let utf8 = text.utf8
        var out: [String] = []
        var start = utf8.startIndex
        while start < utf8.endIndex {
            var end = utf8.index(start, offsetBy: maxBytes, limitedBy: utf8.endIndex) ?? utf8.endIndex
            while end < utf8.endIndex, UTF8.isContinuation(utf8[end]) { end = utf8.index(before: end) }
            out.append(String(decoding: utf8[start..<end], as: UTF8.self))
            start = end
        }
        return out
    }
}
