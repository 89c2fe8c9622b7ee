/// The `Range` header of a GET, as S3 reads it: one `bytes=` range; anything else is ignored (whole object).
public enum S3Range: Sendable, Hashable {
    /// Serve the whole object with 200.
    case whole
    /// Serve these bytes with 206.
    case partial(ClosedRange<Int64>)
    /// 416 InvalidRange.
    case unsatisfiable

    public static func resolve(_ header: String?, size: Int64) -> S3Range {
        guard let header else { return .whole }
        let spec = header.trimmingASCIISpaces
        guard spec.hasPrefix("bytes=") else { return .whole }
        let ranges = spec.dropFirst(6)
        guard !ranges.contains(","), let dash = ranges.firstIndex(of: "-") else { return .whole }
        let first = ranges[..<dash].trimmingASCIISpaces
        let last = ranges[ranges.index(after: dash)...].trimmingASCIISpaces
        if first.isEmpty {
            // Suffix range: the last N bytes.
            guard let count = Int64(last), count >= 0, last.allSatisfy(\.isASCIIDigit) else { return .whole }
            if count == 0 || size == 0 { return .unsatisfiable }
            return .partial(max(0, size - count)...(size - 1))
        }
        guard let start = Int64(first), first.allSatisfy(\.isASCIIDigit) else { return .whole }
        var end = size - 1
        if !last.isEmpty {
            guard let value = Int64(last), last.allSatisfy(\.isASCIIDigit) else { return .whole }
            guard value >= start else { return .whole }
            end = min(value, size - 1)
        }
        guard start < size else { return .unsatisfiable }
        return .partial(start...end)
    }
}

extension StringProtocol {
    var trimmingASCIISpaces: String {
        String(self).trimmingCharacters(inSetOf: [" ", "\t"])
    }

    func trimmingCharacters(inSetOf set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
