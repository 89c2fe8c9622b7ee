/// Seeded, reproducible mutation of seed inputs, for `--random` runs where libFuzzer is not available. Blind (no
/// coverage feedback), so it finds less than libFuzzer, but the same seed always gives the same inputs.
struct SeedMutator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(max(bound, 1)))
    }

    /// Values that sit on the edges decoders check: zero, sign bits, all ones, ASCII digits and delimiters.
    private static let interesting: [[UInt8]] = [
        [0], [0xFF], [0x7F], [0x80], [0xFF, 0xFF, 0xFF, 0xFF], [0x7F, 0xFF, 0xFF, 0xFF], [0, 0, 0, 0],
        Array("\r\n".utf8), Array("\n".utf8), Array(";".utf8), Array(":".utf8), Array("ffffffffffffffff".utf8),
        Array("-1".utf8), Array("1e309".utf8), Array("&#x0;".utf8), Array("<![CDATA[".utf8), Array("{".utf8),
        Array("[".utf8), Array("\"".utf8), Array("null".utf8),
    ]

    /// One to eight edits of `seed`; `donor` is another seed of the same decoder to splice from.
    mutating func mutate(_ seed: [UInt8], donor: [UInt8], maxLength: Int) -> [UInt8] {
        var bytes = seed
        for _ in 0...below(8) {
            let at = below(bytes.count + 1)
            switch below(7) {
            case 0 where !bytes.isEmpty:
                bytes[min(at, bytes.count - 1)] ^= UInt8(1) << UInt8(below(8))
            case 1 where !bytes.isEmpty:
                bytes[min(at, bytes.count - 1)] = UInt8(truncatingIfNeeded: next())
            case 2:
                bytes.insert(contentsOf: Self.interesting[below(Self.interesting.count)], at: at)
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, at + 1 + below(16))
                bytes.removeSubrange(min(at, bytes.count - 1)..<end)
            case 4 where at < bytes.count:
                let end = min(bytes.count, at + 1 + below(64))
                bytes.insert(contentsOf: bytes[at..<end], at: below(bytes.count + 1))
            case 5 where !donor.isEmpty:
                let from = below(donor.count)
                let end = min(donor.count, from + 1 + below(64))
                bytes.replaceSubrange(at..<min(bytes.count, at + below(64)), with: donor[from..<end])
            default:
                bytes = Array(bytes.prefix(at))
            }
        }
        return Array(bytes.prefix(maxLength))
    }
}
