/// Gives a stream's blocks Anthropic's indexes (0, 1, 2… in order of appearance) and remembers which are open, so
/// each block starts and stops exactly once.
struct AnthropicBlockIndexer: Sendable {
    private var assigned: [Int: Int] = [:]
    private var open: [Int] = []
    private var next = 0

    mutating func start(_ canonical: Int) -> Int? {
        guard assigned[canonical] == nil else { return nil }
        let index = next
        next += 1
        assigned[canonical] = index
        open.append(canonical)
        return index
    }

    func openIndex(_ canonical: Int) -> Int? {
        open.contains(canonical) ? assigned[canonical] : nil
    }

    mutating func stop(_ canonical: Int) -> Int? {
        guard let at = open.firstIndex(of: canonical) else { return nil }
        open.remove(at: at)
        return assigned[canonical]
    }

    mutating func stopAll() -> [Int] {
        let indexes = open.compactMap { assigned[$0] }
        open.removeAll()
        return indexes
    }
}
