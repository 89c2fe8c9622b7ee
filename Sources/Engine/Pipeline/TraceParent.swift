import Foundation

/// A W3C trace context (`traceparent: 00-<trace id>-<parent id>-<flags>`): the caller's, so the gateway's spans and
/// its request log row join the caller's trace, or a new root when the caller sent none.
public struct TraceParent: Sendable, Hashable {
    /// 32 lower-case hex digits.
    public let traceId: String
    /// The caller's span (16 hex digits) that this call's server span is a child of; nil for a new root.
    public let parentSpanId: String?
    /// The server span's own id.
    public let spanId: String
    public let sampled: Bool

    public init?(header: String) {
        let parts = header.trimmingCharacters(in: .whitespaces).lowercased().split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            parts[0...3].allSatisfy({ $0.allSatisfy(\.isHexDigit) }),
            parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" }),
            let flags = UInt8(parts[3], radix: 16)
        else { return nil }
        traceId = String(parts[1])
        parentSpanId = String(parts[2])
        spanId = String(parts[2])
        sampled = flags & 1 == 1
    }

    public init(traceId: String, parentSpanId: String?, spanId: String, sampled: Bool) {
        self.traceId = traceId
        self.parentSpanId = parentSpanId
        self.spanId = spanId
        self.sampled = sampled
    }

    /// This call's own span under the caller's.
    func child() -> TraceParent {
        TraceParent(traceId: traceId, parentSpanId: spanId, spanId: Self.randomHex(bytes: 8), sampled: sampled)
    }

    static func root() -> TraceParent {
        TraceParent(traceId: randomHex(bytes: 16), parentSpanId: nil, spanId: randomHex(bytes: 8), sampled: true)
    }

    /// The header that names this call's span as the parent (for an upstream that joins the trace).
    public var header: String { "00-\(traceId)-\(spanId)-\(sampled ? "01" : "00")" }

    /// `bytes` random bytes (a multiple of 8) as lower-case hex: one system random word per 8 bytes, each word a
    /// `getrandom` call, written into the string's own storage (a byte at a time was 24 system calls a request).
    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let words = (bytes + 7) / 8
        return String(unsafeUninitializedCapacity: words * 16) { out in
            var index = 0
            for _ in 0..<words {
                var word = generator.next()
                for _ in 0..<16 {
                    let nibble = UInt8(truncatingIfNeeded: word >> 60)
                    out[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
                    word <<= 4
                    index += 1
                }
            }
            return index
        }
    }
}
